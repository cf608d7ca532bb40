package chain

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// MarshalJSON writes the operation as the node does: a bare string for the
// kinds without fields, else an object with the kind as its one key.
func (o MidnightOperation) MarshalJSON() ([]byte, error) {
	if len(o.Raw) > 0 {
		return o.Raw, nil
	}
	var inner any
	switch o.Kind {
	case MidnightCall:
		inner = struct {
			Address    string `json:"address"`
			EntryPoint string `json:"entry_point"`
		}{o.Address, o.EntryPoint}
	case MidnightDeploy, MidnightMaintain:
		inner = struct {
			Address string `json:"address"`
		}{o.Address}
	case MidnightClaimMint:
		coin := o.CoinType
		if len(coin) == 0 {
			coin = json.RawMessage("null")
		}
		value := json.Number(o.Value)
		if o.Value == "" {
			value = "0"
		}
		inner = struct {
			Value    json.Number     `json:"value"`
			CoinType json.RawMessage `json:"coin_type"`
		}{value, coin}
	default:
		return json.Marshal(o.Kind)
	}
	return json.Marshal(map[string]any{o.Kind: inner})
}

// UnmarshalJSON reads an externally tagged operation. A known kind with
// malformed fields is an error; an unknown kind is kept (Kind and Raw).
func (o *MidnightOperation) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	*o = MidnightOperation{}
	if len(data) > 0 && data[0] == '"' {
		var kind string
		if err := json.Unmarshal(data, &kind); err != nil {
			return fmt.Errorf("midnight operation: %w", err)
		}
		o.Kind = kind
		switch kind {
		case MidnightFallibleCoins, MidnightGuaranteedCoins:
		default:
			o.Raw = compactJSON(data)
		}
		return nil
	}
	kind, inner, err := midnightTagged(data)
	if err != nil {
		return fmt.Errorf("midnight operation: %w", err)
	}
	o.Kind = kind
	switch kind {
	case MidnightCall:
		var c struct {
			Address    *string `json:"address"`
			EntryPoint *string `json:"entry_point"`
		}
		if err := json.Unmarshal(inner, &c); err != nil || c.Address == nil || c.EntryPoint == nil {
			return fmt.Errorf("midnight operation Call: want {address, entry_point} strings, got %.80s", inner)
		}
		o.Address, o.EntryPoint = *c.Address, *c.EntryPoint
	case MidnightDeploy, MidnightMaintain:
		var c struct {
			Address *string `json:"address"`
		}
		if err := json.Unmarshal(inner, &c); err != nil || c.Address == nil {
			return fmt.Errorf("midnight operation %s: want {address} string, got %.80s", kind, inner)
		}
		o.Address = *c.Address
	case MidnightClaimMint:
		var c struct {
			Value    json.RawMessage `json:"value"`
			CoinType json.RawMessage `json:"coin_type"`
		}
		if err := json.Unmarshal(inner, &c); err != nil {
			return fmt.Errorf("midnight operation ClaimMint: %w", err)
		}
		v, err := midnightU128(c.Value)
		if err != nil {
			return fmt.Errorf("midnight operation ClaimMint value: %w", err)
		}
		o.Value, o.CoinType = v, compactJSON(c.CoinType)
	default:
		o.Raw = compactJSON(data)
	}
	return nil
}

// compactJSON is data without insignificant whitespace: the form
// encoding/json writes a MarshalJSON result in, so a kept element
// re-marshals to itself.
func compactJSON(data []byte) json.RawMessage {
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		return append(json.RawMessage(nil), data...)
	}
	return buf.Bytes()
}

// midnightTagged splits an externally tagged object {"Kind": inner}.
func midnightTagged(data []byte) (string, json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return "", nil, fmt.Errorf("want a string or a one-key object: %w", err)
	}
	if len(m) != 1 {
		return "", nil, fmt.Errorf("want a one-key object, got %d keys", len(m))
	}
	for k, v := range m {
		return k, v, nil
	}
	return "", nil, errors.New("unreachable")
}

// midnightU128 reads an unsigned 128-bit integer written as a JSON number
// (serde's form) or a decimal string, keeping every digit.
func midnightU128(raw json.RawMessage) (string, error) {
	s := strings.TrimSpace(string(raw))
	if len(s) >= 2 && s[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", err
		}
	}
	if s == "" || len(s) > 39 {
		return "", fmt.Errorf("%q is not an unsigned 128-bit integer", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", fmt.Errorf("%q is not an unsigned 128-bit integer", s)
		}
	}
	if len(s) == 39 && s > "340282366920938463463374607431768211455" {
		return "", fmt.Errorf("%s overflows 128 bits", s)
	}
	s = strings.TrimLeft(s, "0")
	if s == "" {
		s = "0"
	}
	return s, nil
}
