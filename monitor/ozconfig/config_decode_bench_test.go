package ozconfig

import (
	"fmt"
	"strings"
	"testing"
)

// webhookWithHeaders is one webhook trigger whose config has n headers.
func webhookWithHeaders(n int) string {
	var b strings.Builder
	b.WriteString(`{"name":"h","trigger_type":"webhook","config":{"url":{"type":"plain","value":"https://hooks.example/x"},` +
		`"method":"POST","message":{"title":"t","body":"b"},"headers":{`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"X-H-%d":"v"`, i)
	}
	b.WriteString(`}}}`)
	return b.String()
}

// triggerFile is one trigger file holding n slack triggers.
func triggerFile(n int) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"t%d":{"name":"t%d","trigger_type":"slack","config":{"slack_url":{"type":"plain","value":"https://hooks.slack.com/x"},`+
			`"message":{"title":"t","body":"b"}}}`, i, i)
	}
	b.WriteByte('}')
	return b.String()
}

// The cost of decoding an object grows linearly with its keys: time per
// key stays flat from 1k to 50k (it grew with the key count when each key
// was looked up in a list of the keys already read).
func BenchmarkDecodeHeaders(b *testing.B) {
	benchDecode(b, webhookWithHeaders, func(data []byte) error {
		_, err := ParseTrigger("t.json", data, WithLimits(unlimited()))
		return err
	})
}

func BenchmarkDecodeTriggerFile(b *testing.B) {
	benchDecode(b, triggerFile, func(data []byte) error {
		_, err := ParseTriggers("t.json", data, WithLimits(unlimited()))
		return err
	})
}

// benchDecode parses the document of 1k, 10k and 50k keys that doc makes,
// reporting the time per key.
func benchDecode(b *testing.B, doc func(n int) string, parse func([]byte) error) {
	for _, n := range []int{1_000, 10_000, 50_000} {
		data := []byte(doc(n))
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if err := parse(data); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/key")
		})
	}
}

// unlimited lifts the limits above what the benchmarks read.
func unlimited() Limits {
	return Limits{ExpressionBytes: 1 << 30, ListItems: 1 << 30, ItemBytes: 1 << 30, TenantBytes: 1 << 30}
}
