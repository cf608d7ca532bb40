package files

import (
	"strconv"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/monitor/ozconfig"
)

const limitsNetwork = `{"network_type": "Stellar", "slug": "stellar_testnet", "name": "t",
	"rpc_urls": [{"type_": "rpc", "url": {"type": "plain", "value": "https://rpc.example"}, "weight": 100}],
	"network_passphrase": "Test SDF Network ; September 2015", "block_time_ms": 5000, "confirmation_blocks": 1,
	"cron_schedule": "*/5 * * * * *"}`

func limitsMonitor(name string) string {
	return `{"name": "` + name + `", "networks": ["stellar_testnet"], "paused": false, "addresses": [],
		"match_conditions": {"functions": [], "events": [], "transactions": [{"status": "Any"}]},
		"trigger_conditions": [], "triggers": []}`
}

// A directory whose files add up to more than limits.tenant_bytes is
// refused, naming the file that crosses it; the files after it are not
// read.
func TestLoadDirTenantBytes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "networks/stellar_testnet.json", limitsNetwork)
	write(t, dir, "monitors/a.json", limitsMonitor("a"))
	write(t, dir, "monitors/b.json", limitsMonitor("b"))
	write(t, dir, "triggers/t.json", `{}`)
	budget := len(limitsNetwork) + len(limitsMonitor("a")) + 10
	_, err := LoadDir(dir, WithLimits(ozconfig.Limits{TenantBytes: budget}))
	want := "monitors/b.json: takes the tenant's files to " + strconv.Itoa(len(limitsNetwork)+2*len(limitsMonitor("a"))) + " bytes, over limits.tenant_bytes (" + strconv.Itoa(budget) + ")"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	if _, err := LoadDir(dir, WithLimits(ozconfig.Limits{TenantBytes: budget + 400})); err != nil {
		t.Fatalf("within the limit: %v", err)
	}
	// The item limits reach the parser too.
	_, err = LoadDir(dir, WithLimits(ozconfig.Limits{ItemBytes: 300}))
	if err == nil || !strings.Contains(err.Error(), "over limits.item_bytes (300)") {
		t.Fatalf("item bytes: %v", err)
	}
}

// Monitors with the same name of megabytes are reported in a few hundred
// bytes (it was the whole name, twice).
func TestLoadDirErrorsStaySmall(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	name := strings.Repeat("n", 2<<20)
	write(t, dir, "networks/stellar_testnet.json", limitsNetwork)
	write(t, dir, "monitors/a.json", limitsMonitor(name))
	write(t, dir, "monitors/b.json", limitsMonitor(name))
	write(t, dir, "triggers/t.json", `{}`)
	_, err := LoadDir(dir)
	if err == nil || len(err.Error()) > 1000 {
		t.Fatalf("error of %d bytes: %.300v", len(err.Error()), err)
	}
}
