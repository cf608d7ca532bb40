package stellar

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/stellar/go-stellar-sdk/xdr"
)

// sharedSeedDir returns a directory under ../shared/testdata when it exists
// ("" otherwise): fuzz targets add real seeds when they can but still run on
// their built-in seeds in a checkout without the shared folder.
func sharedSeedDir(elem ...string) string {
	root, err := testkit.ModuleRoot()
	if err != nil {
		return ""
	}
	dir := filepath.Join(append([]string{filepath.Dir(root), "shared", "testdata"}, elem...)...)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return ""
	}
	return dir
}

// FuzzDecodeLedgerXDR feeds arbitrary bytes to DecodeLedgerXDR. It must
// never panic, and whatever it accepts must be a LedgerCloseMeta the SDK
// decodes too, from which DecodeLedger builds the very same block.
func FuzzDecodeLedgerXDR(f *testing.F) {
	for _, ver := range []int32{0, 1, 2} {
		txs := []craftedTx{classicTx(), v0Tx()}
		if ver > 0 {
			txs = append(txs, feeBumpTx(ver+2))
		}
		f.Add(marshal(f, craftLCM(f, ver, false, txs...)))
	}
	f.Add(marshal(f, craftLCM(f, 2, true, classicTx(), feeBumpTx(4))))
	if dir := sharedSeedDir("ozmonitor", "stellar"); dir != "" {
		var items []struct {
			Stellar struct {
				MetadataXDR string `json:"metadataXdr"`
			}
		}
		if b, err := os.ReadFile(filepath.Join(dir, "blocks.json")); err == nil && json.Unmarshal(b, &items) == nil {
			for _, it := range items {
				if raw, err := base64.StdEncoding.DecodeString(it.Stellar.MetadataXDR); err == nil {
					f.Add(raw)
				}
			}
		}
	}
	if dir := sharedSeedDir("stellar", "mainnet"); dir != "" {
		// One real mainnet ledger (its hashes only pair under the mainnet
		// passphrase, so mutations exercise the walk up to the pairing).
		if raw, err := ReadLedgerFile(filepath.Join(dir, "ledger-57500008.xdr.gz")); err == nil {
			f.Add(raw)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		blk, err := DecodeLedgerXDR("testnet", testPassphrase, data)
		if err != nil {
			if blk != nil {
				t.Fatal("a block with an error")
			}
			return
		}
		var lcm xdr.LedgerCloseMeta
		if err := xdr.SafeUnmarshal(data, &lcm); err != nil {
			t.Fatalf("DecodeLedgerXDR accepted what the SDK rejects: %v", err)
		}
		blk2, err := DecodeLedger("testnet", testPassphrase, lcm)
		if err != nil {
			t.Fatalf("DecodeLedger rejects what DecodeLedgerXDR accepted: %v", err)
		}
		if !reflect.DeepEqual(blk, blk2) {
			t.Fatalf("the two paths disagree: %s", diffBlocks(blk, blk2))
		}
		for i, tx := range blk.Transactions {
			if tx.Index != i+1 {
				t.Fatalf("tx %d has index %d", i, tx.Index)
			}
			for _, ev := range tx.Events {
				_ = ev.Data.String() + ev.Data.OZJSON() + ev.Data.TypeName()
			}
		}
	})
}

// FuzzValueRender feeds arbitrary bytes as ScVal XDR: whatever the SDK
// decodes, ValueFromScVal converts and renders (Display, OZ JSON, type
// name) without panicking, and the zero-copy path converts the same bytes
// to the same Value.
func FuzzValueRender(f *testing.F) {
	u32 := xdr.Uint32(1234)
	str := xdr.ScString("Hello, world!")
	vec := &xdr.ScVec{i128(-1, 5), sym("a"), scAddrVal(accountAddr(1))}
	m := &xdr.ScMap{{Key: sym("myKey1"), Val: xdr.ScVal{Type: xdr.ScValTypeScvU32, U32: &u32}},
		{Key: sym("myKey2"), Val: xdr.ScVal{Type: xdr.ScValTypeScvString, Str: &str}}}
	for _, v := range []xdr.ScVal{
		{Type: xdr.ScValTypeScvVoid}, sym("transfer"), i128(0, 2240),
		{Type: xdr.ScValTypeScvVec, Vec: &vec}, {Type: xdr.ScValTypeScvMap, Map: &m},
		scAddrVal(scAddr(contractID(3))),
		{Type: xdr.ScValTypeScvU256, U256: &xdr.UInt256Parts{HiHi: 1, LoLo: 2}},
		{Type: xdr.ScValTypeScvI256, I256: &xdr.Int256Parts{HiHi: -2, LoLo: 7}},
	} {
		f.Add(marshal(f, v))
	}
	if dir := sharedSeedDir("ozmonitor", "stellar"); dir != "" {
		var evs []struct {
			Topic []string `json:"topic"`
			Value string   `json:"value"`
		}
		if b, err := os.ReadFile(filepath.Join(dir, "events.json")); err == nil && json.Unmarshal(b, &evs) == nil {
			for _, e := range evs {
				for _, s := range append(e.Topic, e.Value) {
					if raw, err := base64.StdEncoding.DecodeString(s); err == nil {
						f.Add(raw)
					}
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		viaView, viewErr := valueFromXDR(data)
		var sv xdr.ScVal
		if err := xdr.SafeUnmarshal(data, &sv); err != nil {
			if viewErr == nil {
				t.Fatalf("the view path accepted what the SDK rejects: %v", err)
			}
			return
		}
		v, err := ValueFromScVal(sv)
		if (err == nil) != (viewErr == nil) {
			t.Fatalf("struct path error %v, view path error %v", err, viewErr)
		}
		if err != nil {
			return
		}
		if !reflect.DeepEqual(v, viaView) {
			t.Fatalf("paths disagree:\n%#v\n%#v", v, viaView)
		}
		_ = v.String()
		_ = v.TypeName()
		if js := v.OZJSON(); !json.Valid([]byte(js)) {
			t.Fatalf("OZ JSON rendering is not JSON: %s", js)
		}
	})
}
