// Package population generates realistic tenant populations over the real
// mainnet ledgers of testdata/stellar/mainnet (63092982–63093001), for the
// cost-curve benchmarks (docs/scaling.md): each tenant as an import would
// store it — one stellar_mainnet network, five monitors, two webhook
// triggers — as raw JSON, parsed configs, or rows copied into PostgreSQL.
//
// The mix (DefaultMix), and why:
//
//   - 70 % "busy": the five monitors watch one of the ten busiest contracts
//     of the ledgers (by transactions calling them or hearing from them),
//     on events and functions really seen there, each with a threshold on
//     an amount that rarely holds (one monitor in 25 has a threshold among
//     the three largest amounts seen, the rest one above any seen). This is
//     the bulk of a hosted monitor's users: token and DEX watchers alerting
//     on large moves. They are candidates on almost every ledger and match
//     rarely, so they measure the cost of candidates that do not match.
//   - 15 % "rare": monitors on contracts touched by at most two
//     transactions of the 20 ledgers (one monitor in five) or on contracts
//     no ledger touches (the long tail of a tenant's own contracts), on
//     every event of the contract. They cost nothing until their contract
//     appears, then always match.
//   - 10 % "transactions": transaction-only monitors (no address gate on
//     Stellar: every transaction of every ledger is theirs), successful
//     payments above a rarely reached value, or any transaction to one
//     account or contract.
//   - 5 % "failures": failed transactions to a contract (a busy one in one
//     monitor of 25, else one of the tenant's own).
//
// Every monitor lists one trigger, the first of each tenant lists both, so
// a match costs one or two deliver tasks.
package population

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/stellar/go-stellar-sdk/strkey"

	"github.com/ozmon/ozmon/chain"
	"github.com/ozmon/ozmon/chain/stellar"
	"github.com/ozmon/ozmon/monitor"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// Network is the slug of the network every generated tenant watches.
const Network = "stellar_mainnet"

const mainnetPassphrase = "Public Global Stellar Network ; September 2015"

// Mix is the share of each kind of tenant; the shares are normalised.
type Mix struct {
	Busy, Rare, Transactions, Failures float64
}

// DefaultMix is 70 % busy, 15 % rare, 10 % transactions, 5 % failures.
func DefaultMix() Mix { return Mix{Busy: 0.70, Rare: 0.15, Transactions: 0.10, Failures: 0.05} }

// Kinds of tenant.
const (
	KindBusy         = "busy"
	KindRare         = "rare"
	KindTransactions = "transactions"
	KindFailures     = "failures"
)

// MonitorsPerTenant is how many monitors each tenant has.
const MonitorsPerTenant = 5

// Tenant is one generated tenant: what ozmon import would store.
type Tenant struct {
	Slug     string
	Kind     string
	Network  json.RawMessage            // the stellar_mainnet network
	Monitors map[string]json.RawMessage // name → monitor JSON
	Triggers map[string]json.RawMessage // key → one trigger's JSON
}

// Population is a generated set of tenants over the mainnet ledgers.
type Population struct {
	Tenants []Tenant
	specs   map[string]*chain.ContractSpec
}

// LoadMainnet decodes the 20 consecutive mainnet ledgers from dir
// (testdata/stellar/mainnet), in order.
func LoadMainnet(dir string) ([]*chain.Block, error) {
	files, err := filepath.Glob(filepath.Join(dir, "ledger-630*.xdr.gz"))
	if err != nil {
		return nil, fmt.Errorf("list mainnet ledgers in %s: %w", dir, err)
	}
	slices.Sort(files)
	var out []*chain.Block
	for _, f := range files {
		gz, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read ledger %s: %w", f, err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			return nil, fmt.Errorf("read ledger %s: %w", f, err)
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			return nil, fmt.Errorf("read ledger %s: %w", f, err)
		}
		b, err := stellar.DecodeLedgerXDR(Network, mainnetPassphrase, raw)
		if err != nil {
			return nil, fmt.Errorf("decode ledger %s: %w", f, err)
		}
		out = append(out, b)
	}
	if len(out) != 20 {
		return nil, fmt.Errorf("found %d of the 20 mainnet ledgers in %s", len(out), dir)
	}
	return out, nil
}

// target is something a monitor can watch with a threshold: a contract's
// event or function argument, with the amounts seen, largest first.
type target struct {
	contract string
	event    bool   // else a function call
	sig      string // the monitor's signature
	arg      string // the expression's name of the argument
	values   []*big.Int
}

// ledgerStats is what the generator learns from the ledgers.
type ledgerStats struct {
	busy      []string             // the busiest contracts, most active first
	targets   map[string][]*target // contract → thresholdable targets
	rare      []string             // contracts touched by 1..2 transactions
	rareSigs  map[string]string    // rare contract → an event signature it emitted
	payments  []*big.Int           // successful payment amounts, largest first
	accounts  []string             // payment recipients and called contracts
	specs     map[string]*chain.ContractSpec
	txCount   int
	contracts int
}

func analyse(blocks []*chain.Block) *ledgerStats {
	st := &ledgerStats{targets: map[string][]*target{}, rareSigs: map[string]string{}, specs: map[string]*chain.ContractSpec{}}
	activity := map[string]int{}
	byKey := map[string]*target{}
	seenAcct := map[string]bool{}
	for _, b := range blocks {
		for ti := range b.Transactions {
			tx := &b.Transactions[ti]
			st.txCount++
			touched := map[string]bool{}
			for _, op := range tx.Operations {
				if p := op.Payment; p != nil && tx.Success {
					st.payments = append(st.payments, big.NewInt(p.Amount))
					if !seenAcct[p.To] {
						seenAcct[p.To] = true
						st.accounts = append(st.accounts, p.To)
					}
				}
				c := op.Call
				if c == nil {
					continue
				}
				touched[c.Contract] = true
				if !seenAcct[c.Contract] {
					seenAcct[c.Contract] = true
					st.accounts = append(st.accounts, c.Contract)
				}
				sig, names := st.specFor(c)
				for i, a := range c.Args {
					if n, ok := a.BigInt(); ok && n.Sign() > 0 {
						k := "f|" + c.Contract + "|" + sig + "|" + names[i]
						if byKey[k] == nil {
							byKey[k] = &target{contract: c.Contract, sig: sig, arg: names[i]}
							st.targets[c.Contract] = append(st.targets[c.Contract], byKey[k])
						}
						byKey[k].values = append(byKey[k].values, n)
					}
				}
			}
			for _, ev := range tx.Events {
				if ev.OpIndex < 0 {
					continue // the fee event every transaction has
				}
				touched[ev.Contract] = true
				sig, ok := eventSignature(ev)
				if !ok || strings.Contains(sig, "Bytes") {
					continue
				}
				if _, ok := st.rareSigs[ev.Contract]; !ok {
					st.rareSigs[ev.Contract] = sig
				}
				args := append(slices.Clone(ev.Topics[1:]), ev.Data)
				for i, a := range args {
					if n, ok := a.BigInt(); ok && n.Sign() > 0 {
						k := fmt.Sprintf("e|%s|%s|%d", ev.Contract, sig, i)
						if byKey[k] == nil {
							byKey[k] = &target{contract: ev.Contract, event: true, sig: sig, arg: fmt.Sprint(i)}
							st.targets[ev.Contract] = append(st.targets[ev.Contract], byKey[k])
						}
						byKey[k].values = append(byKey[k].values, n)
					}
				}
			}
			for c := range touched {
				activity[c]++
			}
		}
	}
	st.contracts = len(activity)
	for _, t := range byKey {
		slices.SortFunc(t.values, func(a, b *big.Int) int { return b.Cmp(a) })
	}
	slices.SortFunc(st.payments, func(a, b *big.Int) int { return b.Cmp(a) })
	all := make([]string, 0, len(activity))
	for c := range activity {
		all = append(all, c)
	}
	sort.Slice(all, func(i, j int) bool {
		if activity[all[i]] != activity[all[j]] {
			return activity[all[i]] > activity[all[j]]
		}
		return all[i] < all[j]
	})
	for _, c := range all {
		if len(st.busy) < 10 && len(st.targets[c]) > 0 {
			st.busy = append(st.busy, c)
		}
		if activity[c] <= 2 && st.rareSigs[c] != "" {
			st.rare = append(st.rare, c)
		}
	}
	for _, c := range st.busy {
		sort.Slice(st.targets[c], func(i, j int) bool {
			a, b := st.targets[c][i], st.targets[c][j]
			return a.sig+a.arg < b.sig+b.arg
		})
	}
	return st
}

// specFor returns a call's signature and argument names from a spec
// shaped after the calls seen, standing for the spec a worker fetches from
// the network once per contract.
func (st *ledgerStats) specFor(c *chain.Call) (sig string, names []string) {
	s := st.specs[c.Contract]
	if s == nil {
		s = &chain.ContractSpec{}
		st.specs[c.Contract] = s
	}
	if f := s.Function(c.Function); f != nil {
		for _, in := range f.Inputs {
			names = append(names, in.Name)
		}
		for len(names) < len(c.Args) {
			names = append(names, "")
		}
		return f.Signature, names
	}
	f := chain.SpecFunction{Name: c.Function}
	kinds := make([]string, len(c.Args))
	for i, a := range c.Args {
		kinds[i] = a.TypeName()
		n := fmt.Sprint("arg", i)
		names = append(names, n)
		f.Inputs = append(f.Inputs, chain.SpecInput{Index: i, Name: n, Kind: kinds[i]})
	}
	f.Signature = c.Function + "(" + strings.Join(kinds, ",") + ")"
	s.Functions = append(s.Functions, f)
	return f.Signature, names
}

// eventSignature spells an event as a monitor without a spec writes it:
// name(topic kinds…, data kind).
func eventSignature(ev chain.Event) (string, bool) {
	if len(ev.Topics) == 0 || (ev.Topics[0].Kind != chain.KindSymbol && ev.Topics[0].Kind != chain.KindString) {
		return "", false
	}
	kinds := make([]string, 0, len(ev.Topics))
	for _, tp := range ev.Topics[1:] {
		kinds = append(kinds, tp.TypeName())
	}
	kinds = append(kinds, ev.Data.TypeName())
	return ev.Topics[0].Text + "(" + strings.Join(kinds, ",") + ")", true
}

// reachable is the share of threshold monitors whose threshold is among
// the largest amounts seen (the rest never hold on these ledgers).
const reachable = 25

// Generate returns n tenants over blocks in the given mix, the same for
// the same seed. Slugs are "t000000", "t000001", ….
func Generate(blocks []*chain.Block, n int, seed uint64, mix Mix) (*Population, error) {
	st := analyse(blocks)
	if len(st.busy) == 0 || len(st.rare) == 0 || len(st.payments) == 0 {
		return nil, fmt.Errorf("generate population: the ledgers have %d busy contracts with amounts, %d rare contracts, %d payments",
			len(st.busy), len(st.rare), len(st.payments))
	}
	total := mix.Busy + mix.Rare + mix.Transactions + mix.Failures
	if total <= 0 {
		return nil, fmt.Errorf("generate population: empty mix %+v", mix)
	}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	p := &Population{Tenants: make([]Tenant, n), specs: st.specs}
	netJSON := json.RawMessage(networkJSON())
	for i := range p.Tenants {
		x := float64(i%1000) / 1000 * total // deterministic shares per thousand
		kind := KindFailures
		switch {
		case x < mix.Busy:
			kind = KindBusy
		case x < mix.Busy+mix.Rare:
			kind = KindRare
		case x < mix.Busy+mix.Rare+mix.Transactions:
			kind = KindTransactions
		}
		slug := fmt.Sprintf("t%06d", i)
		t := Tenant{Slug: slug, Kind: kind, Network: netJSON,
			Monitors: make(map[string]json.RawMessage, MonitorsPerTenant),
			Triggers: map[string]json.RawMessage{
				"ops_hook":   triggerJSON(slug, "ops", r),
				"audit_hook": triggerJSON(slug, "audit", r),
			}}
		busy := st.busy[r.IntN(len(st.busy))]
		for j := range MonitorsPerTenant {
			triggers := []string{[]string{"ops_hook", "audit_hook"}[j%2]}
			if j == 0 {
				triggers = []string{"ops_hook", "audit_hook"}
			}
			name, js := st.monitor(r, kind, busy, j, triggers)
			t.Monitors[name] = js
		}
		p.Tenants[i] = t
	}
	return p, nil
}

// monitor returns the j-th monitor of a tenant of kind.
func (st *ledgerStats) monitor(r *rand.Rand, kind, busy string, j int, triggers []string) (string, json.RawMessage) {
	m := map[string]any{"paused": false, "networks": []string{Network}, "trigger_conditions": []any{}, "triggers": triggers}
	conds := map[string]any{"functions": []any{}, "events": []any{}, "transactions": []any{}}
	var name string
	switch kind {
	case KindBusy:
		ts := st.targets[busy]
		t := ts[(j+r.IntN(len(ts)))%len(ts)]
		threshold := new(big.Int).Mul(t.values[0], big.NewInt(2))
		if r.IntN(reachable) == 0 {
			threshold = new(big.Int).Sub(t.values[r.IntN(min(3, len(t.values)))], big.NewInt(1))
		}
		cond := map[string]any{"signature": t.sig, "expression": fmt.Sprintf("%s > %s", t.arg, threshold)}
		if t.event {
			conds["events"] = []any{cond}
		} else {
			conds["functions"] = []any{cond}
		}
		m["addresses"] = []any{map[string]any{"address": t.contract}}
		name = fmt.Sprintf("large %s on %s #%d", strings.SplitN(t.sig, "(", 2)[0], t.contract[:6], j)
	case KindRare:
		c, sig := randomContract(r), "transfer(Address,Address,String,I128)"
		if r.IntN(5) == 0 {
			c = st.rare[r.IntN(len(st.rare))]
			sig = st.rareSigs[c]
		}
		conds["events"] = []any{map[string]any{"signature": sig}}
		m["addresses"] = []any{map[string]any{"address": c}}
		name = fmt.Sprintf("every %s of %s #%d", strings.SplitN(sig, "(", 2)[0], c[:6], j)
	case KindTransactions:
		m["addresses"] = []any{}
		if j%2 == 0 {
			v := new(big.Int).Mul(st.payments[0], big.NewInt(3))
			if r.IntN(reachable) == 0 {
				v = new(big.Int).Sub(st.payments[r.IntN(min(3, len(st.payments)))], big.NewInt(1))
			}
			conds["transactions"] = []any{map[string]any{"status": "Success", "expression": fmt.Sprintf("value > %s", v)}}
			name = fmt.Sprintf("payments over %s #%d", v, j)
		} else {
			to := randomAccount(r)
			if r.IntN(reachable) == 0 {
				to = st.accounts[r.IntN(len(st.accounts))]
			}
			conds["transactions"] = []any{map[string]any{"status": "Any", "expression": fmt.Sprintf("to == '%s'", to)}}
			name = fmt.Sprintf("anything to %s #%d", to[:6], j)
		}
	default: // failures
		m["addresses"] = []any{}
		c := randomContract(r)
		if r.IntN(reachable) == 0 {
			c = busy
		}
		conds["transactions"] = []any{map[string]any{"status": "Failure", "expression": fmt.Sprintf("to == '%s'", c)}}
		name = fmt.Sprintf("failures to %s #%d", c[:6], j)
	}
	m["name"] = name
	m["match_conditions"] = conds
	js, err := json.Marshal(m)
	if err != nil {
		panic(err) // maps of strings: cannot fail
	}
	return name, js
}

func randomContract(r *rand.Rand) string { return randomStrkey(r, strkey.VersionByteContract) }
func randomAccount(r *rand.Rand) string  { return randomStrkey(r, strkey.VersionByteAccountID) }

// randomStrkey is a valid (checksummed) address no ledger touches.
func randomStrkey(r *rand.Rand, v strkey.VersionByte) string {
	var key [32]byte
	for i := 0; i < len(key); i += 8 {
		binary.LittleEndian.PutUint64(key[i:], r.Uint64())
	}
	s, err := strkey.Encode(v, key[:])
	if err != nil {
		panic(err) // 32 bytes and a known version: cannot fail
	}
	return s
}

func networkJSON() string {
	return fmt.Sprintf(`{"network_type":"Stellar","slug":%q,"name":"Stellar Mainnet",`+
		`"rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":"https://mainnet.sorobanrpc.com"},"weight":100}],`+
		`"network_passphrase":%q,"block_time_ms":5000,"confirmation_blocks":1,"cron_schedule":"*/5 * * * * *",`+
		`"max_past_blocks":20,"store_blocks":false}`, Network, mainnetPassphrase)
}

func triggerJSON(slug, what string, r *rand.Rand) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"name":"%s %s","trigger_type":"webhook","config":{`+
		`"url":{"type":"plain","value":"https://hooks.example.org/%s/%s/%08x"},"method":"POST",`+
		`"headers":{"Content-Type":"application/json"},`+
		`"secret":{"type":"plain","value":"whsec_%016x"},`+
		`"message":{"title":"${monitor.name} on ${network.slug}","body":"Transaction ${transaction.hash} in ledger ${ledger}"}}}`,
		slug, what, slug, what, r.Uint32(), r.Uint64()))
}

// Specs is the contract-spec source a worker would have for the ledgers:
// a spec per called contract, shaped after the calls seen.
func (p *Population) Specs() monitor.SpecSource {
	specs := p.specs // not p: the source must not keep the tenants' JSON alive
	return func(network, contract string, inline json.RawMessage) (*chain.ContractSpec, error) {
		return specs[contract], nil
	}
}

// Config parses and validates tenant i as an import would.
func (p *Population) Config(i int) (*ozconfig.Config, error) {
	t := &p.Tenants[i]
	n, err := ozconfig.ParseNetwork(t.Slug+"/network", t.Network)
	if err != nil {
		return nil, err
	}
	cfg := &ozconfig.Config{Networks: map[string]*ozconfig.Network{Network: n},
		Monitors: map[string]*ozconfig.Monitor{}, Triggers: map[string]*ozconfig.Trigger{}}
	for name, js := range t.Monitors {
		m, err := ozconfig.ParseMonitor(t.Slug+"/"+name, js)
		if err != nil {
			return nil, err
		}
		cfg.Monitors[name] = m
	}
	for key, js := range t.Triggers {
		tr, err := ozconfig.ParseTrigger(t.Slug+"/"+key, js)
		if err != nil {
			return nil, err
		}
		tr.Key = key
		cfg.Triggers[key] = tr
	}
	if err := cfg.Validate(t.Slug); err != nil {
		return nil, err
	}
	return cfg, nil
}

// Counts returns how many tenants of each kind the population has.
func (p *Population) Counts() map[string]int {
	out := map[string]int{}
	for _, t := range p.Tenants {
		out[t.Kind]++
	}
	return out
}
