package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

type dryRunResult struct {
	Ledgers int
	Rows    []matchRow
	Error   string
}

// matchRow is one MonitorMatch, flattened for a table.
type matchRow struct {
	Chain, Ledger, Tx, On string
}

// dryRun evaluates the editor's monitor over the chosen ledgers with the
// API's testMonitor and shows its matches as a table, the text kept.
func (c *Console) dryRun(w http.ResponseWriter, r *http.Request, s session) {
	d := editorData{ID: r.PostFormValue("id"), JSON: r.PostFormValue("monitor"),
		Network: r.PostFormValue("network"), From: r.PostFormValue("from"), To: r.PostFormValue("to")}
	v := viewOf(s, "Dry run", "editor")
	res := &dryRunResult{}
	d.DryRun = res
	from, err1 := strconv.Atoi(strings.TrimSpace(d.From))
	to, err2 := strconv.Atoi(strings.TrimSpace(d.To))
	var mon any
	switch {
	case err1 != nil || err2 != nil:
		res.Error = "Give the first and last ledger as numbers."
	case json.Unmarshal([]byte(d.JSON), &mon) != nil:
		res.Error = "The monitor is not valid JSON."
	}
	if res.Error != "" {
		c.renderEditor(w, r, s, http.StatusUnprocessableEntity, v, d)
		return
	}
	var out struct {
		TestMonitor struct {
			Matches          []json.RawMessage `json:"matches"`
			LedgersEvaluated int               `json:"ledgersEvaluated"`
		} `json:"testMonitor"`
	}
	err := c.exec(r.Context(), s.Cred, `mutation($m:JSON!,$n:String!,$f:Int!,$t:Int){testMonitor(monitor:$m,ledgers:{network:$n,from:$f,to:$t}){matches ledgersEvaluated}}`,
		map[string]any{"m": mon, "n": d.Network, "f": from, "t": to}, &out)
	var ae *apiError
	switch {
	case errors.As(err, &ae) && ae.code() != "UNAUTHENTICATED":
		res.Error = ae.Error()
		if ae.code() == "BAD_USER_INPUT" {
			d.Problems = problemsOf(d.JSON, ae)
		}
		c.renderEditor(w, r, s, http.StatusUnprocessableEntity, v, d)
		return
	case err != nil:
		c.apiFailed(w, r, s, err, "editor", v)
		return
	}
	res.Ledgers = out.TestMonitor.LedgersEvaluated
	for _, m := range out.TestMonitor.Matches {
		res.Rows = append(res.Rows, rowOf(m))
	}
	c.renderEditor(w, r, s, http.StatusOK, v, d)
}

// rowOf reads what a table shows of an OZ MonitorMatch: {"Stellar": {…}}
// or {"EVM": {…}} with the transaction, the ledger or block and matched_on.
func rowOf(raw json.RawMessage) matchRow {
	var outer map[string]map[string]any
	if json.Unmarshal(raw, &outer) != nil {
		return matchRow{On: clipText(string(raw), 200)}
	}
	for chain, m := range outer {
		row := matchRow{Chain: chain}
		row.Ledger = firstOf(m, "ledger.sequence", "transaction.ledger", "block.number", "transaction.blockNumber")
		row.Tx = firstOf(m, "transaction.transaction_hash", "transaction.txHash", "transaction.hash", "transaction.transactionHash")
		if on, ok := m["matched_on"]; ok {
			row.On = summarizeMatchedOn(on)
		}
		return row
	}
	return matchRow{}
}

func firstOf(m map[string]any, paths ...string) string {
	for _, p := range paths {
		var cur any = m
		for _, k := range strings.Split(p, ".") {
			obj, ok := cur.(map[string]any)
			if !ok {
				cur = nil
				break
			}
			cur = obj[k]
		}
		switch x := cur.(type) {
		case string:
			return x
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64)
		}
	}
	return ""
}

// summarizeMatchedOn names the conditions that matched: signatures of
// functions and events, and transaction statuses.
func summarizeMatchedOn(on any) string {
	obj, ok := on.(map[string]any)
	if !ok {
		return ""
	}
	var parts []string
	for _, kind := range []string{"functions", "events", "transactions"} {
		list, _ := obj[kind].([]any)
		for _, it := range list {
			cond, _ := it.(map[string]any)
			label := kind[:len(kind)-1]
			if sig, ok := cond["signature"].(string); ok {
				label += " " + sig
			} else if st, ok := cond["status"].(string); ok {
				label += " " + st
			}
			parts = append(parts, label)
		}
	}
	return clipText(strings.Join(parts, ", "), 300)
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return fmt.Sprintf("%s…", strings.ToValidUTF8(s[:n], ""))
}
