package config_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ozmon/ozmon/internal/config"
	"github.com/ozmon/ozmon/monitor/ozconfig"
)

// The seed orchestrator's example configuration, as its README prints it.
const seedExample = `database_url: "postgresql://user:password@localhost:5432/tenant_isolation"
redis_url: "redis://localhost:6379"

worker:
  max_tenants_per_worker: 50
  health_check_interval: 30s
  tenant_reload_interval: 5m

block_cache:
  block_ttl: 60
  latest_block_ttl: 5
  key_prefix: "oz_cache"

load_balancer:
  strategy: "consistent_hashing"
  rebalance_threshold: 0.2
  min_rebalance_interval: 5m
`

func write(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSeedExampleIsAccepted(t *testing.T) {
	t.Parallel()
	c, err := config.Load(write(t, seedExample), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.RedisURL != "redis://localhost:6379" || c.BlockCache.BlockTTL.D() != time.Minute ||
		c.Worker.TenantReloadInterval.D() != 5*time.Minute || c.LoadBalancer.Strategy != "consistent_hashing" {
		t.Fatalf("parsed %+v", c)
	}
}

func TestEnvironmentOverridesFile(t *testing.T) {
	t.Parallel()
	c, err := config.Load(write(t, seedExample), []string{
		"OZ_MONITOR_REDIS_URL=redis://other:6380/2",
		"OZ_MONITOR_BLOCK_CACHE_BLOCK_TTL=90",
		"OZ_MONITOR_LOAD_BALANCER_STRATEGY=round_robin",
		"OZ_MONITOR_WORKER_TENANT_RELOAD_INTERVAL=45s",
		"REDIS_URL=ignored-without-prefix",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.RedisURL != "redis://other:6380/2" || c.BlockCache.BlockTTL.D() != 90*time.Second ||
		c.LoadBalancer.Strategy != "round_robin" || c.Worker.TenantReloadInterval.D() != 45*time.Second {
		t.Fatalf("env not applied: %+v", c)
	}
	if c.DatabaseURL == "" {
		t.Fatal("file value lost")
	}
}

func TestBadInputNamesTheKey(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"worker:\n  max_tenants_per_wroker: 3\n": "max_tenants_per_wroker",
		"load_balancer:\n  strategy: fastest\n":  "load_balancer.strategy",
		"block_cache:\n  block_ttl: soon\n":      "soon",
		"log_format: xml\n":                      "log_format",
	}
	for body, want := range cases {
		if _, err := config.Load(write(t, body), nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want it to name %q", body, err, want)
		}
	}
	if _, err := config.Load(filepath.Join(t.TempDir(), "missing.yaml"), nil); err == nil {
		t.Error("an explicit missing file was accepted")
	}
	if _, err := config.Load("", []string{"OZ_MONITOR_WORKER_CONCURRENCY=many"}); err == nil || !strings.Contains(err.Error(), "Concurrency") {
		t.Errorf("bad env value: %v", err)
	}
	if _, err := config.Load("", []string{"OZ_MONITOR_WORKER_NOTIFY_CONCURRENCY=0"}); err == nil || !strings.Contains(err.Error(), "worker.notify_concurrency: must be > 0") {
		t.Errorf("zero notify concurrency: %v", err)
	}
	q, err := config.Load("", []string{"OZ_MONITOR_WORKER_QUEUES=eval-critical:3,notify-critical:5"})
	if err != nil || q.Worker.Queues["eval-critical"] != 3 || q.Worker.Queues["notify-critical"] != 5 || len(q.Worker.Queues) != 2 {
		t.Errorf("worker queues from the environment: %v, %v", q.Worker.Queues, err)
	}
	if _, err := config.Load("", []string{"OZ_MONITOR_WORKER_QUEUES=eval-critical:0"}); err == nil || !strings.Contains(err.Error(), `worker.queues: "eval-critical" has weight 0`) {
		t.Errorf("zero queue weight: %v", err)
	}
	if _, err := config.Load("", []string{"OZ_MONITOR_NOTIFY_RETENTION=10m"}); err == nil || !strings.Contains(err.Error(), "notify.retention: 10m0s is less than 1h") {
		t.Errorf("short notify retention: %v", err)
	}
	if r, err := config.Load("", []string{"OZ_MONITOR_NOTIFY_RETENTION=24h"}); err != nil || r.Notify.Retention.D() != 24*time.Hour {
		t.Errorf("notify retention from the environment: %v, %v", r.Notify.Retention, err)
	}
	c, err := config.Load("", []string{"OZ_MONITOR_WORKER_NOTIFY_CONCURRENCY=200"})
	if err != nil || c.Worker.NotifyConcurrency != 200 || c.Worker.Concurrency != 50 {
		t.Errorf("notify concurrency from the environment: %+v, %v", c.Worker, err)
	}
}

func TestEmptyFileGivesDefaults(t *testing.T) {
	t.Parallel()
	c, err := config.Load(write(t, ""), nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.BlockCache.KeyPrefix != "oz_cache" || c.LoadBalancer.MaxTenantsPerBatch != 200 {
		t.Fatalf("defaults = %+v", c)
	}
}

func TestNotifyDeliveryKeys(t *testing.T) {
	c, err := config.Load("", []string{"OZ_MONITOR_NOTIFY_SEND_TIMEOUT=3s", "OZ_MONITOR_NOTIFY_IN_DOUBT=hold",
		"OZ_MONITOR_NOTIFY_TENANT_CONCURRENCY=4", "OZ_MONITOR_NOTIFY_DESTINATION_CONCURRENCY=9"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Notify.SendTimeout.D() != 3*time.Second || c.Notify.InDoubt != "hold" || c.Notify.TenantConcurrency != 4 || c.Notify.DestinationConcurrency != 9 {
		t.Fatalf("notify keys from the environment: %+v", c.Notify)
	}
	d := config.Defaults()
	if d.Notify.SendTimeout.D() != 30*time.Second || d.Notify.InDoubt != "resend" {
		t.Fatalf("defaults: %+v", d.Notify)
	}
	for env, want := range map[string]string{
		"OZ_MONITOR_NOTIFY_IN_DOUBT=maybe":        `notify.in_doubt: "maybe" is not resend or hold`,
		"OZ_MONITOR_NOTIFY_SEND_TIMEOUT=0s":       "notify.send_timeout: must be > 0",
		"OZ_MONITOR_NOTIFY_TENANT_CONCURRENCY=-1": "notify.tenant_concurrency",
	} {
		if _, err := config.Load("", []string{env}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error naming %q", env, err, want)
		}
	}
}

func TestSecretsKeys(t *testing.T) {
	t.Parallel()
	const k1 = "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	const k2 = "k2:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
	file := write(t, "secrets:\n  keys:\n    - "+k1+"\n    - "+k2+"\n  active: k2\n  require_encryption: true\n")
	c, err := config.Load(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Secrets.Keys) != 2 || c.Secrets.Keys[1] != k2 || c.Secrets.Active != "k2" || !c.Secrets.RequireEncryption {
		t.Fatalf("file: %d keys, active %q", len(c.Secrets.Keys), c.Secrets.Active)
	}
	for _, shown := range []string{fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%s", c.Secrets.Keys), fmt.Sprintf("%q", c.Secrets.Keys)} {
		if strings.Contains(shown, "AAECAwQF") || strings.Contains(shown, "ICEiIyQl") {
			t.Fatalf("printed configuration shows a key: %s", shown)
		}
	}
	c, err = config.Load(write(t, ""), []string{"OZ_MONITOR_SECRETS_KEYS=" + k1 + "," + k2, "OZ_MONITOR_SECRETS_ACTIVE=k1"})
	if err != nil || len(c.Secrets.Keys) != 2 || c.Secrets.Keys[0] != k1 || c.Secrets.Active != "k1" {
		t.Fatalf("environment: %d keys, %v", len(c.Secrets.Keys), err)
	}
	_, err = config.Load(write(t, "secrets:\n  require_encryption: true\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "secrets.require_encryption: set, but no key") {
		t.Fatalf("require without keys: %v", err)
	}
	_, err = config.Load(write(t, "secrets:\n  keys: [[nested]]\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "secrets.keys entry 1") {
		t.Fatalf("bad entry: %v", err)
	}
}

// TestRPCLimits: the RPC caps come from the file and the environment, for
// every network, and a network's own values win.
func TestRPCLimits(t *testing.T) {
	t.Parallel()
	c, err := config.Load(write(t, `rpc:
  max_ledger_bytes: 8388608
  networks:
    stellar_mainnet: {max_ledger_bytes: 33554432}
    ethereum_mainnet: {max_response_bytes: 134217728}
`), []string{"OZ_MONITOR_RPC_MAX_RESPONSE_BYTES=1048576"})
	if err != nil {
		t.Fatal(err)
	}
	for slug, want := range map[string]config.RPCLimits{
		"stellar_mainnet":  {MaxResponseBytes: 1 << 20, MaxLedgerBytes: 32 << 20},
		"ethereum_mainnet": {MaxResponseBytes: 128 << 20, MaxLedgerBytes: 8 << 20},
		"other":            {MaxResponseBytes: 1 << 20, MaxLedgerBytes: 8 << 20},
	} {
		if got := c.RPC.For(slug); got != want {
			t.Errorf("%s: limits %+v, want %+v", slug, got, want)
		}
	}
	if _, err := config.Load(write(t, "rpc: {networks: {x: {max_ledger_bytes: -1}}}\n"), nil); err == nil || !strings.Contains(err.Error(), "rpc.networks.x") {
		t.Errorf("a negative cap: %v, want an error naming rpc.networks.x", err)
	}
}

// The limits of a tenant's configuration come from the file and the
// environment, default to ozconfig.DefaultLimits and must be positive.
func TestLimitsKeys(t *testing.T) {
	file := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(file, []byte("limits:\n  expression_bytes: 1000\n  item_bytes: 2000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(file, []string{"OZ_MONITOR_LIMITS_LIST_ITEMS=50", "OZ_MONITOR_LIMITS_ITEM_BYTES=3000"})
	if err != nil {
		t.Fatal(err)
	}
	want := ozconfig.Limits{ExpressionBytes: 1000, ListItems: 50, ItemBytes: 3000, TenantBytes: ozconfig.DefaultLimits().TenantBytes}
	if got := c.Limits.Monitor(); got != want {
		t.Fatalf("limits = %+v, want %+v", got, want)
	}
	if got := config.Defaults().Limits.Monitor(); got != ozconfig.DefaultLimits() {
		t.Fatalf("default limits = %+v", got)
	}
	for env, want := range map[string]string{
		"OZ_MONITOR_LIMITS_LIST_ITEMS=0":      "limits.list_items: 0 must be > 0",
		"OZ_MONITOR_LIMITS_TENANT_BYTES=-1":   "limits.tenant_bytes: -1 must be > 0",
		"OZ_MONITOR_LIMITS_TENANT_BYTES=1000": "limits.item_bytes: 4194304 is more than limits.tenant_bytes (1000)",
	} {
		if _, err := config.Load("", []string{env}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want an error naming %q", env, err, want)
		}
	}
}

// The delivery log's storage keys: defaults, the environment and the file
// set them, and a value that would drop the week being written is refused.
func TestStorageKeys(t *testing.T) {
	t.Parallel()
	d, err := config.Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Storage.DeliveryRetention.D() != 90*24*time.Hour || d.Storage.MaintenanceInterval.D() != time.Hour || d.Storage.MaxPayloadBytes != 64<<10 {
		t.Fatalf("storage defaults: %+v", d.Storage)
	}
	c, err := config.Load("", []string{"OZ_MONITOR_STORAGE_DELIVERY_RETENTION=720h", "OZ_MONITOR_STORAGE_MAX_PAYLOAD_BYTES=1024"})
	if err != nil || c.Storage.DeliveryRetention.D() != 720*time.Hour || c.Storage.MaxPayloadBytes != 1024 {
		t.Fatalf("storage from the environment: %+v, %v", c.Storage, err)
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte("storage:\n  delivery_retention: 0\n  maintenance_interval: 10m\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := config.Load(path, nil)
	if err != nil || f.Storage.DeliveryRetention != 0 || f.Storage.MaintenanceInterval.D() != 10*time.Minute {
		t.Fatalf("storage from the file (0 keeps every record): %+v, %v", f.Storage, err)
	}
	for env, want := range map[string]string{
		"OZ_MONITOR_STORAGE_DELIVERY_RETENTION=48h":   "storage.delivery_retention: 48h0m0s is less than 168h",
		"OZ_MONITOR_STORAGE_MAINTENANCE_INTERVAL=48h": "storage.maintenance_interval: 48h0m0s is not within (0, 24h]",
		"OZ_MONITOR_STORAGE_MAX_PAYLOAD_BYTES=0":      "storage.max_payload_bytes: 0 must be > 0",
	} {
		if _, err := config.Load("", []string{env}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", env, err, want)
		}
	}
}
