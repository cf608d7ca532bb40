package monitor

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/ozmon/ozmon/monitor/internal/base58"
)

// The log-line rules of 16.10 for random program ids, and the program
// attribution of "Program data:" lines through nested invocations.
func TestSolanaLogLines(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(9, 10))
	for i := range 500 {
		s := sha256.Sum256([]byte(strconv.Itoa(i)))
		id := base58.Encode(s[:])
		depth := 1 + r.IntN(4)
		if got, ok := parseInvoke("Program " + id + " invoke [" + strconv.Itoa(depth) + "]"); !ok || got != id {
			t.Fatalf("invoke of %s: %q %v", id, got, ok)
		}
		if failed, ok := parseProgramEnd("Program " + id + " success"); !ok || failed {
			t.Fatalf("success of %s", id)
		}
		if failed, ok := parseProgramEnd("Program " + id + " failed: custom program error: 0x1"); !ok || !failed {
			t.Fatalf("failure of %s", id)
		}
		data := make([]byte, r.IntN(200))
		for j := range data {
			data[j] = byte(r.UintN(256))
		}
		if got, ok := parseProgramData("Program data: " + base64.StdEncoding.EncodeToString(data)); !ok || !bytes.Equal(got, data) {
			t.Fatalf("data %x: %x %v", data, got, ok)
		}
	}
	for _, line := range []string{"Program log: success", "Program log: Instruction: Transfer", "Program data: x invoke [1]", "Program " + tokenProgram + " consumed 4645 of 200000 compute units"} {
		if _, ok := parseProgramEnd(line); ok {
			t.Errorf("%q read as the end of an invocation", line)
		}
		if _, ok := parseInvoke(line); ok {
			t.Errorf("%q read as an invocation", line)
		}
	}
	ev := func(b byte) string {
		return "Program data: " + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 8))
	}
	got := solanaProgramData([]string{
		ev(0), // outside any invocation: nobody's
		"Program A invoke [1]", ev(1),
		"Program B invoke [2]", "Program log: success", ev(2), "Program B success",
		ev(3), "Program A failed: boom",
		"Program data: AQID", // too short for a discriminator
	})
	want := []solanaData{{"a", bytes.Repeat([]byte{1}, 8)}, {"b", bytes.Repeat([]byte{2}, 8)}, {"a", bytes.Repeat([]byte{3}, 8)}}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i].program != want[i].program || !bytes.Equal(got[i].bytes, want[i].bytes) {
			t.Errorf("line %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}
