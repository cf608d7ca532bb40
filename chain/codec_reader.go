package chain

import (
	"encoding/binary"
	"fmt"
	"io"
)

// decoder reads the structure at off, taking string and byte contents from
// the heaps and element slices from the per-type arrays sized by the header.
type decoder struct {
	data []byte
	off  int

	text     string
	tp       int
	heap     []byte
	bp       int
	ops      []Operation
	events   []Event
	calls    []Call
	payments []Payment
	values   []Value
	entries  []MapEntry
	evmTxs   []EVMTransaction
	logs     []EVMLog
	topics   []string
	receipts []EVMReceipt
}

// decodeError names what was wrong and where; its offset is into the
// encoded block.
type decodeError struct {
	what   string
	offset int
	err    error // io.ErrUnexpectedEOF for truncation, else nil
}

func (e *decodeError) Error() string {
	if e.err != nil {
		return fmt.Sprintf("%s at offset %d: %v", e.what, e.offset, e.err)
	}
	return fmt.Sprintf("%s at offset %d", e.what, e.offset)
}

func (e *decodeError) Unwrap() error { return e.err }

func (d *decoder) fail(offset int, format string, args ...any) error {
	return &decodeError{what: fmt.Sprintf(format, args...), offset: offset}
}

func (d *decoder) truncated(offset int, what string) error {
	return &decodeError{what: what + " truncated", offset: offset, err: io.ErrUnexpectedEOF}
}

func (d *decoder) uvarint(what string) (uint64, error) {
	if d.off < len(d.data) {
		if c := d.data[d.off]; c < 0x80 {
			d.off++
			return uint64(c), nil
		}
	}
	x, n := binary.Uvarint(d.data[d.off:])
	switch {
	case n == 0:
		return 0, d.truncated(d.off, what)
	case n < 0:
		return 0, d.fail(d.off, "%s: varint overflows 64 bits", what)
	}
	d.off += n
	return x, nil
}

func (d *decoder) varint(what string) (int64, error) {
	u, err := d.uvarint(what)
	return unzigzag(u), err
}

// int reads a varint into a Go int, refusing what a 32-bit int cannot hold.
func (d *decoder) int(what string) (int, error) {
	start := d.off
	x, err := d.varint(what)
	if err != nil {
		return 0, err
	}
	if int64(int(x)) != x {
		return 0, d.fail(start, "%s: %d does not fit an int", what, x)
	}
	return int(x), nil
}

func (d *decoder) byte(what string) (byte, error) {
	if d.off >= len(d.data) {
		return 0, d.truncated(d.off, what)
	}
	c := d.data[d.off]
	d.off++
	return c, nil
}

func (d *decoder) str(what string) (string, error) {
	start := d.off
	n, err := d.uvarint(what)
	if err != nil {
		return "", err
	}
	if n > uint64(len(d.text)-d.tp) {
		return "", d.fail(start, "%s: length %d exceeds the %d bytes left in the text heap", what, n, len(d.text)-d.tp)
	}
	s := d.text[d.tp : d.tp+int(n)]
	d.tp += int(n)
	return s, nil
}

func (d *decoder) bytes(what string) ([]byte, error) {
	start := d.off
	n, err := d.uvarint(what)
	if err != nil {
		return nil, err
	}
	if n > uint64(len(d.heap)-d.bp) {
		return nil, d.fail(start, "%s: length %d exceeds the %d bytes left in the bytes heap", what, n, len(d.heap)-d.bp)
	}
	if n == 0 {
		return nil, nil
	}
	end := d.bp + int(n)
	b := d.heap[d.bp:end:end]
	d.bp = end
	return b, nil
}

// count reads an element count and checks it against what is left of the
// header's total for that element type.
func (d *decoder) count(what string, left int) (int, error) {
	start := d.off
	n, err := d.uvarint(what)
	if err != nil {
		return 0, err
	}
	if n > uint64(left) {
		return 0, d.fail(start, "%s: %d exceeds the %d left of the header's total", what, n, left)
	}
	return int(n), nil
}
