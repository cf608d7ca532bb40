package ozmontest

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bin "github.com/gagliardetto/binary"
	sol "github.com/gagliardetto/solana-go"
	"github.com/gagliardetto/solana-go/programs/token"

	"github.com/ozmon/ozmon/chain"
)

// Program ids of the synthetic Solana traffic. The Anchor program's
// instructions and events follow SolanaSimAnchorIDL.
const (
	SolanaSimAnchorProgram = "AnchorVau1t111111111111111111111111111111111"
	// SolanaSimAggregator calls SolanaSimLookupProgram by CPI, the latter
	// loaded from an address lookup table (a v0 transaction).
	SolanaSimAggregator    = "AggregatorProgram11111111111111111111111111"
	SolanaSimLookupProgram = "KLend2g3cP87fffoy8q1mQqGKjrxjC8boSyAYavgmjD"
	SolanaSimLookupTable   = "LookupTab1e11111111111111111111111111111111"
	solanaTokenProgram     = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
)

// SolanaSimAnchorIDL is the legacy-shape (Anchor ≤ 0.29) IDL of
// SolanaSimAnchorProgram, as a monitor's contract_spec: deposit(amount)
// and withdraw(amount, memo), each logging its instruction name, and the
// DepositEvent {user, amount} a deposit emits as a "Program data:" line.
const SolanaSimAnchorIDL = `{"version":"0.1.0","name":"vault","instructions":[` +
	`{"name":"deposit","accounts":[{"name":"user","isMut":true,"isSigner":true},{"name":"vault","isMut":true,"isSigner":false}],"args":[{"name":"amount","type":"u64"}]},` +
	`{"name":"withdraw","accounts":[{"name":"user","isMut":true,"isSigner":true},{"name":"vault","isMut":true,"isSigner":false}],"args":[{"name":"amount","type":"u64"},{"name":"memo","type":"string"}]}],` +
	`"events":[{"name":"DepositEvent","fields":[{"name":"user","type":"publicKey","index":false},{"name":"amount","type":"u64","index":false}]}]}`

// SolanaSynthetic configures synthetic Solana slots. Transactions cycle
// through an SPL token transfer, an Anchor deposit (with its event), an
// Anchor withdraw and a v0 aggregator call whose CPI program is loaded from
// a lookup table; every FailEvery-th transaction fails and every
// SkipEvery-th slot is skipped. The same seed gives the same slots.
type SolanaSynthetic struct {
	Seed      uint64
	StartSlot uint64 // default 300000000
	Slots     int    // slots generated at start (default 10)
	TxPerSlot int    // default 20
	SkipEvery int    // default 10; negative: no skipped slots
	FailEvery int    // default 7; negative: no failed transactions
}

type solSynthGen struct {
	cfg       SolanaSynthetic
	slot      uint64 // next slot
	lastBlock uint64 // last produced (non-skipped) slot
	lastHash  string
	height    uint64
	txn       uint64 // transactions made so far
}

func newSolSynthGen(cfg SolanaSynthetic) (*solSynthGen, error) {
	if cfg.StartSlot == 0 {
		cfg.StartSlot = 300_000_000
	}
	if cfg.Slots == 0 {
		cfg.Slots = 10
	}
	if cfg.TxPerSlot == 0 {
		cfg.TxPerSlot = 20
	}
	if cfg.SkipEvery == 0 {
		cfg.SkipEvery = 10
	}
	if cfg.FailEvery == 0 {
		cfg.FailEvery = 7
	}
	if cfg.Slots < 0 || cfg.TxPerSlot < 0 {
		return nil, fmt.Errorf("solana synthetic: negative slots (%d) or transactions per slot (%d)", cfg.Slots, cfg.TxPerSlot)
	}
	g := &solSynthGen{cfg: cfg, slot: cfg.StartSlot, lastBlock: cfg.StartSlot - 1, height: cfg.StartSlot - 20_000_000}
	g.lastHash = g.hash("blockhash", g.lastBlock).String()
	return g, nil
}

// hash derives deterministic 32 bytes from the seed and a label.
func (g *solSynthGen) hash(label string, n uint64) sol.Hash {
	h := sha256.New()
	_ = binary.Write(h, binary.LittleEndian, g.cfg.Seed)
	h.Write([]byte(label))
	_ = binary.Write(h, binary.LittleEndian, n)
	return sol.HashFromBytes(h.Sum(nil))
}

func (g *solSynthGen) key(label string, n uint64) sol.PublicKey {
	h := g.hash(label, n)
	return sol.PublicKeyFromBytes(h[:])
}

func (g *solSynthGen) signature(n uint64) string {
	a, b := g.hash("sig-a", n), g.hash("sig-b", n)
	return sol.SignatureFromBytes(append(a[:], b[:]...)).String()
}

// next returns the next slot and its block (nil when skipped).
func (g *solSynthGen) next() (uint64, *chain.Block) {
	slot := g.slot
	g.slot++
	if g.cfg.SkipEvery > 0 && (slot-g.cfg.StartSlot)%uint64(g.cfg.SkipEvery) == uint64(g.cfg.SkipEvery-1) {
		return slot, nil
	}
	bt := int64(1_700_000_000) + int64(slot-g.cfg.StartSlot)*2/5 // 400 ms slots
	g.height++
	height := g.height
	hash := g.hash("blockhash", slot).String()
	b := &chain.Block{Chain: chain.Solana, Ledger: slot, Hash: hash, ParentHash: g.lastHash, CloseTime: time.Unix(bt, 0).UTC(),
		Solana: &chain.SolanaBlock{ParentSlot: g.lastBlock, BlockTime: &bt, BlockHeight: &height}}
	for i := range g.cfg.TxPerSlot {
		st := g.transaction(slot, &bt)
		tx := chain.Transaction{Hash: st.Signature, Index: i + 1, Success: !st.Failed(), FeeCharged: int64(st.Meta.Fee), Solana: st}
		b.Transactions = append(b.Transactions, tx)
	}
	g.lastBlock, g.lastHash = slot, hash
	return slot, b
}

// AnchorDiscriminator is the first 8 bytes of sha256(namespace:name):
// "global:<instruction>" for instructions, "event:<Event>" for events.
func AnchorDiscriminator(namespace, name string) [8]byte {
	sum := sha256.Sum256([]byte(namespace + ":" + name))
	var d [8]byte
	copy(d[:], sum[:8])
	return d
}

// borsh encodes the discriminator then the Borsh encoding of each arg.
func borsh(disc [8]byte, args ...any) []byte {
	var buf bytes.Buffer
	buf.Write(disc[:])
	enc := bin.NewBorshEncoder(&buf)
	for _, a := range args {
		if err := enc.Encode(a); err != nil {
			panic(fmt.Sprintf("borsh-encode %T: %v", a, err)) // fixed, encodable types only
		}
	}
	return buf.Bytes()
}

func (g *solSynthGen) transaction(slot uint64, bt *int64) *chain.SolanaTransaction {
	n := g.txn
	g.txn++
	fail := g.cfg.FailEvery > 0 && n%uint64(g.cfg.FailEvery) == uint64(g.cfg.FailEvery-1)
	payer := g.key("payer", n%97)
	recent := g.hash("recent", slot)
	amount := 1_000 + (n*7919)%1_000_000
	var (
		ix     sol.Instruction
		tables map[sol.PublicKey]sol.PublicKeySlice
		logs   []string
		prog   string
		inner  func(all []string) []chain.SolanaInnerInstructions
	)
	invoke := func(p string, depth int) string { return fmt.Sprintf("Program %s invoke [%d]", p, depth) }
	switch n % 4 {
	case 0: // SPL token transfer
		prog = solanaTokenProgram
		ix = token.NewTransferInstruction(amount, g.key("token-src", n%31), g.key("token-dst", n%29), payer, nil).Build()
		logs = []string{invoke(prog, 1), "Program log: Instruction: Transfer"}
	case 1: // Anchor deposit, with its event
		prog = SolanaSimAnchorProgram
		user := payer
		ix = sol.NewInstruction(sol.MustPublicKeyFromBase58(prog), sol.AccountMetaSlice{
			sol.Meta(user).WRITE().SIGNER(), sol.Meta(g.key("vault", 0)).WRITE()},
			borsh(AnchorDiscriminator("global", "deposit"), amount))
		event := borsh(AnchorDiscriminator("event", "DepositEvent"), user, amount)
		logs = []string{invoke(prog, 1), "Program log: Instruction: Deposit", "Program data: " + base64.StdEncoding.EncodeToString(event)}
	case 2: // Anchor withdraw
		prog = SolanaSimAnchorProgram
		ix = sol.NewInstruction(sol.MustPublicKeyFromBase58(prog), sol.AccountMetaSlice{
			sol.Meta(payer).WRITE().SIGNER(), sol.Meta(g.key("vault", 0)).WRITE()},
			borsh(AnchorDiscriminator("global", "withdraw"), amount, fmt.Sprintf("withdrawal %d", n)))
		logs = []string{invoke(prog, 1), "Program log: Instruction: Withdraw"}
	default: // v0: the aggregator calls a table-loaded program by CPI
		prog = SolanaSimAggregator
		pool, lend := g.key("pool", n%5), sol.MustPublicKeyFromBase58(SolanaSimLookupProgram)
		ix = sol.NewInstruction(sol.MustPublicKeyFromBase58(prog), sol.AccountMetaSlice{
			sol.Meta(payer).WRITE().SIGNER(), sol.Meta(pool).WRITE(), sol.Meta(lend)},
			borsh(AnchorDiscriminator("global", "route"), amount))
		tables = map[sol.PublicKey]sol.PublicKeySlice{sol.MustPublicKeyFromBase58(SolanaSimLookupTable): {pool, lend}}
		logs = []string{invoke(prog, 1), invoke(SolanaSimLookupProgram, 2), "Program log: Instruction: DepositReserveLiquidity",
			"Program " + SolanaSimLookupProgram + " success"}
		inner = func(all []string) []chain.SolanaInnerInstructions {
			idx := func(k string) uint8 {
				for i, a := range all {
					if a == k {
						return uint8(i)
					}
				}
				panic("solana synthetic: " + k + " not among the accounts")
			}
			h := uint32(2)
			return []chain.SolanaInnerInstructions{{Index: 0, Instructions: []chain.SolanaInstruction{{
				ProgramIDIndex: idx(SolanaSimLookupProgram), Accounts: []uint8{idx(pool.String())},
				Data: sol.Base58(borsh(AnchorDiscriminator("global", "deposit_reserve_liquidity"), amount)).String(), StackHeight: &h}}}}
		}
	}
	opts := []sol.TransactionOption{sol.TransactionPayer(payer)}
	if tables != nil {
		opts = append(opts, sol.TransactionAddressTables(tables))
	}
	tx, err := sol.NewTransaction([]sol.Instruction{ix}, recent, opts...)
	if err != nil {
		panic(fmt.Sprintf("solana synthetic: build transaction: %v", err)) // fixed, valid shapes only
	}
	st := modelOf(tx, tables)
	st.Signature, st.Slot, st.BlockTime = g.signature(n), slot, bt
	cu := uint64(3_000 + n%50_000)
	fee := 5000 + (n%3)*1000
	if fail {
		logs = append(logs, fmt.Sprintf("Program %s consumed %d of 200000 compute units", prog, cu),
			fmt.Sprintf("Program %s failed: custom program error: 0x1", prog))
	} else {
		logs = append(logs, fmt.Sprintf("Program %s consumed %d of 200000 compute units", prog, cu), "Program "+prog+" success")
	}
	meta := &chain.SolanaTransactionMeta{Fee: fee, LogMessages: logs, ComputeUnitsConsumed: &cu}
	st.Meta = meta
	if ls := st.Message.AddressTableLookups; len(ls) > 0 {
		meta.LoadedAddresses = loadedAddresses(ls, tables)
	}
	all := st.Accounts()
	meta.PreBalances, meta.PostBalances = make([]uint64, len(all)), make([]uint64, len(all))
	for i := range all {
		meta.PreBalances[i] = 1_000_000_000 + uint64(i)
		meta.PostBalances[i] = meta.PreBalances[i]
	}
	meta.PostBalances[0] -= fee
	if fail {
		meta.Err = json.RawMessage(`{"InstructionError":[0,{"Custom":1}]}`)
	} else if inner != nil {
		meta.InnerInstructions = inner(all)
	}
	return st
}

// modelOf converts a solana-go transaction to the flattened model's
// message (without signature and meta).
func modelOf(tx *sol.Transaction, _ map[sol.PublicKey]sol.PublicKeySlice) *chain.SolanaTransaction {
	m := tx.Message
	st := &chain.SolanaTransaction{}
	st.Message.RecentBlockhash = m.RecentBlockhash.String()
	for _, k := range m.AccountKeys {
		st.Message.AccountKeys = append(st.Message.AccountKeys, k.String())
	}
	for _, ci := range m.Instructions {
		ix := chain.SolanaInstruction{ProgramIDIndex: uint8(ci.ProgramIDIndex), Data: ci.Data.String()}
		for _, a := range ci.Accounts {
			ix.Accounts = append(ix.Accounts, uint8(a))
		}
		st.Message.Instructions = append(st.Message.Instructions, ix)
	}
	for _, l := range m.AddressTableLookups {
		st.Message.AddressTableLookups = append(st.Message.AddressTableLookups, chain.SolanaTableLookup{
			AccountKey: l.AccountKey.String(), WritableIndexes: nilIfEmptyU8(l.WritableIndexes), ReadonlyIndexes: nilIfEmptyU8(l.ReadonlyIndexes)})
	}
	return st
}

// loadedAddresses resolves lookups as the runtime does: every table's
// writable entries, then every table's readonly ones.
func loadedAddresses(ls []chain.SolanaTableLookup, tables map[sol.PublicKey]sol.PublicKeySlice) *chain.SolanaLoadedAddresses {
	la := &chain.SolanaLoadedAddresses{}
	for _, l := range ls {
		t := tables[sol.MustPublicKeyFromBase58(l.AccountKey)]
		for _, i := range l.WritableIndexes {
			la.Writable = append(la.Writable, t[i].String())
		}
	}
	for _, l := range ls {
		t := tables[sol.MustPublicKeyFromBase58(l.AccountKey)]
		for _, i := range l.ReadonlyIndexes {
			la.Readonly = append(la.Readonly, t[i].String())
		}
	}
	return la
}

func nilIfEmptyU8(s []uint8) []uint8 {
	if len(s) == 0 {
		return nil
	}
	return s
}
