package stellar

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

func TestReadLedgerFileFormats(t *testing.T) {
	t.Parallel()
	raw := marshal(t, craftLCM(t, 2, false, classicTx(), feeBumpTx(4)))
	b64 := base64.StdEncoding.EncodeToString(raw)
	var wrapped strings.Builder // base64 text in 76-column lines, as tools write it
	for i := 0; i < len(b64); i += 76 {
		wrapped.WriteString(b64[i:min(i+76, len(b64))] + "\r\n")
	}
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	zst := func(b []byte) []byte {
		enc, err := zstd.NewWriter(nil)
		if err != nil {
			t.Fatal(err)
		}
		defer enc.Close()
		return enc.EncodeAll(b, nil)
	}
	dir := t.TempDir()
	for name, content := range map[string][]byte{
		"raw.xdr":          raw,
		"raw.xdr.gz":       gz(raw),
		"raw.xdr.zst":      zst(raw),
		"text.xdr":         []byte(b64 + "\n"),
		"wrapped.xdr":      []byte(wrapped.String()),
		"text.xdr.gz":      gz([]byte(b64)),
		"text.xdr.zst":     zst([]byte(b64)),
		"misnamed.xdr.zst": gz(raw), // the magic number decides, not the name
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := ReadLedgerFile(path)
		if err != nil || !bytes.Equal(got, raw) {
			t.Errorf("%s: %d bytes, %v", name, len(got), err)
		}
	}
	for name, content := range map[string][]byte{
		"bad.xdr.gz":  {0x1f, 0x8b, 0, 1, 2},
		"bad.xdr.zst": {0x28, 0xb5, 0x2f, 0xfd, 9, 9, 9},
		"bad64.xdr":   []byte("AAAA=AAA"),
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := ReadLedgerFile(path); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if _, err := ReadLedgerFile(filepath.Join(dir, "missing.xdr")); err == nil {
		t.Error("missing file: no error")
	}
}
