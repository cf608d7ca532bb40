package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/stellar/go-stellar-sdk/network"
)

// devTenant is one sample tenant of `ozmon dev`: its monitors are written
// against the synthetic ledgers' deterministic contracts so they fire.
type devTenant struct {
	slug     string
	monitors map[string]any
}

// writeDevConfig writes the sample tenants (an OpenZeppelin Monitor config
// directory per tenant under tenants/) for the simulator's synthetic
// network. The files are ordinary OZ configs: edit them and restart with
// --config-dir to experiment.
func writeDevConfig(dir, rpcURL, webhookURL string, token, app string) error {
	netw := map[string]any{
		"network_type": "Stellar", "slug": "stellar_testnet", "name": "Stellar Testnet (ozmon simulator)",
		"rpc_urls":           []any{map[string]any{"type_": "rpc", "url": map[string]any{"type": "plain", "value": rpcURL}, "weight": 100}},
		"network_passphrase": network.TestNetworkPassphrase, "block_time_ms": 5000, "confirmation_blocks": 1,
		"cron_schedule": "*/1 * * * * *", "max_past_blocks": 20, "store_blocks": false,
	}
	trigger := map[string]any{"dev_webhook": map[string]any{
		"name": "Dev webhook sink", "trigger_type": "webhook",
		"config": map[string]any{
			"url": map[string]any{"type": "plain", "value": webhookURL}, "method": "POST",
			"secret":  map[string]any{"type": "plain", "value": "dev-signing-secret"},
			"headers": map[string]any{"Content-Type": "application/json"},
			"message": map[string]any{"title": "${monitor.name}: tx ${transaction.hash}",
				"body": "${monitor.name}: tx ${transaction.hash}\n${events}${functions}"},
		},
	}}
	tenants := []devTenant{
		{"acme", map[string]any{"whale_transfers": map[string]any{
			"name": "Whale token transfers", "paused": false, "networks": []string{"stellar_testnet"},
			"addresses": []any{map[string]any{"address": token}},
			"match_conditions": map[string]any{
				"functions": []any{},
				// Positional names: a Stellar Asset Contract has no spec.
				"events":       []any{map[string]any{"signature": "transfer(Address,Address,String,I128)", "expression": "3 > 990000000000"}},
				"transactions": []any{},
			},
			"trigger_conditions": []any{}, "triggers": []string{"dev_webhook"},
		}}},
		{"globex", map[string]any{"big_deposits": map[string]any{
			"name": "Big app deposits", "paused": false, "networks": []string{"stellar_testnet"},
			"addresses": []any{map[string]any{"address": app}},
			"match_conditions": map[string]any{
				"functions":    []any{map[string]any{"signature": "deposit(Address,I128,String)", "expression": "amount > 995000000000"}},
				"events":       []any{},
				"transactions": []any{map[string]any{"status": "Success"}},
			},
			"trigger_conditions": []any{}, "triggers": []string{"dev_webhook"},
		}}},
		{"initech", map[string]any{"failed_app_calls": map[string]any{
			"name": "Failed calls to the app", "paused": false, "networks": []string{"stellar_testnet"},
			"addresses": []any{map[string]any{"address": app}},
			"match_conditions": map[string]any{
				"functions":    []any{map[string]any{"signature": "record(U32,String,Vec<Symbol>,Map<Symbol,U32>)"}},
				"events":       []any{},
				"transactions": []any{map[string]any{"status": "Failure"}},
			},
			"trigger_conditions": []any{}, "triggers": []string{"dev_webhook"},
		}}},
	}
	for _, t := range tenants {
		base := filepath.Join(dir, "tenants", t.slug)
		if err := writeJSON(filepath.Join(base, "networks", "stellar_testnet.json"), netw); err != nil {
			return err
		}
		if err := writeJSON(filepath.Join(base, "triggers", "webhooks.json"), trigger); err != nil {
			return err
		}
		for name, m := range t.monitors {
			if err := writeJSON(filepath.Join(base, "monitors", name+".json"), m); err != nil {
				return err
			}
		}
	}
	return nil
}

func writeJSON(path string, v any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
