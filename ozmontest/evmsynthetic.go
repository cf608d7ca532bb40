package ozmontest

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
)

// EVMSynthetic configures synthetic EVM blocks: ERC-20 transfers and
// approvals with their Transfer/Approval logs, failed transactions
// (receipt status 0, no logs), plain value transfers and calls of
// EVMSynthTuplesContract's inputNestedStruct with tuple arguments. The
// same Seed gives the same blocks.
type EVMSynthetic struct {
	Seed       uint64
	StartBlock uint64 // default 1,000,000
	Blocks     int    // held at start (default 10); more are made on Advance
	TxPerBlock int    // default 20
	// LogsPerBlock is the exact number of logs per block (default
	// TxPerBlock): one per successful token transaction first, the rest
	// as extra Transfer logs of those transactions. Blocks without a
	// token transaction get one.
	LogsPerBlock int
}

func (c EVMSynthetic) withDefaults() EVMSynthetic {
	if c.StartBlock == 0 {
		c.StartBlock = 1_000_000
	}
	if c.Blocks <= 0 {
		c.Blocks = 10
	}
	if c.TxPerBlock <= 0 {
		c.TxPerBlock = 20
	}
	if c.LogsPerBlock < 0 {
		c.LogsPerBlock = 0
	} else if c.LogsPerBlock == 0 {
		c.LogsPerBlock = c.TxPerBlock
	}
	return c
}

// Addresses and event topics of synthetic blocks.
const (
	// EVMSynthTuplesContract receives inputNestedStruct calls (the address
	// of OpenZeppelin Monitor's tuple fixture contract).
	EVMSynthTuplesContract = "0x774283785a2e4845e7df23e18af5849c3d23722f"
	// EVMTransferTopic and evmApprovalTopic are the ERC-20 event topics.
	EVMTransferTopic = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
	evmApprovalTopic = "0x8c5be1e5ebec7d5bd14f71427d1e84f3dd0314c0f7b2291e5b200ac8c7c3b925"
	// EVMNestedStructABI is the ABI of EVMSynthTuplesContract's one function.
	EVMNestedStructABI = `[{"type":"function","name":"inputNestedStruct","stateMutability":"nonpayable","outputs":[],
"inputs":[{"name":"nestedStruct","type":"tuple","components":[{"name":"flag","type":"bool"},{"name":"title","type":"string"},
{"name":"author","type":"string"},{"name":"id","type":"uint256"},{"name":"owner","type":"address"},{"name":"tags","type":"string[]"},
{"name":"meta","type":"tuple","components":[{"name":"subtitle","type":"string"},{"name":"pages","type":"uint256"}]}]}]}]`
)

// EVMSynthTokens returns the synthetic ERC-20 token addresses.
func EVMSynthTokens() []string {
	return []string{synthAddr("token", 0), synthAddr("token", 1), synthAddr("token", 2)}
}

// EVMSyntheticFixtures generates cfg.Blocks blocks in OpenZeppelin
// Monitor's fixture format (blocks.json and transaction_receipts.json
// contents), for EVMSimFixtures or for decoding benchmarks.
func EVMSyntheticFixtures(cfg EVMSynthetic) (blocksJSON, receiptsJSON []byte, err error) {
	g, err := newEVMSynthGen(cfg)
	if err != nil {
		return nil, nil, err
	}
	var blocks []map[string]json.RawMessage
	var receipts []json.RawMessage
	for range g.cfg.Blocks {
		b, rs, err := g.next()
		if err != nil {
			return nil, nil, err
		}
		blocks = append(blocks, map[string]json.RawMessage{"EVM": b})
		receipts = append(receipts, rs...)
	}
	if blocksJSON, err = json.Marshal(blocks); err != nil {
		return nil, nil, err
	}
	if receiptsJSON, err = json.Marshal(receipts); err != nil {
		return nil, nil, err
	}
	return blocksJSON, receiptsJSON, nil
}

type evmSynthGen struct {
	cfg    EVMSynthetic
	number uint64 // next block
	parent string
	nested abi.ABI
}

func newEVMSynthGen(cfg EVMSynthetic) (*evmSynthGen, error) {
	cfg = cfg.withDefaults()
	nested, err := abi.JSON(strings.NewReader(EVMNestedStructABI))
	if err != nil {
		return nil, fmt.Errorf("evm synthetic: nested struct ABI: %w", err)
	}
	return &evmSynthGen{cfg: cfg, number: cfg.StartBlock, parent: synthHash(cfg.Seed, cfg.StartBlock-1, "block"), nested: nested}, nil
}

func synthHash(seed, n uint64, what string) string {
	var buf [16]byte
	binary.BigEndian.PutUint64(buf[:8], seed)
	binary.BigEndian.PutUint64(buf[8:], n)
	h := sha256.Sum256(append(buf[:], what...))
	return "0x" + hex.EncodeToString(h[:])
}

func synthAddr(what string, i int) string {
	h := sha256.Sum256([]byte(what + "/" + strconv.Itoa(i)))
	return "0x" + hex.EncodeToString(h[:20])
}

func hexQ(n uint64) string { return "0x" + strconv.FormatUint(n, 16) }

func hexBig(b *big.Int) string { return "0x" + b.Text(16) }

func word(b []byte) string {
	var w [32]byte
	copy(w[32-len(b):], b)
	return hex.EncodeToString(w[:])
}

func addrWord(a string) string { return strings.Repeat("0", 24) + strings.TrimPrefix(a, "0x") }

type evmSynthTx struct {
	fields  map[string]any
	status  uint64
	gasUsed uint64
	token   string // set for token transactions that may carry logs
	from    string
	to      string
	logs    []map[string]any
}

// next builds one block and its receipts.
func (g *evmSynthGen) next() (json.RawMessage, []json.RawMessage, error) {
	n := g.number
	r := rand.New(rand.NewPCG(g.cfg.Seed, n))
	hash := synthHash(g.cfg.Seed, n, "block/"+g.parent)
	tokens := EVMSynthTokens()
	accounts := func() string { return synthAddr("account", r.IntN(50)) }

	txs := make([]*evmSynthTx, g.cfg.TxPerBlock)
	for i := range txs {
		from := accounts()
		t := &evmSynthTx{from: from, status: 1, gasUsed: 21000 + uint64(r.IntN(100000))}
		f := map[string]any{
			"hash": synthHash(g.cfg.Seed, n, "tx/"+strconv.Itoa(i)), "nonce": hexQ(uint64(r.IntN(1000))),
			"blockHash": hash, "blockNumber": hexQ(n), "transactionIndex": hexQ(uint64(i)),
			"from": from, "value": "0x0", "gas": hexQ(21000 + uint64(r.IntN(300000))),
			"v": "0x1", "r": synthHash(g.cfg.Seed, n, "r"+strconv.Itoa(i)), "s": synthHash(g.cfg.Seed, n, "s"+strconv.Itoa(i)),
			"chainId": "0x1",
		}
		if r.IntN(4) == 0 { // legacy
			f["type"], f["gasPrice"] = "0x0", hexQ(1e9+uint64(r.IntN(1e9)))
		} else {
			f["type"], f["accessList"] = "0x2", []any{}
			f["gasPrice"] = hexQ(1e9 + uint64(r.IntN(1e9)))
			f["maxFeePerGas"], f["maxPriorityFeePerGas"] = hexQ(3e9+uint64(r.IntN(1e9))), hexQ(uint64(r.IntN(2e9)))
		}
		amount := new(big.Int).Lsh(big.NewInt(int64(r.IntN(1<<30)+1)), uint(r.IntN(200)))
		kind := r.IntN(100)
		if i == 0 && g.cfg.LogsPerBlock > 0 {
			kind = 0 // every block with logs has a token transaction
		}
		switch {
		case kind < 50 || (kind >= 65 && kind < 75): // ERC-20 transfer (failed in the second range)
			t.token, t.to = tokens[r.IntN(len(tokens))], accounts()
			f["to"] = t.token
			f["input"] = "0xa9059cbb" + addrWord(t.to) + word(amount.Bytes())
			if kind >= 65 {
				t.status, t.token = 0, ""
			}
		case kind < 65: // approve
			t.token, t.to = tokens[r.IntN(len(tokens))], accounts()
			f["to"] = t.token
			f["input"] = "0x095ea7b3" + addrWord(t.to) + word(amount.Bytes())
			t.fields = f
			t.logs = append(t.logs, map[string]any{"address": t.token, "topics": []string{evmApprovalTopic,
				"0x" + addrWord(from), "0x" + addrWord(t.to)}, "data": "0x" + word(amount.Bytes())})
		case kind < 90: // plain value transfer
			f["to"] = accounts()
			f["input"] = "0x"
			f["value"] = hexBig(amount)
		default: // tuple call
			f["to"] = EVMSynthTuplesContract
			input, err := g.nestedCall(r)
			if err != nil {
				return nil, nil, fmt.Errorf("evm synthetic block %d tx %d: %w", n, i, err)
			}
			f["input"] = "0x" + hex.EncodeToString(input)
		}
		t.fields = f
		if t.token != "" && len(t.logs) == 0 {
			t.logs = append(t.logs, map[string]any{"address": t.token, "topics": []string{EVMTransferTopic,
				"0x" + addrWord(from), "0x" + addrWord(t.to)}, "data": "0x" + word(amount.Bytes())})
		}
		txs[i] = t
	}
	// Exactly LogsPerBlock logs: first one per token transaction, then
	// extra Transfers spread over them.
	var carriers []*evmSynthTx
	for _, t := range txs {
		if t.token != "" {
			carriers = append(carriers, t)
		}
	}
	total := 0
	for _, t := range carriers {
		if total >= g.cfg.LogsPerBlock {
			t.logs = nil
			continue
		}
		total++
	}
	for k := 0; total < g.cfg.LogsPerBlock && len(carriers) > 0; k++ {
		t := carriers[k%len(carriers)]
		amt := new(big.Int).SetUint64(r.Uint64())
		t.logs = append(t.logs, map[string]any{"address": tokens[r.IntN(len(tokens))], "topics": []string{EVMTransferTopic,
			"0x" + addrWord(accounts()), "0x" + addrWord(accounts())}, "data": "0x" + word(amt.Bytes())})
		total++
	}

	var logIndex, cumulative uint64
	txJSON := make([]any, len(txs))
	receipts := make([]json.RawMessage, len(txs))
	for i, t := range txs {
		txJSON[i] = t.fields
		cumulative += t.gasUsed
		for _, l := range t.logs {
			l["blockHash"], l["blockNumber"], l["transactionHash"] = hash, hexQ(n), t.fields["hash"]
			l["transactionIndex"], l["logIndex"], l["removed"] = hexQ(uint64(i)), hexQ(logIndex), false
			logIndex++
		}
		logs := t.logs
		if logs == nil {
			logs = []map[string]any{}
		}
		rc := map[string]any{
			"transactionHash": t.fields["hash"], "transactionIndex": hexQ(uint64(i)), "blockHash": hash,
			"blockNumber": hexQ(n), "from": t.from, "to": t.fields["to"], "status": hexQ(t.status),
			"gasUsed": hexQ(t.gasUsed), "cumulativeGasUsed": hexQ(cumulative), "effectiveGasPrice": t.fields["gasPrice"],
			"contractAddress": nil, "logs": logs, "type": t.fields["type"],
		}
		b, err := json.Marshal(rc)
		if err != nil {
			return nil, nil, err
		}
		receipts[i] = b
	}
	block := map[string]any{
		"number": hexQ(n), "hash": hash, "parentHash": g.parent,
		"timestamp": hexQ(1_700_000_000 + 12*(n-g.cfg.StartBlock)), "miner": synthAddr("miner", 0),
		"gasLimit": hexQ(30_000_000), "gasUsed": hexQ(cumulative), "baseFeePerGas": hexQ(1e9),
		"nonce": "0x0000000000000000", "difficulty": "0x0", "extraData": "0x", "uncles": []string{},
		"transactions": txJSON,
	}
	b, err := json.Marshal(block)
	if err != nil {
		return nil, nil, err
	}
	g.parent, g.number = hash, n+1
	return b, receipts, nil
}

// nestedCall encodes an inputNestedStruct call with random content.
func (g *evmSynthGen) nestedCall(r *rand.Rand) ([]byte, error) {
	type meta struct {
		Subtitle string
		Pages    *big.Int
	}
	type nested struct {
		Flag   bool
		Title  string
		Author string
		Id     *big.Int
		Owner  common.Address
		Tags   []string
		Meta   meta
	}
	titles := []string{"The Book Title", "Another Book", "Third, with a comma"}
	v := nested{
		Flag: r.IntN(2) == 0, Title: titles[r.IntN(len(titles))], Author: "Author Name",
		Id: big.NewInt(int64(r.IntN(1000))), Owner: common.HexToAddress(synthAddr("owner", r.IntN(5))),
		Tags: []string{"fiction", "bestseller"}[:r.IntN(3)],
		Meta: meta{Subtitle: "The Sequel", Pages: big.NewInt(int64(r.IntN(1000)))},
	}
	return g.nested.Pack("inputNestedStruct", v)
}
