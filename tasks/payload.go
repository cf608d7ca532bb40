package tasks

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// payloadVersion is the version written into every payload. A handler
// refuses (without retrying) a payload of a version it does not know, so a
// rolling upgrade never misreads a task.
const payloadVersion = 1

// Payload is what every task payload type implements.
type Payload interface {
	// Type is the asynq task type name.
	Type() string
	// TaskID is the deterministic id that deduplicates the step.
	TaskID() string
	// Queue is the queue the task goes to.
	Queue() string
	// Options are the type's retry, timeout and retention options.
	Options() []asynq.Option
}

// NewTask encodes p into an asynq task with its TaskID, queue and options.
func NewTask(p Payload) (*asynq.Task, error) {
	data, err := encode(p)
	if err != nil {
		return nil, err
	}
	opts := append([]asynq.Option{asynq.TaskID(p.TaskID()), asynq.Queue(p.Queue())}, p.Options()...)
	return asynq.NewTask(p.Type(), data, opts...), nil
}

// encode is p's JSON payload.
func encode(p Payload) ([]byte, error) {
	var data []byte
	var err error
	if m, ok := p.(json.Marshaler); ok {
		// Directly: json.Marshal would re-scan and compact the output of
		// MarshalJSON, which cost more than encoding it.
		data, err = m.MarshalJSON()
	} else {
		data, err = json.Marshal(p)
	}
	if err != nil {
		return nil, fmt.Errorf("encode %s payload: %w", p.Type(), err)
	}
	return data, nil
}

// Decode reads a task payload into p, checking its version. Payload types
// that expose their version are decoded in one pass; the version is read
// on its own only to explain a payload that does not decode.
func Decode(t *asynq.Task, p any) error {
	reads := func(v int) bool { return v == payloadVersion }
	if r, ok := p.(multiVersioned); ok {
		reads = r.readsVersion
	}
	if v, ok := p.(versioned); ok {
		if err := json.Unmarshal(t.Payload(), p); err == nil && reads(v.payloadVersion()) {
			return nil
		}
	}
	var head struct {
		V int `json:"v"`
	}
	if err := json.Unmarshal(t.Payload(), &head); err != nil {
		return fmt.Errorf("decode %s payload: %w: %w", t.Type(), err, asynq.SkipRetry)
	}
	if !reads(head.V) {
		return fmt.Errorf("decode %s payload: version %d is not one this build reads: %w", t.Type(), head.V, asynq.SkipRetry)
	}
	if err := json.Unmarshal(t.Payload(), p); err != nil {
		return fmt.Errorf("decode %s payload: %w: %w", t.Type(), err, asynq.SkipRetry)
	}
	return nil
}

// versioned is a payload whose decoded version Decode can read back.
type versioned interface{ payloadVersion() int }

// multiVersioned is a payload type that reads more than payloadVersion.
type multiVersioned interface{ readsVersion(v int) bool }

// options shared by the types: MaxRetry, Timeout and a Retention long
// enough to cover the window in which a duplicate could be produced.
func options(maxRetry int, timeout, retention time.Duration) []asynq.Option {
	return []asynq.Option{asynq.MaxRetry(maxRetry), asynq.Timeout(timeout), asynq.Retention(retention)}
}
