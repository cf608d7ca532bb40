package monitor

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor/expr"
	"github.com/ozmon/ozmon/monitor/internal/base58"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// solanaMonitor is what a Solana monitor needs beyond the shared compiled
// conditions: the Anchor IDL of each watched program and the conditions in
// the form Solana compares them (docs/compatibility.md#solana-matching).
type solanaMonitor struct {
	idls map[string]*ozconfig.SolanaIDL // normalized program id → IDL
	// idlKeys fingerprints each IDL by its configured text (sha256), so
	// monitors of different tenants carrying the same IDL share each
	// instruction and event decoded from a block instead of decoding it
	// once per monitor.
	idlKeys   map[string][32]byte
	functions []solanaFuncCond
	events    []solanaEventCond
}

// solanaFuncCond is a function condition: it names an instruction, with
// the IDL's argument types when sig is set (QS1, our decision).
type solanaFuncCond struct {
	name string // instruction name (before "(", trimmed)
	key  string // ozconfig.SolanaInstructionKey(name)
	sig  string // the whole signature when it lists types, else ""
	expr *expr.Expr
	text *string
}

// solanaEventCond is an event condition: a log text search (OZ's
// semantics, QS3–QS5), or, when its name is an event of one of the
// monitor's IDLs, an Anchor event decoded from "Program data:" lines.
type solanaEventCond struct {
	sig     string // verbatim, as recorded for a log search
	pattern string // the text searched for (QS4)
	idl     bool
	expr    *expr.Expr
	text    *string
}

// compileSolana prepares the Solana side of a monitor compiled for
// Solana: its IDLs (contract specs that are objects; invalid ones reject
// the monitor, as validation does) and its conditions.
func (cm *CompiledMonitor) compileSolana(m *ozconfig.Monitor) error {
	sm := &solanaMonitor{}
	for i, a := range m.Addresses {
		if len(a.ContractSpec) == 0 || a.ContractSpec[0] != '{' {
			continue // none, or [] (OZ reads it as an empty EVM ABI)
		}
		n := normalizeAddr(a.Address)
		if _, done := sm.idls[n]; done {
			continue // the first spec of an address wins
		}
		idl, err := ozconfig.ParseSolanaIDL(a.ContractSpec)
		if err != nil {
			return fmt.Errorf("addresses[%d].contract_spec: not an Anchor IDL: %w", i, err)
		}
		if sm.idls == nil {
			sm.idls = make(map[string]*ozconfig.SolanaIDL, len(m.Addresses))
			sm.idlKeys = make(map[string][32]byte, len(m.Addresses))
		}
		sm.idls[n], sm.idlKeys[n] = idl, sha256.Sum256(a.ContractSpec)
	}
	for i, c := range m.MatchConditions.Functions {
		fc := solanaFuncCond{name: strings.TrimSpace(ozconfig.SolanaPattern(c.Signature)), expr: cm.functions[i].expr, text: cm.functions[i].text}
		fc.key = ozconfig.SolanaInstructionKey(fc.name)
		if strings.Contains(c.Signature, "(") {
			fc.sig = c.Signature
		}
		sm.functions = append(sm.functions, fc)
	}
	for i, c := range m.MatchConditions.Events {
		ec := solanaEventCond{sig: c.Signature, pattern: ozconfig.SolanaPattern(c.Signature), expr: cm.events[i].expr, text: cm.events[i].text}
		for _, idl := range sm.idls {
			for j := range idl.Events {
				if idl.Events[j].Name == ec.pattern {
					ec.idl = true
				}
			}
		}
		sm.events = append(sm.events, ec)
	}
	cm.sol = sm
	return nil
}

// inferChainOf guesses a monitor's chain from its addresses: EVM when all
// are EVM addresses, Solana when all are base58 public keys (32–44
// characters: never a 56-character Stellar strkey), else Stellar.
func inferChainOf(addrs []ozconfig.MonitorAddress, normalized []string) chain.Chain {
	if len(addrs) > 0 {
		solana := true
		for _, a := range addrs {
			if !base58.IsPublicKey(a.Address) {
				solana = false
				break
			}
		}
		if solana {
			return chain.Solana
		}
	}
	return inferChain(normalized)
}
