package monitor

import (
	"fmt"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// compileABIs asks the source for the ABI of every EVM address of the
// monitor, per network; the first entry of an address wins, as in the
// original.
func (cm *CompiledMonitor) compileABIs(m *ozconfig.Monitor, src ABISource) error {
	if src == nil {
		return nil
	}
	for _, network := range m.Networks {
		var byAddr map[string]*evmABI
		for _, a := range m.Addresses {
			n := normalizeAddr(a.Address)
			if !isEVMAddress(n) {
				continue
			}
			if _, done := byAddr[n]; done {
				continue
			}
			dec, err := src(network, n, a.ContractSpec)
			if err != nil {
				return fmt.Errorf("abi of %s on %s: %w", a.Address, network, err)
			}
			if byAddr == nil {
				byAddr = make(map[string]*evmABI, len(m.Addresses))
			}
			if dec == nil {
				byAddr[n] = nil // asked once; no ABI
				continue
			}
			byAddr[n] = newEVMABI(dec)
		}
		if byAddr != nil {
			if cm.abis == nil {
				cm.abis = make(map[string]map[string]*evmABI, len(m.Networks))
			}
			cm.abis[network] = byAddr
		}
	}
	return nil
}

func (cm *CompiledMonitor) abi(network, addr string) *evmABI {
	return cm.abis[network][addr]
}

// Chain returns the chain the monitor runs on: the one given to Compile
// with WithChain, else the one its addresses imply ("" when it has none).
func (cm *CompiledMonitor) Chain() chain.Chain { return cm.chain }

// seesEveryTx reports whether the index must offer the monitor for every
// block of its network: Stellar applies no address gate to transaction-only
// and condition-less monitors (docs/compatibility.md#quirks-we-keep), while on EVM every
// monitor is gated by its addresses (docs/compatibility.md#evm-matching), so an EVM monitor is indexed by them.
func (cm *CompiledMonitor) seesEveryTx() bool {
	// Solana gates every monitor by its programs too (QS9).
	return cm.everyTransaction() && cm.chain != chain.EVM && cm.chain != chain.Solana
}
