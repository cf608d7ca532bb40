package tasks

import (
	"encoding/json"
	"fmt"

	"github.com/klauspost/compress/zstd"
)

// DeliverCodec compacts deliver payloads for the delivery log: what a
// resend needs once the task has left Redis (a task is retained there only
// for notify.retention, an hour by default, while the log keeps its
// records for weeks). The compact form is the payload's JSON, as NewTask
// encodes it, compressed with zstd: match references and template
// variables are repetitive JSON and shrink several-fold.
//
// A DeliverCodec is safe for concurrent use; make one per process (or per
// command) and keep it: its encoder holds buffers worth keeping.
type DeliverCodec struct {
	enc *zstd.Encoder
	dec *zstd.Decoder
}

// maxExpanded bounds what Expand decompresses: a record holding a
// decompression bomb is refused rather than filling memory. Well above any
// payload a task may carry.
const maxExpanded = 16 << 20

// NewDeliverCodec returns a codec.
func NewDeliverCodec() (*DeliverCodec, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, fmt.Errorf("tasks: deliver codec: %w", err)
	}
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(maxExpanded))
	if err != nil {
		return nil, fmt.Errorf("tasks: deliver codec: %w", err)
	}
	return &DeliverCodec{enc: enc, dec: dec}, nil
}

// Compact encodes p (stamped with its payload version, as NewTask does) and
// compresses it.
func (c *DeliverCodec) Compact(p Deliver) ([]byte, error) {
	js, err := p.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("tasks: compact deliver payload %s: %w", p.TaskID(), err)
	}
	return c.CompactJSON(js), nil
}

// CompactJSON compresses a Deliver payload already encoded (by
// Deliver.MarshalJSON or Encode), so that a caller who enqueues the task
// too encodes it once.
func (c *DeliverCodec) CompactJSON(js []byte) []byte {
	return c.enc.EncodeAll(js, make([]byte, 0, len(js)/3))
}

// Expand reverses Compact, checking the payload version as Decode does.
func (c *DeliverCodec) Expand(b []byte) (Deliver, error) {
	var p Deliver
	js, err := c.dec.DecodeAll(b, nil)
	if err != nil {
		return p, fmt.Errorf("tasks: expand deliver payload of %d bytes: %w", len(b), err)
	}
	if err := json.Unmarshal(js, &p); err != nil {
		return p, fmt.Errorf("tasks: expand deliver payload: %w", err)
	}
	if !p.readsVersion(p.V) {
		return p, fmt.Errorf("tasks: expand deliver payload: version %d is not one this build reads", p.V)
	}
	return p, nil
}
