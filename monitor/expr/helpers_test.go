package expr

import (
	"encoding/base32"
	"errors"
	"testing"
)

// outcome is what a table expects from one evaluation: a result, or an
// error of a given code.
type outcome struct {
	ok   bool
	code errorCode // 0: no error expected
}

var (
	yes = outcome{ok: true}
	no  = outcome{}
)

func fails(c errorCode) outcome { return outcome{code: c} }

func (o outcome) String() string {
	if o.code != 0 {
		return "error(" + o.code.String() + ")"
	}
	if o.ok {
		return "true"
	}
	return "false"
}

// evalWith parses src and evaluates it against params with c.
func evalWith(t testing.TB, c Comparator, src string, params ...Param) outcome {
	t.Helper()
	e, err := Parse(src)
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	ok, err := e.Eval(params, c)
	if err != nil {
		var ee *evalError
		if !errors.As(err, &ee) {
			t.Fatalf("Eval(%q): error %T is not *evalError: %v", src, err, err)
		}
		if ok {
			t.Fatalf("Eval(%q): true together with error %v", src, err)
		}
		return fails(ee.Code)
	}
	return outcome{ok: ok}
}

// check evaluates `v <op> <lit>` where v has the given kind and value.
func check(t *testing.T, c Comparator, kind, value, rest string, want outcome) {
	t.Helper()
	got := evalWith(t, c, "v "+rest, Param{Name: "v", Value: value, Kind: kind})
	if got != want {
		t.Errorf("kind %s value %q: v %s = %s, want %s", kind, value, rest, got, want)
	}
}

// strkey builds a valid strkey for a version byte and payload.
func strkey(version byte, payload [32]byte) string {
	raw := append([]byte{version}, payload[:]...)
	sum := crc16XModem(raw)
	raw = append(raw, byte(sum), byte(sum>>8))
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw)
}

// Real addresses from the OpenZeppelin Monitor fixtures.
const (
	acctG = "GDF32CQINROD3E2LMCGZUDVMWTXCJFR5SBYVRJ7WAAIAS3P7DCVWZEFY"
	contC = "CBIELTK6YBZJU5UP2WWQEUCYKLPU6AUNZ2BQ4WWFEIE3USCIHMXQDAMA"
)
