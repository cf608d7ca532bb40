package stellar

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ozmon/ozmon/internal/testkit"
	"github.com/stellar/go-stellar-sdk/network"
	"github.com/stellar/go-stellar-sdk/xdr"
)

// sharedSeedDir returns a directory under the repository's testdata when it
// exists ("" otherwise): fuzz targets add real seeds when they can.
func sharedSeedDir(elem ...string) string {
	root, err := testkit.ModuleRoot()
	if err != nil {
		return ""
	}
	dir := filepath.Join(append([]string{root, "testdata"}, elem...)...)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return ""
	}
	return dir
}

// trimLedger keeps a real ledger's first transactions plus its first
// contract call(s) (their results, metas and envelopes, in one classic tx set
// phase, without SCP info, upgrades or evicted keys): a small seed of
// real mainnet data that mutations can explore
// quickly. (A whole 1 MB ledger makes the fuzzing engine spend its time
// minimising.)
func trimLedger(tb testing.TB, raw []byte, first, calls int) []byte {
	tb.Helper()
	var lcm xdr.LedgerCloseMeta
	if err := xdr.SafeUnmarshal(raw, &lcm); err != nil {
		tb.Fatal(err)
	}
	envs := map[xdr.Hash]xdr.TransactionEnvelope{}
	for _, env := range lcm.TransactionEnvelopes() {
		h, err := network.HashTransactionInEnvelope(env, network.PublicNetworkPassphrase)
		if err != nil {
			tb.Fatal(err)
		}
		envs[h] = env
	}
	var keep []int
	for i := 0; i < lcm.CountTransactions(); i++ {
		env := envs[lcm.TransactionResultPair(i).TransactionHash]
		isCall := false
		for _, op := range env.Operations() {
			isCall = isCall || op.Body.Type == xdr.OperationTypeInvokeHostFunction
		}
		if i < first || (isCall && calls > 0) {
			keep = append(keep, i)
			if isCall && i >= first {
				calls--
			}
		}
	}
	var kept []xdr.TransactionEnvelope
	for _, i := range keep {
		kept = append(kept, envs[lcm.TransactionResultPair(i).TransactionHash])
	}
	phases := []xdr.TransactionPhase{{V: 0, V0Components: &[]xdr.TxSetComponent{{
		Type: xdr.TxSetComponentTypeTxsetCompTxsMaybeDiscountedFee, TxsMaybeDiscountedFee: &xdr.TxSetComponentTxsMaybeDiscountedFee{Txs: kept}}}}}
	switch lcm.V {
	case 1:
		var tp []xdr.TransactionResultMeta
		for _, i := range keep {
			tp = append(tp, lcm.V1.TxProcessing[i])
		}
		lcm.V1.TxProcessing, lcm.V1.TxSet.V1TxSet.Phases = tp, phases
		lcm.V1.ScpInfo, lcm.V1.UpgradesProcessing, lcm.V1.EvictedKeys = nil, nil, nil
	case 2:
		var tp []xdr.TransactionResultMetaV1
		for _, i := range keep {
			tp = append(tp, lcm.V2.TxProcessing[i])
		}
		lcm.V2.TxProcessing, lcm.V2.TxSet.V1TxSet.Phases = tp, phases
		lcm.V2.ScpInfo, lcm.V2.UpgradesProcessing, lcm.V2.EvictedKeys = nil, nil, nil
	default:
		tb.Fatalf("trimLedger: LCM V%d", lcm.V)
	}
	return marshal(tb, lcm)
}

// FuzzDecodeLedgerXDR feeds arbitrary bytes to DecodeLedgerXDR (with the
// testnet or, when pubnet, the mainnet passphrase). It must never panic,
// and whatever it accepts must be a LedgerCloseMeta the SDK decodes too,
// from which decodeLedger builds the very same block.
//
// Run it with -fuzzminimizetime=0 (or a few seconds): the engine minimises
// every new interesting input, an O(n²) search over kilobytes of ledger
// that would otherwise take the whole run.
func FuzzDecodeLedgerXDR(f *testing.F) {
	for _, ver := range []int32{0, 1, 2} {
		txs := []craftedTx{classicTx(), v0Tx()}
		if ver > 0 {
			txs = append(txs, feeBumpTx(ver+2))
		}
		f.Add(marshal(f, craftLCM(f, ver, false, txs...)), false)
	}
	f.Add(marshal(f, craftLCM(f, 2, true, classicTx(), feeBumpTx(4))), false)
	if dir := sharedSeedDir("ozmonitor", "stellar"); dir != "" {
		var items []struct {
			Stellar struct {
				MetadataXDR string `json:"metadataXdr"`
			}
		}
		if b, err := os.ReadFile(filepath.Join(dir, "blocks.json")); err == nil && json.Unmarshal(b, &items) == nil {
			for _, it := range items {
				if raw, err := base64.StdEncoding.DecodeString(it.Stellar.MetadataXDR); err == nil {
					f.Add(raw, false)
				}
			}
		}
	}
	if dir := sharedSeedDir("stellar", "mainnet"); dir != "" {
		// A real mainnet ledger (LCM V2, protocol 26), trimmed to its first
		// transaction and first contract call.
		if raw, err := ReadLedgerFile(filepath.Join(dir, "ledger-63092982.xdr.gz")); err == nil {
			f.Add(trimLedger(f, raw, 1, 1), true)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, pubnet bool) {
		passphrase := testPassphrase
		if pubnet {
			passphrase = network.PublicNetworkPassphrase
		}
		blk, err := DecodeLedgerXDR("testnet", passphrase, data)
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
		blk2, err := decodeLedger("testnet", passphrase, lcm)
		if err != nil {
			t.Fatalf("decodeLedger rejects what DecodeLedgerXDR accepted: %v", err)
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
