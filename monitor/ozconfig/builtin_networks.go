package ozconfig

import "fmt"

// builtinNetworkJSON are the networks ozmon knows without a network file:
// public Stellar networks, Ethereum mainnet, a local development chain
// (anvil/hardhat on 127.0.0.1:8545, chain id 31337) and Solana mainnet and
// devnet exactly as OpenZeppelin Monitor 1.6 ships them in its examples
// (so its solana_kamino_deposit and solana_upgrade monitors validate). Their RPC URLs are
// placeholders for validation and `ozmon test-monitor`; the operator's
// registry says where ledgers are really fetched from.
var builtinNetworkJSON = map[string]string{
	"stellar_mainnet": `{"network_type":"Stellar","slug":"stellar_mainnet","name":"Stellar Mainnet",
		"rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":"https://mainnet.sorobanrpc.com"},"weight":100}],
		"network_passphrase":"Public Global Stellar Network ; September 2015","block_time_ms":5000,
		"confirmation_blocks":1,"cron_schedule":"*/1 * * * * *","max_past_blocks":20,"store_blocks":false}`,
	"stellar_testnet": `{"network_type":"Stellar","slug":"stellar_testnet","name":"Stellar Testnet",
		"rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":"https://soroban-testnet.stellar.org"},"weight":100}],
		"network_passphrase":"Test SDF Network ; September 2015","block_time_ms":5000,
		"confirmation_blocks":1,"cron_schedule":"*/1 * * * * *","max_past_blocks":20,"store_blocks":false}`,
	"ethereum_mainnet": `{"network_type":"EVM","slug":"ethereum_mainnet","name":"Ethereum Mainnet",
		"rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":"https://eth.drpc.org"},"weight":100}],
		"chain_id":1,"block_time_ms":12000,"confirmation_blocks":12,"cron_schedule":"*/12 * * * * *",
		"max_past_blocks":50,"store_blocks":false}`,
	"anvil_local": `{"network_type":"EVM","slug":"anvil_local","name":"Local development chain",
		"rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":"http://127.0.0.1:8545"},"weight":100}],
		"chain_id":31337,"block_time_ms":1000,"confirmation_blocks":1,"cron_schedule":"*/1 * * * * *",
		"max_past_blocks":100,"store_blocks":false}`,
	"solana_mainnet": `{"network_type":"Solana","slug":"solana_mainnet","name":"Solana Mainnet",
		"rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":"https://api.mainnet-beta.solana.com"},"weight":100}],
		"block_time_ms":400,"confirmation_blocks":32,"cron_schedule":"*/10 * * * * *","max_past_blocks":100,"store_blocks":false,
		"recovery_config":{"enabled":false,"cron_schedule":"0 */2 * * * *","max_blocks_per_run":50,"max_block_age":10000,"max_retries":5,"retry_delay_ms":500}}`,
	"solana_devnet": `{"network_type":"Solana","slug":"solana_devnet","name":"Solana Devnet",
		"rpc_urls":[{"type_":"rpc","url":{"type":"plain","value":"https://api.devnet.solana.com"},"weight":100}],
		"block_time_ms":400,"confirmation_blocks":32,"cron_schedule":"*/10 * * * * *","max_past_blocks":100,"store_blocks":false}`,
}

// BuiltinNetwork returns ozmon's built-in definition of a network, if it
// has one (stellar_mainnet, stellar_testnet, ethereum_mainnet, anvil_local,
// solana_mainnet, solana_devnet).
func BuiltinNetwork(slug string) (*Network, bool) {
	src, ok := builtinNetworkJSON[slug]
	if !ok {
		return nil, false
	}
	n, err := ParseNetwork("built-in network "+slug, []byte(src))
	if err != nil {
		// The definitions above are tested; reaching this is a build bug.
		panic(fmt.Sprintf("built-in network %s: %v", slug, err))
	}
	return n, true
}

// AddBuiltinNetworks adds the built-in definition of every network a
// monitor names but the config does not define, so a config directory
// that relies on well-known networks validates (as the OpenZeppelin
// Monitor examples do with anvil_local). It returns the slugs it added.
func (c *Config) AddBuiltinNetworks() []string {
	var added []string
	for _, m := range c.Monitors {
		for _, slug := range m.Networks {
			if _, ok := c.Networks[slug]; ok {
				continue
			}
			if n, ok := BuiltinNetwork(slug); ok {
				if c.Networks == nil {
					c.Networks = map[string]*Network{}
				}
				c.Networks[slug] = n
				added = append(added, slug)
			}
		}
	}
	return added
}
