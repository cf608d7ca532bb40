package monitor

import (
	"encoding/hex"
	"strings"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// midnightMonitor is what a Midnight monitor needs beyond the shared
// compiled conditions (docs/compatibility.md#midnight): its function
// conditions as names. Addresses are in cm.addrs, in
// chain.MidnightAddressKey form.
type midnightMonitor struct {
	functions []midnightFuncCond
}

// midnightFuncCond is a function condition: the name it matches
// (whitespace removed, lowercased, cut at "(", trimmed), the signature it
// records (cut at "(" and trimmed, case kept) and its expression, echoed
// but never evaluated (QM1).
type midnightFuncCond struct {
	key  string
	sig  string
	text *string
}

// compileMidnight prepares the Midnight side of a monitor: addresses in
// MID12's comparison form and the function conditions as names.
func (cm *CompiledMonitor) compileMidnight(m *ozconfig.Monitor) {
	cm.addrs = make(map[string]struct{}, len(m.Addresses))
	cm.addrList = cm.addrList[:0]
	for _, a := range m.Addresses {
		n := chain.MidnightAddressKey(a.Address)
		if n == "" {
			continue
		}
		if _, dup := cm.addrs[n]; dup {
			continue
		}
		cm.addrs[n] = struct{}{}
		cm.addrList = append(cm.addrList, n)
	}
	cm.mid = newMidnightMonitor(m, cm.functions)
}

func newMidnightMonitor(m *ozconfig.Monitor, compiled []sigCond) *midnightMonitor {
	mm := &midnightMonitor{}
	for i, c := range m.MatchConditions.Functions {
		mm.functions = append(mm.functions, midnightFuncCond{key: midnightNameKey(c.Signature), sig: midnightSignature(c.Signature), text: compiled[i].text})
	}
	return mm
}

// midnightNameKey is OZ's comparison form of a Midnight function name or
// signature: whitespace removed, lowercased, cut at the first "(",
// trimmed.
func midnightNameKey(s string) string {
	n := normalizeKey(s)
	if i := strings.IndexByte(n, '('); i >= 0 {
		n = n[:i]
	}
	return strings.TrimSpace(n)
}

// midnightSignature is the signature a Midnight match records: cut at the
// first "(" and trimmed, case and inner spaces kept.
func midnightSignature(s string) string {
	if i := strings.IndexByte(s, '('); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

// isMidnightMonitor reports whether a monitor reads as Midnight's: it has
// a midnight chain configuration, or every address is a Midnight contract
// address (32 or 35 bytes of hex, 0x optional) — never an EVM (20 bytes),
// Stellar (strkey) or Solana (base58) one.
func isMidnightMonitor(m *ozconfig.Monitor) bool {
	for _, c := range m.ChainConfigurations {
		if c.Midnight != nil {
			return true
		}
	}
	if len(m.Addresses) == 0 {
		return false
	}
	for _, a := range m.Addresses {
		k := chain.MidnightHashKey(a.Address)
		if len(k) != 64 && len(k) != 70 {
			return false
		}
		if _, err := hex.DecodeString(k); err != nil {
			return false
		}
	}
	return true
}

// WithNetworkType states the chain by the OZ network type of the
// monitor's networks, for callers that know the networks but not
// package chain (Midnight addresses of unusual lengths do not tell their
// chain).
func WithNetworkType(t ozconfig.NetworkType) CompileOption {
	switch t {
	case ozconfig.NetworkMidnight:
		return WithChain(chain.Midnight)
	case ozconfig.NetworkSolana:
		return WithChain(chain.Solana)
	case ozconfig.NetworkEVM:
		return WithChain(chain.EVM)
	case ozconfig.NetworkStellar:
		return WithChain(chain.Stellar)
	}
	return func(*compileOptions) {}
}
