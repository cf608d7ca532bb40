package monitor

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor/expr"
	"github.com/ozmon/ozmon/monitor/internal/base58"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// solanaBlock is what every Solana monitor evaluation needs, computed once
// per block: the transactions invoking each program (the program-id gate,
// docs/compatibility.md#solana-matching), each transaction's instructions
// with their programs, and, lazily, the transaction parameters, the
// "Program data:" lines and the instructions and events decoded by an IDL,
// shared by all monitors.
type solanaBlock struct {
	byProgram map[string][]int32 // normalized program id → tx indexes, ascending, each once
	ixs       [][]solanaIx       // per tx: top-level instructions, then inner ones group by group

	// Filled lazily under PreparedBlock.mu.
	params map[int32][]expr.Param
	data   map[int32][]solanaData
	calls  map[solanaItemKey]*solanaDecoded
	events map[solanaItemKey]*solanaDecoded
}

// solanaIx is one instruction with its program id (normalized).
type solanaIx struct {
	program string
	ix      *chain.SolanaInstruction
}

// solanaData is one "Program data: <base64>" log line: the program whose
// invocation wrote it (normalized) and the decoded bytes.
type solanaData struct {
	program string
	bytes   []byte
}

// solanaItemKey names an instruction or data line of a transaction as
// decoded by one IDL (its fingerprint: equal IDLs of different monitors
// share the result).
type solanaItemKey struct {
	tx, item int32
	idl      [32]byte
}

// solanaDecoded is an instruction or event decoded by an IDL; ok is false
// when the IDL does not know it or the data does not decode.
type solanaDecoded struct {
	ok        bool
	name      string
	key       string // ozconfig.SolanaInstructionKey(name)
	signature string
	args      []Arg
	params    []expr.Param
}

func prepareSolana(b *chain.Block) *solanaBlock {
	sb := &solanaBlock{
		byProgram: make(map[string][]int32, 64),
		ixs:       make([][]solanaIx, len(b.Transactions)),
		params:    make(map[int32][]expr.Param),
		data:      make(map[int32][]solanaData),
		calls:     make(map[solanaItemKey]*solanaDecoded),
		events:    make(map[solanaItemKey]*solanaDecoded),
	}
	norm := make(map[string]string, 64)
	for ti := range b.Transactions {
		st := b.Transactions[ti].Solana
		if st == nil {
			continue
		}
		accounts := st.Accounts()
		n := len(st.Message.Instructions)
		if st.Meta != nil {
			for _, g := range st.Meta.InnerInstructions {
				n += len(g.Instructions)
			}
		}
		list := make([]solanaIx, 0, n)
		add := func(ix *chain.SolanaInstruction) {
			id := st.ProgramID(ix, accounts)
			p, ok := norm[id]
			if !ok {
				p = normalizeKey(id)
				norm[id] = p
			}
			list = append(list, solanaIx{program: p, ix: ix})
			if p == "" {
				return
			}
			l := sb.byProgram[p]
			if len(l) > 0 && l[len(l)-1] == int32(ti) {
				return
			}
			sb.byProgram[p] = append(l, int32(ti))
		}
		for i := range st.Message.Instructions {
			add(&st.Message.Instructions[i])
		}
		if st.Meta != nil {
			for gi := range st.Meta.InnerInstructions {
				g := &st.Meta.InnerInstructions[gi]
				for i := range g.Instructions {
					add(&g.Instructions[i])
				}
			}
		}
		sb.ixs[ti] = list
	}
	return sb
}

// solanaTransactionParams builds the six variables of transaction
// expressions (docs/compatibility.md#solana-transaction-conditions), in
// OpenZeppelin Monitor's order: fee_payer is absent without a first
// account key, accounts absent without any account. accounts is the full
// account list (lookup-table accounts included, QS10).
func solanaTransactionParams(st *chain.SolanaTransaction) []expr.Param {
	var fee uint64
	if st.Meta != nil {
		fee = st.Meta.Fee
	}
	ps := make([]expr.Param, 0, 6)
	ps = append(ps,
		expr.Param{Name: "signature", Value: st.Signature, Kind: "string"},
		expr.Param{Name: "slot", Value: strconv.FormatUint(st.Slot, 10), Kind: "u64"},
		expr.Param{Name: "fee", Value: strconv.FormatUint(fee, 10), Kind: "u64"},
		expr.Param{Name: "is_success", Value: strconv.FormatBool(!st.Failed()), Kind: "bool"},
	)
	if keys := st.Message.AccountKeys; len(keys) > 0 && keys[0] != "" {
		ps = append(ps, expr.Param{Name: "fee_payer", Value: keys[0], Kind: "pubkey"})
	}
	if accounts := st.Accounts(); len(accounts) > 0 {
		n := 1
		for _, a := range accounts {
			n += len(a) + 1
		}
		var sb strings.Builder
		sb.Grow(n)
		sb.WriteByte('|')
		for _, a := range accounts {
			sb.WriteString(a)
			sb.WriteByte('|')
		}
		ps = append(ps, expr.Param{Name: "accounts", Value: sb.String(), Kind: "string"})
	}
	return ps
}

// solanaProgramData follows the invocation stack through the log lines
// ("Program X invoke [n]" … "Program X success" / "failed: …") and
// returns every "Program data: <base64>" line of at least 8 bytes (a
// discriminator) with the program that wrote it: how Anchor's emit!
// publishes events.
func solanaProgramData(logs []string) []solanaData {
	var stack []string
	var out []solanaData
	for _, line := range logs {
		if b, ok := parseProgramData(line); ok {
			if len(stack) > 0 && len(b) >= 8 {
				out = append(out, solanaData{program: stack[len(stack)-1], bytes: b})
			}
			continue
		}
		if id, ok := parseInvoke(line); ok {
			stack = append(stack, normalizeKey(id))
			continue
		}
		if _, ok := parseProgramEnd(line); ok && len(stack) > 0 {
			stack = stack[:len(stack)-1]
		}
	}
	return out
}

// parseProgramData reads "Program data: <base64>".
func parseProgramData(line string) ([]byte, bool) {
	data, ok := strings.CutPrefix(line, "Program data: ")
	if !ok {
		return nil, false
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(data))
	return b, err == nil
}

// parseInvoke reads "Program <id> invoke [<n>]".
func parseInvoke(line string) (string, bool) {
	rest, ok := strings.CutPrefix(line, "Program ")
	if !ok {
		return "", false
	}
	id, tail, ok := strings.Cut(rest, " ")
	if !ok || strings.HasSuffix(id, ":") || !strings.HasPrefix(tail, "invoke [") || !strings.HasSuffix(tail, "]") {
		return "", false
	}
	return id, true
}

// parseProgramEnd reads "Program <id> success" and "Program <id> failed: …",
// the lines that close an invocation; failed says which.
func parseProgramEnd(line string) (failed, ok bool) {
	rest, ok := strings.CutPrefix(line, "Program ")
	if !ok {
		return false, false
	}
	id, tail, ok := strings.Cut(rest, " ")
	switch {
	case !ok || strings.HasSuffix(id, ":"): // "Program log: …", "Program data: …"
		return false, false
	case tail == "success":
		return false, true
	case strings.HasPrefix(tail, "failed"):
		return true, true
	}
	return false, false
}

// decodeSolanaInstruction decodes base58 instruction data with an IDL:
// the first 8 bytes pick the instruction, the rest are its Borsh
// arguments (trailing bytes are ignored, as Anchor does).
func decodeSolanaInstruction(data string, idl *ozconfig.SolanaIDL) *solanaDecoded {
	if len(data) < 8 { // 8 bytes need at least 8 base58 characters
		return &solanaDecoded{}
	}
	raw, err := base58.Decode(data)
	if err != nil {
		return &solanaDecoded{}
	}
	ins := idl.Instruction(raw)
	if ins == nil {
		return &solanaDecoded{}
	}
	return decodeSolanaFields(ins.Name, ins.Args, raw[8:], idl)
}

// decodeSolanaEvent decodes the bytes of a "Program data:" line with an IDL.
func decodeSolanaEvent(data []byte, idl *ozconfig.SolanaIDL) *solanaDecoded {
	ev := idl.Event(data)
	if ev == nil {
		return &solanaDecoded{}
	}
	return decodeSolanaFields(ev.Name, ev.Fields, data[8:], idl)
}

func decodeSolanaFields(name string, fields []ozconfig.SolanaIDLField, data []byte, idl *ozconfig.SolanaIDL) *solanaDecoded {
	r := &borshReader{b: data, idl: idl}
	vals, err := r.decodeFields(fields, 0)
	if err != nil {
		return &solanaDecoded{}
	}
	d := &solanaDecoded{
		ok:        true,
		name:      name,
		key:       ozconfig.SolanaInstructionKey(name),
		signature: ozconfig.SolanaSignature(name, fields),
		args:      make([]Arg, len(fields)),
		params:    make([]expr.Param, len(fields)),
	}
	for i := range fields {
		kind := solanaArgKind(&fields[i].Type, vals[i], idl)
		text := solanaArgText(vals[i])
		d.args[i] = Arg{Name: fields[i].Name, Value: text, Kind: kind}
		d.params[i] = expr.Param{Name: fields[i].Name, Value: text, Kind: kind}
	}
	return d
}
