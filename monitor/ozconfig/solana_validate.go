package ozconfig

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/ozmon/ozmon/monitor/internal/base58"
)

// validSolanaAddress accepts a program id as the chain spells it: base58
// text of 32 bytes, untrimmed (QS17: OpenZeppelin Monitor validates
// nothing, and an invalid address stalls its fetching).
func validSolanaAddress(a string) bool { return base58.IsPublicKey(a) }

func onSolana(nets []*Network) bool {
	for _, n := range nets {
		if n.NetworkType == NetworkSolana {
			return true
		}
	}
	return false
}

// checkSolanaIDL reports why an object contract_spec is not an Anchor IDL.
func (v *configValidator) checkSolanaIDL(src, path string, raw json.RawMessage) {
	if _, err := ParseSolanaIDL(raw); err != nil {
		v.fail(src, path, "not an Anchor IDL: %v", err)
	}
}

// SolanaIDLs returns the Anchor IDLs among the monitor's contract specs, by
// address (the first spec of an address wins); specs that are not IDLs
// (arrays, invalid objects) are left out.
func (m *Monitor) SolanaIDLs() map[string]*SolanaIDL {
	var out map[string]*SolanaIDL
	for _, a := range m.Addresses {
		if jsonKind(a.ContractSpec) != "object" {
			continue
		}
		if _, done := out[a.Address]; done {
			continue
		}
		idl, err := ParseSolanaIDL(a.ContractSpec)
		if err != nil {
			continue
		}
		if out == nil {
			out = map[string]*SolanaIDL{}
		}
		out[a.Address] = idl
	}
	return out
}

// SolanaPattern is the log text an event condition searches for (QS4): the
// signature up to its first "(", untrimmed.
func SolanaPattern(signature string) string {
	if i := strings.IndexByte(signature, '('); i >= 0 {
		return signature[:i]
	}
	return signature
}

// checkSolanaConditions applies the Solana rules to a monitor on Solana
// network n, once per monitor: function conditions (which ozmon implements
// where OpenZeppelin Monitor ignores them, QS1) must name an instruction of
// an Anchor IDL the monitor gives for one of its programs, with the IDL's
// argument types when the signature lists them.
func (v *configValidator) checkSolanaConditions(src string, m *Monitor, n *Network) {
	if v.solanaDone == nil {
		v.solanaDone = map[*Monitor]bool{}
	}
	if v.solanaDone[m] {
		return
	}
	v.solanaDone[m] = true
	if len(m.MatchConditions.Functions) == 0 {
		return
	}
	idls := m.SolanaIDLs()
	if len(idls) == 0 {
		v.fail(src, "match_conditions.functions", "on Solana network %q function conditions match instructions decoded with the program's Anchor IDL: give the IDL as the contract_spec of the program's address (OpenZeppelin Monitor ignores Solana function conditions; ozmon implements them)", n.Slug)
		return
	}
	for i, f := range m.MatchConditions.Functions {
		p := joinIndex("match_conditions.functions", i) + ".signature"
		if msg := checkSolanaFunction(f.Signature, idls); msg != "" {
			v.fail(src, p, "%s", msg)
		}
	}
}

// checkSolanaFunction returns why sig names no instruction of the IDLs, or "".
func checkSolanaFunction(sig string, idls map[string]*SolanaIDL) string {
	name := strings.TrimSpace(SolanaPattern(sig))
	var names []string
	for _, idl := range idls {
		for i := range idl.Instructions {
			ins := &idl.Instructions[i]
			if !SolanaSameInstruction(name, ins.Name) {
				names = append(names, ins.Name)
				continue
			}
			if !strings.Contains(sig, "(") || SolanaSameSignature(sig, SolanaSignature(ins.Name, ins.Args)) {
				return ""
			}
			return fmt.Sprintf("signature %q does not match instruction %s of the IDL; write %q or just %q", sig, ins.Name, SolanaSignature(ins.Name, ins.Args), ins.Name)
		}
	}
	slices.Sort(names) // several IDLs: map order
	if len(names) > 10 {
		names = append(names[:10], "…")
	}
	return fmt.Sprintf("no instruction %q in the monitor's Anchor IDL(s) (instructions: %s)", Clip(name), strings.Join(names, ", "))
}

// SolanaSameInstruction compares a condition's instruction name with an
// IDL's: exactly, or by Anchor's snake_case (legacy IDLs spell instructions
// camelCase, ≥ 0.30 snake_case; the program is the same).
func SolanaSameInstruction(cond, idlName string) bool {
	return cond == idlName || anchorSnake(cond) == anchorSnake(idlName)
}

// SolanaInstructionKey is the form SolanaSameInstruction compares names
// in (snake case): two names are the same instruction when they are equal
// or their keys are. Evaluators compute it once per condition and decoded
// instruction instead of once per comparison.
func SolanaInstructionKey(name string) string { return anchorSnake(name) }

// SolanaSameSignature compares two name(types) signatures with whitespace
// removed, the name as SolanaSameInstruction does and the types exactly
// (case-sensitive, as OpenZeppelin Monitor's Solana signature comparison).
func SolanaSameSignature(a, b string) bool {
	a, b = strings.Join(strings.Fields(a), ""), strings.Join(strings.Fields(b), "")
	ai, bi := strings.IndexByte(a, '('), strings.IndexByte(b, '(')
	if ai < 0 || bi < 0 {
		return false
	}
	return a[ai:] == b[bi:] && SolanaSameInstruction(a[:ai], b[:bi])
}

// solanaWarnings: on Solana an event condition searches the log text
// (QS3), so its expression has no effect (QS2) and an empty search text
// matches the first log line of any transaction (QS4), unless the
// condition names an event of the program's Anchor IDL, which ozmon
// decodes.
func (v *configValidator) solanaWarnings(src string, m *Monitor) {
	var idls map[string]*SolanaIDL
	for i, e := range m.MatchConditions.Events {
		if idls == nil {
			idls = m.SolanaIDLs()
		}
		if solanaIDLEvent(SolanaPattern(e.Signature), idls) {
			continue
		}
		p := joinIndex("match_conditions.events", i)
		if strings.TrimSpace(e.Expression) != "" {
			v.fail(src, p+".expression", "has no effect on Solana: the condition searches log lines for %q and is never evaluated (as in OpenZeppelin Monitor); name an event of the program's Anchor IDL to filter on its fields", Clip(SolanaPattern(e.Signature)))
		}
		if SolanaPattern(e.Signature) == "" {
			v.fail(src, p+".signature", "searches the empty text, which matches the first log line of every transaction of the program")
		}
	}
}

func solanaIDLEvent(name string, idls map[string]*SolanaIDL) bool {
	for _, idl := range idls {
		for i := range idl.Events {
			if idl.Events[i].Name == name {
				return true
			}
		}
	}
	return false
}
