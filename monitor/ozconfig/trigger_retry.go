package ozconfig

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// Jitter says whether retry delays are randomised.
type Jitter string

// The jitter modes, lowercase as in OZ.
const (
	JitterNone Jitter = "none"
	JitterFull Jitter = "full"
)

// RetryPolicy is a trigger's retry_policy: exponential backoff
// initial_backoff × base_for_backoff^attempt, capped at max_backoff.
type RetryPolicy struct {
	MaxRetries     uint32        `json:"max_retries"`
	BaseForBackoff uint32        `json:"base_for_backoff"`
	InitialBackoff time.Duration `json:"-"`
	MaxBackoff     time.Duration `json:"-"`
	Jitter         Jitter        `json:"jitter"`
}

// DefaultRetryPolicy is what OZ uses when retry_policy, or any of its
// fields, is absent.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{
		MaxRetries:     3,
		BaseForBackoff: 2,
		InitialBackoff: 250 * time.Millisecond,
		MaxBackoff:     10 * time.Second,
		Jitter:         JitterFull,
	}
}

// serdeDuration is the {"secs", "nanos"} form in which Rust's serde writes
// a Duration, and so the form OZ configs use.
type serdeDuration struct {
	Secs  uint64 `json:"secs"`
	Nanos uint32 `json:"nanos"`
}

func toSerde(d time.Duration) serdeDuration {
	return serdeDuration{Secs: uint64(d / time.Second), Nanos: uint32(d % time.Second)}
}

// MarshalJSON writes the OZ form, durations as {"secs", "nanos"}.
func (p RetryPolicy) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		MaxRetries     uint32        `json:"max_retries"`
		BaseForBackoff uint32        `json:"base_for_backoff"`
		InitialBackoff serdeDuration `json:"initial_backoff"`
		MaxBackoff     serdeDuration `json:"max_backoff"`
		Jitter         Jitter        `json:"jitter"`
	}{p.MaxRetries, p.BaseForBackoff, toSerde(p.InitialBackoff), toSerde(p.MaxBackoff), p.Jitter})
}

func (r *cfgReader) retryPolicy(p string, raw json.RawMessage) RetryPolicy {
	rp := DefaultRetryPolicy()
	o := r.object(p, raw, "retry policy")
	if o == nil {
		return rp
	}
	if n, ok := o.uint("max_retries", false, math.MaxUint32); ok {
		rp.MaxRetries = uint32(n)
	}
	if n, ok := o.uint("base_for_backoff", false, math.MaxUint32); ok {
		rp.BaseForBackoff = uint32(n)
		if n == 0 {
			r.fail(joinKey(p, "base_for_backoff"), "must be at least 1")
		}
	}
	if v, dp, ok := o.get("initial_backoff", false); ok {
		if d, ok := r.duration(dp, v); ok {
			rp.InitialBackoff = d
		}
	}
	if v, dp, ok := o.get("max_backoff", false); ok {
		if d, ok := r.duration(dp, v); ok {
			rp.MaxBackoff = d
		}
	}
	if j, ok := o.enum("jitter", false, string(JitterNone), string(JitterFull)); ok {
		rp.Jitter = Jitter(j)
	}
	o.finish()
	return rp
}

// maxSerdeSecs keeps a duration representable as a time.Duration.
const maxSerdeSecs = uint64(math.MaxInt64/int64(time.Second)) - 1

// duration reads OZ's {"secs": s, "nanos": n} or, as an ozmon extension, a
// plain number of milliseconds.
func (r *cfgReader) duration(p string, raw json.RawMessage) (time.Duration, bool) {
	switch jsonKind(raw) {
	case "number":
		ms, ok := r.uint(p, raw, uint64(math.MaxInt64/int64(time.Millisecond)))
		return time.Duration(ms) * time.Millisecond, ok
	case "object":
		o := r.object(p, raw, "duration")
		secs, sok := o.uint("secs", true, maxSerdeSecs)
		nanos, nok := o.uint("nanos", true, math.MaxUint32)
		o.finish()
		if !sok || !nok {
			return 0, false
		}
		if nanos >= uint64(time.Second) {
			r.fail(joinKey(p, "nanos"), "must be less than 1000000000, got %d", nanos)
			return 0, false
		}
		return time.Duration(secs)*time.Second + time.Duration(nanos), true
	}
	r.fail(p, `expected duration ({"secs": …, "nanos": …} or milliseconds), got %s`, jsonKind(raw))
	return 0, false
}

// Backoff is the delay before retry attempt n (0-based), without jitter.
func (p RetryPolicy) Backoff(n int) time.Duration {
	d := float64(p.InitialBackoff) * math.Pow(float64(p.BaseForBackoff), float64(n))
	if d > float64(p.MaxBackoff) || math.IsInf(d, 0) || math.IsNaN(d) {
		return p.MaxBackoff
	}
	return time.Duration(d)
}

// String shows the policy in a log-friendly form.
func (p RetryPolicy) String() string {
	return fmt.Sprintf("retries=%d base=%d initial=%s max=%s jitter=%s", p.MaxRetries, p.BaseForBackoff, p.InitialBackoff, p.MaxBackoff, p.Jitter)
}
