package monitor

import (
	"strconv"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// Variables returns the template variables of the match
// (docs/compatibility.md#template-variables):
//
//	monitor.name, transaction.hash (Stellar, EVM),
//	transaction.from, transaction.to, transaction.value (EVM only),
//	transaction.signature (Solana only, instead of transaction.hash),
//	(Midnight: monitor.name, transaction.hash, functions.<i>.signature only),
//	functions.<i>.signature, functions.<i>.args.<name>,
//	events.<i>.signature, events.<i>.args.<name>,
//
// where i indexes MatchedOn.Functions / MatchedOn.Events and the
// arguments come from MatchedOnArgs at the same index (argument names are
// spec names, or 0, 1, … for events without a spec). Values are the raw
// match strings; Map and Vec arguments stay JSON (or Display) text.
//
// Two more keys hold the summary blocks, so that a plain
// "replace every ${key}" renders ${functions} and ${events} exactly as the
// original: "functions" and "events" (the empty string when nothing of
// that kind matched). There are no ledger, network or timestamp
// variables, as in the original.
func (m *Match) Variables() map[string]string {
	vars := make(map[string]string, 4+4*(len(m.MatchedOn.Functions)+len(m.MatchedOn.Events)))
	vars["monitor.name"] = m.MonitorName
	switch tx := m.Transaction; {
	case tx == nil:
	case tx.Solana != nil:
		// OpenZeppelin Monitor's Solana matches name the transaction by
		// its signature and have no transaction.hash.
		vars["transaction.signature"] = tx.Solana.Signature
	case tx.Midnight != nil:
		// The hash as the block body writes it (no 0x), as OZ names it.
		vars["transaction.hash"] = tx.Midnight.TxHash
	default:
		vars["transaction.hash"] = tx.Hash
		if tx.EVM != nil {
			addEVMTransactionVars(vars, tx)
		}
	}
	fsigs := make([]string, len(m.MatchedOn.Functions))
	for i, f := range m.MatchedOn.Functions {
		fsigs[i] = f.Signature
	}
	esigs := make([]string, len(m.MatchedOn.Events))
	for i, e := range m.MatchedOn.Events {
		esigs[i] = e.Signature
	}
	addEntries(vars, "functions", fsigs, m.MatchedOnArgs.Functions)
	addEntries(vars, "events", esigs, m.MatchedOnArgs.Events)
	vars["functions"] = summary("Functions", fsigs, m.MatchedOnArgs.Functions)
	vars["events"] = summary("Events", esigs, m.MatchedOnArgs.Events)
	return vars
}

func addEntries(vars map[string]string, prefix string, sigs []string, args []ArgsEntry) {
	for i, sig := range sigs {
		p := prefix + "." + strconv.Itoa(i) + "."
		vars[p+"signature"] = sig
		if i < len(args) {
			for _, a := range args[i].Args {
				vars[p+"args."+a.Name] = a.Value
			}
		}
	}
}

// summary renders the ${functions} / ${events} block
// (docs/compatibility.md#template-variables) from the matched signatures
// and their arguments; the last of equal argument names wins, as in the
// flattened map the original reads.
func summary(label string, sigs []string, args []ArgsEntry) string {
	if len(sigs) == 0 {
		return ""
	}
	params := make([]map[string]string, min(len(sigs), len(args)))
	for i := range params {
		byName := make(map[string]string, len(args[i].Args))
		for _, a := range args[i].Args {
			byName[a.Name] = a.Value
		}
		params[i] = byName
	}
	return ozconfig.Summary(label, sigs, params)
}
