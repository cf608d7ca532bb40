package evm

import (
	"encoding/json"
	"testing"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/ozmontest"
)

// synthBlockJSON is a synthetic 300-transaction block's
// eth_getBlockByNumber and eth_getLogs results (1,000 logs).
func synthBlockJSON(b *testing.B) (blockJSON, logsJSON []byte) {
	blocksJSON, receiptsJSON, err := ozmontest.EVMSyntheticFixtures(ozmontest.EVMSynthetic{Seed: 1, Blocks: 1, TxPerBlock: 300, LogsPerBlock: 1000})
	if err != nil {
		b.Fatal(err)
	}
	var wrapped []struct {
		EVM json.RawMessage `json:"EVM"`
	}
	if err := json.Unmarshal(blocksJSON, &wrapped); err != nil {
		b.Fatal(err)
	}
	var receipts []struct {
		Logs []json.RawMessage `json:"logs"`
	}
	if err := json.Unmarshal(receiptsJSON, &receipts); err != nil {
		b.Fatal(err)
	}
	var all []json.RawMessage
	for _, r := range receipts {
		all = append(all, r.Logs...)
	}
	logsJSON, err = json.Marshal(all)
	if err != nil {
		b.Fatal(err)
	}
	return wrapped[0].EVM, logsJSON
}

// BenchmarkDecodeBlock decodes a synthetic 300-transaction block with
// 1,000 logs: the block JSON, the eth_getLogs JSON and their assembly.
func BenchmarkDecodeBlock(b *testing.B) {
	blockJSON, logsJSON := synthBlockJSON(b)
	b.SetBytes(int64(len(blockJSON) + len(logsJSON)))
	b.ReportAllocs()
	for b.Loop() {
		rb, err := DecodeBlock(blockJSON)
		if err != nil {
			b.Fatal(err)
		}
		logs, err := decodeLogs(logsJSON)
		if err != nil {
			b.Fatal(err)
		}
		blk, err := Assemble("synth", rb, logs, nil)
		if err != nil {
			b.Fatal(err)
		}
		if len(blk.Transactions) != 300 || len(logs) != 1000 {
			b.Fatalf("%d txs, %d logs", len(blk.Transactions), len(logs))
		}
	}
}

// BenchmarkBlockBinaryRoundTrip encodes and decodes the same 300-tx,
// 1,000-log block with the block cache's binary codec.
func BenchmarkBlockBinaryRoundTrip(b *testing.B) {
	blockJSON, logsJSON := synthBlockJSON(b)
	rb, err := DecodeBlock(blockJSON)
	if err != nil {
		b.Fatal(err)
	}
	logs, err := decodeLogs(logsJSON)
	if err != nil {
		b.Fatal(err)
	}
	blk, err := Assemble("synth", rb, logs, nil)
	if err != nil {
		b.Fatal(err)
	}
	data, err := blk.MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var buf []byte
	for b.Loop() {
		if buf, err = blk.AppendBinary(buf[:0]); err != nil {
			b.Fatal(err)
		}
		var got chain.Block
		if err := got.UnmarshalBinary(buf); err != nil {
			b.Fatal(err)
		}
	}
}
