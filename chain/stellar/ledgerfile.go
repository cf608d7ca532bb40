package stellar

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/zstd"
)

// maxLedgerFile bounds a decompressed ledger file (real mainnet
// LedgerCloseMetas are 1–2 MB; stress ledgers reach ~12 MB).
const maxLedgerFile = 256 << 20

// ReadLedgerFile reads a file holding one LedgerCloseMeta and returns its
// raw XDR bytes. The file may be gzip- or zstd-compressed (recognised by
// their magic numbers, whatever the extension: .xdr, .xdr.gz, .xdr.zst),
// and its content raw XDR or base64 text of it.
func ReadLedgerFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	data, err = decompress(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if text := bytes.TrimSpace(data); len(text) > 0 && isBase64Text(text) {
		raw := make([]byte, base64.StdEncoding.DecodedLen(len(text)))
		n, err := base64.StdEncoding.Decode(raw, stripSpace(text))
		if err != nil {
			return nil, fmt.Errorf("%s: bad base64: %w", path, err)
		}
		return raw[:n], nil
	}
	return data, nil
}

func decompress(data []byte) ([]byte, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		return readBounded(zr, "gzip")
	case bytes.HasPrefix(data, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(bytes.NewReader(data), zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		defer zr.Close()
		return readBounded(zr, "zstd")
	}
	return data, nil
}

func readBounded(r io.Reader, what string) ([]byte, error) {
	out, err := io.ReadAll(io.LimitReader(r, maxLedgerFile+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if len(out) > maxLedgerFile {
		return nil, fmt.Errorf("%s: decompressed size exceeds %d bytes", what, maxLedgerFile)
	}
	return out, nil
}

// isBase64Text reports whether b consists only of the standard base64
// alphabet, padding and whitespace. Raw XDR of a LedgerCloseMeta starts
// with zero bytes, so it never qualifies.
func isBase64Text(b []byte) bool {
	for _, c := range b {
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9',
			c == '+', c == '/', c == '=', c == '\n', c == '\r', c == ' ', c == '\t':
		default:
			return false
		}
	}
	return true
}

func stripSpace(b []byte) []byte {
	if !bytes.ContainsAny(b, " \t\r\n") {
		return b
	}
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			out = append(out, c)
		}
	}
	return out
}
