package files_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/ozmon/ozmon/store/files"
)

// Load an OpenZeppelin Monitor config directory, then report what is wrong
// with a broken one, as `ozmon validate` does.
func ExampleLoadDir() {
	dir, err := os.MkdirTemp("", "ozmon-config")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	put := func(name, content string) {
		p := filepath.Join(dir, name)
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		_ = os.WriteFile(p, []byte(content), 0o644)
	}
	put("networks/stellar_testnet.json", `{"network_type": "Stellar", "slug": "stellar_testnet", "name": "Stellar Testnet",
		"rpc_urls": [{"type_": "rpc", "url": {"type": "plain", "value": "https://soroban-testnet.stellar.org"}, "weight": 100}],
		"block_time_ms": 5000, "confirmation_blocks": 1, "cron_schedule": "0 */1 * * * *"}`)
	put("monitors/vault.json", `{"name": "Vault watch", "networks": ["stellar_testnet"], "paused": false,
		"addresses": [{"address": "CDLZFC3SYJYDZT7K67VZ75HPJVIEUVNIXF47ZG2FB2RMQQVU2HHGCYSC"}],
		"match_conditions": {"functions": [{"signature": "deposit(Address,I128)", "expression": "amount > 5"}],
			"events": [], "transactions": []},
		"trigger_conditions": [], "triggers": ["ops_slack"]}`)
	put("triggers/slack.json", `{"ops_slack": {"name": "Ops", "trigger_type": "slack", "config": {
		"slack_url": {"type": "environment", "value": "OPS_SLACK_HOOK"},
		"message": {"title": "${monitor.name}", "body": "${transaction.hash}"}}}}`)

	cfg, err := files.LoadDir(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(cfg.Networks), len(cfg.Monitors), len(cfg.Triggers), cfg.Triggers["ops_slack"].Slack.SlackURL)

	put("monitors/typo.json", `{"name": "Typo", "networks": ["stellar_tesnet"], "paused": false, "addresses": [],
		"match_conditions": {"functions": [], "events": [], "transactions": [{"status": "success"}]},
		"trigger_conditions": [], "triggers": ["ops_slack"], "desc": "x"}`)
	_, err = files.LoadTenants(dir)
	n := files.Report(os.Stdout, err)
	fmt.Println(n, "errors")
	// Output:
	// 1 1 1 Environment(OPS_SLACK_HOOK)
	// monitors/typo.json: match_conditions.transactions[0].status: invalid value "success" (expected one of "Any", "Success", "Failure"); values are case-sensitive: use "Success"
	// monitors/typo.json: unknown field "desc" (allowed: name, networks, paused, addresses, match_conditions, trigger_conditions, triggers, chain_configurations)
	// 2 errors
}
