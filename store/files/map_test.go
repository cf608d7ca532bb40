package files

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/storetest"
)

// LoadFiles reports what LoadDir reports for the same files, named the
// same way; ItemFiles lays a config out so that it loads back.
func TestLoadFilesMatchesLoadDir(t *testing.T) {
	good := map[string]string{
		"networks/stellar_testnet.json": storetest.NetworkJSON("stellar_testnet"),
		"monitors/a.json":               storetest.MonitorJSON("A", "stellar_testnet", "amount > 1", "hook"),
		"triggers/t.json":               `{"hook": ` + storetest.TriggerJSON("hook") + `}`,
	}
	bad := map[string]string{
		"networks/stellar_testnet.json": storetest.NetworkJSON("other"),
		"monitors/a.json":               storetest.MonitorJSON("A", "stellar_testnet", "amount >>> 1", "nope"),
		"monitors/b.json":               `{"name": "B", "bogus": 1}`,
		"triggers/t.json":               `{"hook": {}}`,
	}
	for name, set := range map[string]map[string]string{"good": good, "bad": bad} {
		dir := t.TempDir()
		mem := map[string][]byte{}
		for f, data := range set {
			if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(f)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, f), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
			mem[f] = []byte(data)
		}
		_, rawDir, errDir := loadDir(dir, "", nil)
		_, rawMem, errMem := LoadFiles(mem)
		if (errDir == nil) != (name == "good") {
			t.Fatalf("%s: LoadDir error %v", name, errDir)
		}
		if got, want := errText(errMem), errText(errDir); got != want {
			t.Fatalf("%s: LoadFiles reports\n%s\nLoadDir reports\n%s", name, got, want)
		}
		if !reflect.DeepEqual(rawDir, rawMem) {
			t.Fatalf("%s: raw configs differ", name)
		}
		if name == "good" {
			if _, _, err := LoadFiles(ItemFiles(rawMem)); err != nil {
				t.Fatalf("ItemFiles does not load back: %v", err)
			}
		}
	}
}

func TestLoadFilesRefusesStrayAndOversizedFiles(t *testing.T) {
	lim := ozconfig.DefaultLimits()
	lim.ItemBytes = 100
	_, _, err := LoadFiles(map[string][]byte{
		"../etc/passwd":     []byte("x"),
		"monitors/a/b.json": []byte("{}"),
		"monitors/big.json": []byte(strings.Repeat(" ", 200)),
	}, WithLimits(lim))
	got := errText(err)
	for _, want := range []string{"../etc/passwd: unexpected file", "monitors/a/b.json: unexpected file", "monitors/big.json"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
}

func errText(err error) string {
	var lines []string
	for _, e := range ozconfig.AsValidationErrors(err) {
		lines = append(lines, e.Error())
	}
	return strings.Join(lines, "\n")
}

// Names that differ only where a path could not hold them keep their
// own files.
func TestItemFilesKeepsNamesApart(t *testing.T) {
	raw := store.RawConfig{Monitors: map[string]json.RawMessage{"a/b": []byte("1"), "a_b": []byte("2"), "a%2Fb": []byte("3")}}
	if n := len(ItemFiles(raw)); n != 3 {
		t.Fatalf("%d files for 3 monitors", n)
	}
}
