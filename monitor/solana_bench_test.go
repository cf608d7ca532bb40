package monitor

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor/internal/base58"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// The Solana evaluation budget (#16): 50,000 Solana monitors against a
// synthetic mainnet-sized slot (1,500 transactions) in at most 100 ms on
// one core. The slot: every transaction pays through the compute-budget
// program; 60% are SPL token transfers, the rest call one of 300 DeFi
// programs (a tenth of them the vault of testdata/solana/idl, with
// deposit/withdraw instructions and a DepositEvent), many with a token
// CPI; 5% fail. The monitors: 90% watch programs the slot does not touch
// (100,000 candidates), 10% programs it does: the DeFi programs, with a
// mix of log searches, transaction expressions, and (on vault programs)
// IDL-decoded function and event conditions; one in a hundred of those
// watches one account through the token program, and so is evaluated on
// every transfer of the slot.

const (
	solBenchMonitorCount = 50_000
	solBenchTxs          = 1_500
	solBenchPrograms     = 300
	computeBudget        = "ComputeBudget111111111111111111111111111111"
)

// solBenchKey is a deterministic public key per (kind, i).
func solBenchKey(kind string, i int) string {
	s := sha256.Sum256([]byte(kind + strconv.Itoa(i)))
	return base58.Encode(s[:])
}

// solBenchProgram is DeFi program i; every tenth is a vault.
func solBenchProgram(i int) string {
	if i%10 == 0 {
		return solBenchKey("vault", i)
	}
	return solBenchKey("program", i)
}

func solBenchBlock(tb testing.TB) *chain.Block {
	r := rand.New(rand.NewPCG(5, 6))
	bt := int64(1_750_000_000)
	b := &chain.Block{Chain: chain.Solana, Network: "solana_mainnet", Ledger: 350_000_000,
		Hash: solBenchKey("block", 0), ParentHash: solBenchKey("block", -1), CloseTime: time.Unix(bt, 0),
		Solana: &chain.SolanaBlock{ParentSlot: 349_999_999, BlockTime: &bt}}
	for i := range solBenchTxs {
		payer := solBenchKey("payer", r.IntN(5_000))
		st := &chain.SolanaTransaction{Signature: solBenchKey("sig", i) + solBenchKey("sig2", i)[:20], Slot: b.Ledger, BlockTime: &bt}
		st.Meta = &chain.SolanaTransactionMeta{Err: json.RawMessage("null"), Fee: 5000 + uint64(r.IntN(100_000))}
		if r.IntN(20) == 0 {
			st.Meta.Err = json.RawMessage(`{"InstructionError":[1,{"Custom":6001}]}`)
		}
		keys := []string{payer, solBenchKey("acct", r.IntN(50_000)), solBenchKey("acct", r.IntN(50_000)), computeBudget, tokenProgram}
		ixs := []chain.SolanaInstruction{{ProgramIDIndex: 3, Data: "3DdGGhkhJbjm"}}
		logs := []string{"Program " + computeBudget + " invoke [1]", "Program " + computeBudget + " success"}
		if r.IntN(10) < 6 {
			ixs = append(ixs, chain.SolanaInstruction{ProgramIDIndex: 4, Accounts: []uint8{1, 2, 0}, Data: "3Bxs4h24hBtQy9rw"})
			logs = append(logs, "Program "+tokenProgram+" invoke [1]", "Program log: Instruction: Transfer",
				"Program "+tokenProgram+" consumed 4645 of 200000 compute units", "Program "+tokenProgram+" success")
		} else {
			pi := r.IntN(solBenchPrograms)
			prog := solBenchProgram(pi)
			keys = append(keys, prog)
			data := "5Tkz1aGeSbSc"
			name := "Swap"
			if pi%10 == 0 {
				data = disc("global:deposit").u64(r.Uint64N(1_000_000)).u8(0).b58()
				name = "Deposit"
			}
			ixs = append(ixs, chain.SolanaInstruction{ProgramIDIndex: 5, Accounts: []uint8{0, 1, 2}, Data: data})
			logs = append(logs, "Program "+prog+" invoke [1]", "Program log: Instruction: "+name)
			if name == "Deposit" {
				ev := disc("event:DepositEvent").key(payer).u64(r.Uint64N(1_000_000))
				logs = append(logs, "Program data: "+base64.StdEncoding.EncodeToString(ev))
			}
			if r.IntN(2) == 0 {
				st.Meta.InnerInstructions = []chain.SolanaInnerInstructions{{Index: 1, Instructions: []chain.SolanaInstruction{{ProgramIDIndex: 4, Accounts: []uint8{1, 2, 0}, Data: "3Bxs4h24hBtQy9rw"}}}}
				logs = append(logs, "Program "+tokenProgram+" invoke [2]", "Program log: Instruction: Transfer", "Program "+tokenProgram+" success")
			}
			logs = append(logs, "Program "+prog+" consumed 30000 of 200000 compute units", "Program "+prog+" success")
		}
		st.Message = chain.SolanaMessage{AccountKeys: keys, RecentBlockhash: solBenchKey("recent", 0), Instructions: ixs}
		st.Meta.LogMessages = logs
		b.Transactions = append(b.Transactions, chain.Transaction{Hash: st.Signature, Index: i + 1, Success: !st.Failed(), FeeCharged: int64(st.Meta.Fee), Solana: st})
	}
	return b
}

func solBenchMonitors(tb testing.TB) []*CompiledMonitor {
	idl := vaultIDL(tb, "vault_v030.json")
	r := rand.New(rand.NewPCG(7, 8))
	out := make([]*CompiledMonitor, 0, solBenchMonitorCount)
	for i := range solBenchMonitorCount {
		m := &ozconfig.Monitor{Name: "m" + strconv.Itoa(i), Networks: []string{"solana_mainnet"}}
		var prog string
		threshold := strconv.Itoa(r.IntN(1_000_000))
		switch {
		case r.IntN(10) != 0:
			prog = solBenchKey("absent", r.IntN(100_000))
		case r.IntN(100) == 0:
			// The token program, for one account (OZ's advice: the
			// program as address, the account in an expression): it sees
			// every transfer of the slot.
			prog = tokenProgram
			m.MatchConditions.Transactions = []ozconfig.TransactionCondition{{Status: ozconfig.StatusSuccess,
				Expression: "accounts contains '|" + solBenchKey("acct", r.IntN(50_000)) + "|'"}}
		default:
			prog = solBenchProgram(r.IntN(solBenchPrograms))
		}
		a := ozconfig.MonitorAddress{Address: prog}
		if prog != tokenProgram {
			switch i % 4 {
			case 0:
				m.MatchConditions.Events = []ozconfig.EventCondition{{Signature: "Transfer"}}
				m.MatchConditions.Transactions = []ozconfig.TransactionCondition{{Status: ozconfig.StatusSuccess}}
			case 1:
				m.MatchConditions.Transactions = []ozconfig.TransactionCondition{{Status: ozconfig.StatusAny, Expression: "fee > " + threshold + " AND accounts contains '|" + tokenProgram + "|'"}}
			case 2:
				m.MatchConditions.Events = []ozconfig.EventCondition{{Signature: "Instruction: Swap"}}
			default:
				a.ContractSpec = idl
				m.MatchConditions.Functions = []ozconfig.FunctionCondition{{Signature: "deposit", Expression: "amount > " + threshold}}
				m.MatchConditions.Events = []ozconfig.EventCondition{{Signature: "DepositEvent"}}
			}
		}
		m.Addresses = []ozconfig.MonitorAddress{a}
		cm, err := Compile("tenant-"+strconv.Itoa(i%500), m, nil, WithChain(chain.Solana))
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, cm)
	}
	return out
}

func solCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSolanaEvaluateSlot: every monitor handed to the engine
// (EvaluateBlock), and the pipeline's way — the index's candidates, then
// one EvaluateTenant per tenant on a shared prepared block.
func BenchmarkSolanaEvaluateSlot(b *testing.B) {
	blk := solBenchBlock(b)
	cms := solBenchMonitors(b)
	e := NewEngine()
	ctx := context.Background()
	b.Run("all-monitors", func(b *testing.B) {
		matches := 0
		b.ReportAllocs()
		cpu0 := solCPUTime()
		for b.Loop() {
			ms, err := e.EvaluateBlock(ctx, blk, cms)
			if err != nil {
				b.Fatal(err)
			}
			matches = len(ms)
		}
		b.ReportMetric(float64(solCPUTime()-cpu0)/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(matches), "matches")
	})
	b.Run("index", func(b *testing.B) {
		ix := NewIndex("solana_mainnet")
		byTenant := map[string][]*CompiledMonitor{}
		for _, cm := range cms {
			byTenant[cm.TenantID] = append(byTenant[cm.TenantID], cm)
		}
		for t, ms := range byTenant {
			if err := ix.SetTenant(t, ms); err != nil {
				b.Fatal(err)
			}
		}
		matches, candidates := 0, 0
		b.ReportAllocs()
		cpu0 := solCPUTime()
		for b.Loop() {
			p, err := e.Prepare(blk)
			if err != nil {
				b.Fatal(err)
			}
			matches, candidates = 0, 0
			for _, tm := range ix.Candidates(blk) {
				candidates += len(tm.Monitors)
				ms, err := e.EvaluateTenant(ctx, tm.TenantID, p, tm.Monitors)
				if err != nil {
					b.Fatal(err)
				}
				matches += len(ms)
			}
		}
		b.ReportMetric(float64(solCPUTime()-cpu0)/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(matches), "matches")
		b.ReportMetric(float64(candidates), "candidates")
	})
}

// BenchmarkSolanaPrepare: the per-slot work shared by every monitor
// (program-id index of 1,500 transactions).
func BenchmarkSolanaPrepare(b *testing.B) {
	blk := solBenchBlock(b)
	e := NewEngine()
	b.ReportAllocs()
	cpu0 := solCPUTime()
	for b.Loop() {
		if _, err := e.Prepare(blk); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(solCPUTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkSolanaDecodeInstruction: base58 data to Borsh-decoded,
// expression-ready arguments, per instruction, for a small instruction
// (deposit: u64 + Option<string>) and a nested one (initialize_vault: a
// pubkey and a struct with u128, enum and array).
func BenchmarkSolanaDecodeInstruction(b *testing.B) {
	idl, err := ozconfig.ParseSolanaIDL(vaultIDL(b, "vault_v030.json"))
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		data borsh
	}{
		{"deposit", disc("global:deposit").u64(1500).u8(1).str("hello")},
		{"initialize_vault", disc("global:initialize_vault").key(payerKey).u16(30).u128(1, 5).u8(1).i64(-7).u8(1).u8(2).u8(3).u8(4).u8(1)},
	} {
		b.Run(c.name, func(b *testing.B) {
			data := c.data.b58()
			b.SetBytes(int64(len(c.data)))
			b.ReportAllocs()
			cpu0 := solCPUTime()
			for b.Loop() {
				if d := decodeSolanaInstruction(data, idl); !d.ok {
					b.Fatal("not decoded")
				}
			}
			b.ReportMetric(float64(solCPUTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}
