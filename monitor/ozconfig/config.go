package ozconfig

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/stellar/go-stellar-sdk/strkey"

	"github.com/ozmon/ozmon/monitor/expr"
)

// Config is one tenant's configuration: what an OZ config directory holds.
// Networks are keyed by slug, Monitors by name and Triggers by trigger key
// (the name monitors use to reference them).
type Config struct {
	Networks map[string]*Network
	Monitors map[string]*Monitor
	Triggers map[string]*Trigger
}

// Validate checks what no single file can: every network and trigger a
// monitor names exists, names are unique (ignoring case and surrounding
// space, as OZ compares them), signatures and addresses suit the network
// type, and the network type is one ozmon runs. Objects not made by a Parse
// function are checked too, and their expressions compiled (Validate sets
// a condition's Expr when it is nil). source names the configuration in
// errors about objects that have no file of their own, e.g. "tenant acme"
// gives "tenant acme/monitor Vault watch". All problems are returned
// together as ValidationErrors.
func (c *Config) Validate(source string) error {
	v := &configValidator{source: source}
	v.checkNetworks(c)
	v.checkTriggers(c)
	v.checkMonitors(c)
	return v.errs.err()
}

type configValidator struct {
	source string
	errs   ValidationErrors
	// solanaDone marks monitors whose Solana rules were checked, so a
	// monitor on two Solana networks is reported once.
	solanaDone map[*Monitor]bool
}

func (v *configValidator) fail(src, path, format string, args ...any) {
	v.errs = append(v.errs, &ValidationError{Source: src, Path: path, Msg: fmt.Sprintf(format, clipArgs(format, args)...)})
}

// objectSource is the file an object was parsed from, or a name built from
// the configuration's source.
func (v *configValidator) objectSource(fileSource, kind, name string) string {
	if fileSource != "" {
		return fileSource
	}
	name = Clip(name)
	if v.source == "" {
		return kind + " " + name
	}
	return v.source + "/" + kind + " " + name
}

func sortedKeys[T any](m map[string]T) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// inSourceOrder orders keys by the file their object came from, then by key,
// so that a duplicate is reported against the later file, as a user reading
// the directory top-down expects.
func inSourceOrder[T any](m map[string]T, source func(T) string) []string {
	keys := sortedKeys(m)
	slices.SortStableFunc(keys, func(a, b string) int {
		return strings.Compare(source(m[a]), source(m[b]))
	})
	return keys
}

func networkSource(n *Network) string {
	if n == nil {
		return ""
	}
	return n.source
}

func monitorSource(m *Monitor) string {
	if m == nil {
		return ""
	}
	return m.source
}

// Source names where the trigger was read from (a file such as
// "triggers/slack.json", or "tenant acme/trigger ops"), for messages about
// it; empty for a trigger built in code.
func (t *Trigger) Source() string { return t.source }

// Source names where the monitor was read from (its file), for errors.
func (m *Monitor) Source() string { return m.source }

func triggerSource(t *Trigger) string {
	if t == nil {
		return ""
	}
	return t.source
}

// seen tracks normalized names to report duplicates with the first user.
type seen map[string]string

func (s seen) claim(name, src string) (first string, dup bool) {
	k := strings.ToLower(strings.TrimSpace(name))
	if prev, ok := s[k]; ok {
		return prev, true
	}
	s[k] = src
	return "", false
}

func (v *configValidator) checkNetworks(c *Config) {
	names := seen{}
	for _, key := range inSourceOrder(c.Networks, networkSource) {
		n := c.Networks[key]
		if n == nil {
			v.fail(v.objectSource("", "network", key), "", "network is nil")
			continue
		}
		src := v.objectSource(n.source, "network", key)
		if n.Slug != key {
			v.fail(src, "slug", "slug %q must equal the network's key %q (for a file, its name without .json)", n.Slug, key)
		}
		if first, dup := names.claim(n.Name, src); dup {
			v.fail(src, "name", "network name %q is already used by %s", n.Name, first)
		}
	}
}

func (v *configValidator) checkTriggers(c *Config) {
	names := seen{}
	for _, key := range inSourceOrder(c.Triggers, triggerSource) {
		t := c.Triggers[key]
		if t == nil {
			v.fail(v.objectSource("", "trigger", key), "", "trigger is nil")
			continue
		}
		src := v.objectSource(t.source, "trigger", key)
		path := ""
		if t.source != "" {
			path = Clip(key) // a trigger file holds many triggers; say which
		}
		if t.Key != "" && t.Key != key {
			v.fail(src, path, "trigger key %q does not match its map key %q", t.Key, key)
		}
		if first, dup := names.claim(t.Name, fmt.Sprintf("trigger %q in %s", Clip(key), src)); dup {
			v.fail(src, joinKey(path, "name"), "trigger name %q is already used by %s", t.Name, first)
		}
		if t.Config() == nil {
			v.fail(src, joinKey(path, "config"), "%s trigger has no configuration", t.TriggerType)
		}
	}
}

func (v *configValidator) checkMonitors(c *Config) {
	names := seen{}
	// Computed once: sorting every key per unknown reference would make a
	// config full of typos quadratic to validate.
	knownNetworks := sync.OnceValue(func() string { return known(c.Networks) })
	knownTriggers := sync.OnceValue(func() string { return known(c.Triggers) })
	for _, key := range inSourceOrder(c.Monitors, monitorSource) {
		m := c.Monitors[key]
		if m == nil {
			v.fail(v.objectSource("", "monitor", key), "", "monitor is nil")
			continue
		}
		src := v.objectSource(m.source, "monitor", key)
		if m.Name != key {
			v.fail(src, "name", "monitor name %q must equal its key %q", m.Name, key)
		}
		if first, dup := names.claim(m.Name, src); dup {
			v.fail(src, "name", "monitor name %q is already used by %s", m.Name, first)
		}
		v.compileExpressions(src, m)
		var nets []*Network
		for i, slug := range m.Networks {
			n, ok := c.Networks[slug]
			if !ok || n == nil {
				v.fail(src, joinIndex("networks", i), "unknown network %q%s", slug, knownNetworks())
				continue
			}
			if v.checkForNetwork(src, joinIndex("networks", i), m, n) {
				nets = append(nets, n)
			}
		}
		v.checkAddresses(src, m, nets)
		for i, t := range m.Triggers {
			if _, ok := c.Triggers[t]; !ok {
				v.fail(src, joinIndex("triggers", i), "unknown trigger %q%s", t, knownTriggers())
			}
		}
	}
}

// known lists the available keys for an "unknown X" message, which is what
// the user needs to fix a typo.
func known[T any](m map[string]T) string {
	if len(m) == 0 {
		return " (none are defined)"
	}
	keys := sortedKeys(m)
	if len(keys) > 10 {
		keys = append(keys[:10], "…")
	}
	for i, k := range keys {
		keys[i] = Clip(k)
	}
	return " (known: " + strings.Join(keys, ", ") + ")"
}

// compileExpressions parses expressions of monitors built in code; parsed
// monitors already carry theirs.
func (v *configValidator) compileExpressions(src string, m *Monitor) {
	compile := func(path, s string, dst **expr.Expr) {
		if s == "" || *dst != nil {
			return
		}
		e, err := expr.Parse(s)
		if err != nil {
			v.errs = append(v.errs, &ValidationError{Source: src, Path: path, Msg: err.Error(), err: err})
			return
		}
		*dst = e
	}
	for i := range m.MatchConditions.Functions {
		f := &m.MatchConditions.Functions[i]
		compile(joinIndex("match_conditions.functions", i)+".expression", f.Expression, &f.Expr)
	}
	for i := range m.MatchConditions.Events {
		e := &m.MatchConditions.Events[i]
		compile(joinIndex("match_conditions.events", i)+".expression", e.Expression, &e.Expr)
	}
	for i := range m.MatchConditions.Transactions {
		t := &m.MatchConditions.Transactions[i]
		compile(joinIndex("match_conditions.transactions", i)+".expression", t.Expression, &t.Expr)
	}
}

// checkForNetwork applies the rules that depend on the network type and
// reports whether the type is one ozmon runs.
func (v *configValidator) checkForNetwork(src, netPath string, m *Monitor, n *Network) bool {
	switch n.NetworkType {
	case NetworkEVM, NetworkStellar:
	case NetworkSolana:
		// No parenthesis rule on Solana (SOL112); its own checks instead.
		v.checkSolanaConditions(src, m, n)
		return true
	case NetworkMidnight:
		// There is no Midnight contract spec: OZ's union only takes null.
		for i, a := range m.Addresses {
			if a.ContractSpec != nil && !isNull(a.ContractSpec) {
				v.fail(src, joinIndex("addresses", i)+".contract_spec", "must be null or absent on Midnight network %q (there is no Midnight contract spec), got %s", n.Slug, jsonKind(a.ContractSpec))
			}
		}
	default:
		if !m.Paused {
			v.fail(src, netPath, "network %q is of type %s, which ozmon does not run (EVM, Stellar, Solana and Midnight only)", n.Slug, n.NetworkType)
		}
		return false
	}
	for i, f := range m.MatchConditions.Functions {
		v.checkSignature(src, joinIndex("match_conditions.functions", i)+".signature", f.Signature, n)
	}
	for i, e := range m.MatchConditions.Events {
		v.checkSignature(src, joinIndex("match_conditions.events", i)+".signature", e.Signature, n)
	}
	return true
}

// checkAddresses requires each address to suit at least one of the
// monitor's networks: a monitor may span chains, and OZ simply never matches
// an address on a chain it does not belong to, but an address that fits
// none of them is a typo that would silently never fire.
func (v *configValidator) checkAddresses(src string, m *Monitor, nets []*Network) {
	if len(nets) == 0 {
		return
	}
	for i, a := range m.Addresses {
		p := joinIndex("addresses", i)
		fits := false
		for _, n := range nets {
			if (n.NetworkType == NetworkStellar && validStellarAddress(a.Address)) ||
				(n.NetworkType == NetworkEVM && validEVMAddress(a.Address)) ||
				(n.NetworkType == NetworkSolana && validSolanaAddress(a.Address)) ||
				(n.NetworkType == NetworkMidnight && validMidnightAddress(a.Address)) {
				fits = true
				break
			}
		}
		if !fits {
			var wants []string
			for _, n := range nets {
				switch n.NetworkType {
				case NetworkStellar:
					wants = append(wants, fmt.Sprintf("a Stellar contract (C…) or account (G…) address for network %q", n.Slug))
				case NetworkEVM:
					wants = append(wants, fmt.Sprintf("an EVM address (0x and 40 hex digits) for network %q", n.Slug))
				case NetworkSolana:
					wants = append(wants, fmt.Sprintf("a Solana program id (base58 of 32 bytes) for network %q", n.Slug))
				case NetworkMidnight:
					wants = append(wants, fmt.Sprintf("a Midnight contract address (hex of 32 bytes, or 35 with the network prefix, 0x optional) for network %q", n.Slug))
				}
			}
			v.fail(src, p+".address", "%q is not %s", a.Address, strings.Join(wants, ", nor "))
		}
		if a.ContractSpec != nil && jsonKind(a.ContractSpec) != "array" && !onlyMidnight(nets) && !(onMidnight(nets) && isNull(a.ContractSpec)) {
			if onSolana(nets) && jsonKind(a.ContractSpec) == "object" {
				v.checkSolanaIDL(src, p+".contract_spec", a.ContractSpec)
			} else {
				v.fail(src, p+".contract_spec", "an EVM or Stellar contract spec must be an array, got %s", jsonKind(a.ContractSpec))
			}
		}
	}
}

// checkSignature applies OZ's rule for EVM, Stellar and Midnight: after
// trimming, a "(" comes before the final character, which is ")".
func (v *configValidator) checkSignature(src, path, sig string, n *Network) {
	s := strings.TrimSpace(sig)
	open := strings.Index(s, "(")
	if open < 0 || !strings.HasSuffix(s, ")") {
		v.fail(src, path, "signature %q must have the form name(type,…) for %s network %q", sig, n.NetworkType, n.Slug)
	}
}

// validStellarAddress accepts what OZ would match: a contract or account
// strkey, compared without whitespace and case.
func validStellarAddress(a string) bool {
	s := strings.ToUpper(strings.Join(strings.Fields(a), ""))
	return strkey.IsValidContractAddress(s) || strkey.IsValidEd25519PublicKey(s)
}

// validMidnightAddress accepts what OZ compares as a Midnight contract:
// hex of 32 bytes, or 35 with the 3-byte network prefix, 0x optional,
// whitespace and case ignored.
func validMidnightAddress(a string) bool {
	s := strings.ToLower(strings.Join(strings.Fields(a), ""))
	s = strings.TrimPrefix(s, "0x")
	if len(s) != 64 && len(s) != 70 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// onlyMidnight: every network is Midnight, whose own check of
// contract_spec (null or absent) says all there is to say.
func onlyMidnight(nets []*Network) bool {
	for _, n := range nets {
		if n.NetworkType != NetworkMidnight {
			return false
		}
	}
	return len(nets) > 0
}

func onMidnight(nets []*Network) bool {
	for _, n := range nets {
		if n.NetworkType == NetworkMidnight {
			return true
		}
	}
	return false
}

// validEVMAddress accepts 40 hex digits with an optional 0x, in any case.
func validEVMAddress(a string) bool {
	s := strings.TrimSpace(a)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if len(s) != 40 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
