package ozconfig_test

import (
	"fmt"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// Parse a monitor, check it against its network and trigger, and read it.
func ExampleParseMonitor() {
	m, err := ozconfig.ParseMonitor("monitors/vault.json", []byte(`{
		"name": "Vault watch",
		"networks": ["stellar_testnet"],
		"paused": false,
		"addresses": [{"address": "CDLZFC3SYJYDZT7K67VZ75HPJVIEUVNIXF47ZG2FB2RMQQVU2HHGCYSC"}],
		"match_conditions": {
			"functions": [{"signature": "deposit(Address,I128)", "expression": "amount >= 5000000000"}],
			"events": [],
			"transactions": [{"status": "Success"}]
		},
		"trigger_conditions": [],
		"triggers": ["ops_slack"]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	f := m.MatchConditions.Functions[0]
	fmt.Println(m.Name, m.Networks, m.Triggers)
	fmt.Println(f.Signature, "if", f.Expr, "| uses amount:", f.Expr.HasVar("amount"))

	cfg := &ozconfig.Config{
		Networks: map[string]*ozconfig.Network{},
		Monitors: map[string]*ozconfig.Monitor{m.Name: m},
		Triggers: map[string]*ozconfig.Trigger{},
	}
	fmt.Println(cfg.Validate("tenant acme"))

	_, err = ozconfig.ParseMonitor("monitors/bad.json", []byte(`{"name": "bad", "networks": ["n"], "paused": false,
		"addresses": [], "match_conditions": {"functions": [{"signature": "f()", "expression": "amount >= )"}],
		"events": [], "transactions": [{"status": "success"}]}, "trigger_conditions": [], "triggers": []}`))
	fmt.Println(err)
	// Output:
	// Vault watch [stellar_testnet] [ops_slack]
	// deposit(Address,I128) if amount >= 5000000000 | uses amount: true
	// monitors/vault.json: networks[0]: unknown network "stellar_testnet" (none are defined)
	// monitors/vault.json: triggers[0]: unknown trigger "ops_slack" (none are defined)
	// monitors/bad.json: match_conditions.functions[0].expression: unexpected token ")" at column 11
	// monitors/bad.json: match_conditions.transactions[0].status: invalid value "success" (expected one of "Any", "Success", "Failure"); values are case-sensitive: use "Success"
}

// Secrets print and marshal redacted; Resolve gives the value.
func ExampleSecretValue() {
	s := ozconfig.PlainSecret("https://hooks.slack.com/services/T0/B0/XYZ")
	fmt.Println(s)
	fmt.Printf("%+v\n", struct{ URL ozconfig.SecretValue }{s})
	v, _ := s.Resolve(nil)
	fmt.Println(v)
	env := ozconfig.EnvSecret("SLACK_HOOK")
	_, err := env.Resolve(func(string) (string, bool) { return "", false })
	fmt.Println(env, err)
	// Output:
	// Plain([REDACTED])
	// {URL:Plain([REDACTED])}
	// https://hooks.slack.com/services/T0/B0/XYZ
	// Environment(SLACK_HOOK) secret cannot be resolved: environment variable SLACK_HOOK is not set
}
