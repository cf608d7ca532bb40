package deploy_test

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCompose(t *testing.T) {
	t.Parallel()
	doc := yamlDoc(t, "docker-compose.yml")
	services, _ := doc["services"].(map[string]any)
	for _, s := range []string{"redis", "postgres", "migrate", "scheduler", "worker", "asynqmon", "prometheus", "grafana"} {
		if services[s] == nil {
			t.Errorf("service %s missing", s)
		}
	}
	cmd := func(s string) []any { return asList(dig(services, s, "command")) }

	redisCmd := strings.Join(func() []string {
		var out []string
		for _, a := range cmd("redis") {
			out = append(out, a.(string))
		}
		return out
	}(), " ")
	for _, want := range []string{"--maxmemory-policy noeviction", "--appendonly yes"} {
		if !strings.Contains(redisCmd, want) {
			t.Errorf("redis command %q lacks %s", redisCmd, want)
		}
	}
	for s, want := range map[string]string{"migrate": "migrate", "scheduler": "scheduler", "worker": "worker", "asynqmon": "asynqmon"} {
		if !slices.Equal(cmd(s), []any{want}) {
			t.Errorf("service %s command %v, want [%s]", s, cmd(s), want)
		}
	}
	if dig(services, "scheduler", "depends_on", "migrate", "condition") != "service_completed_successfully" {
		t.Error("scheduler does not wait for migrate to complete")
	}
	if g, _ := dig(services, "worker", "stop_grace_period").(string); g == "" {
		t.Error("worker has no stop_grace_period")
	} else if d, err := time.ParseDuration(g); err != nil || d <= 2*(30+5)*time.Second {
		t.Errorf("worker stop_grace_period %q must exceed a worker's longest stop: twice notify.send_timeout (30s) + 5s", g)
	}

	for name, svc := range services {
		// Every bind-mounted file and env file exists.
		for _, v := range asList(dig(svc, "volumes")) {
			s, _ := v.(string)
			if src, _, ok := strings.Cut(s, ":"); ok && strings.HasPrefix(src, "./") {
				if _, err := os.Stat(src); err != nil {
					t.Errorf("service %s mounts missing %s", name, src)
				}
			}
		}
		for _, f := range asList(dig(svc, "env_file")) {
			if _, err := os.Stat(f.(string)); err != nil {
				t.Errorf("service %s: env file %v missing", name, f)
			}
		}
		// Credentials never sit in the compose file itself.
		env := dig(svc, "environment")
		var keys []string
		switch e := env.(type) {
		case map[string]any:
			for k := range e {
				keys = append(keys, k)
			}
		case []any:
			for _, kv := range e {
				k, _, _ := strings.Cut(kv.(string), "=")
				keys = append(keys, k)
			}
		}
		for _, k := range keys {
			if secretLike.MatchString(k) {
				t.Errorf("service %s sets %s inline; use an env file", name, k)
			}
		}
		// Published ports stay on the loopback interface.
		for _, p := range asList(dig(svc, "ports")) {
			if s, _ := p.(string); !strings.HasPrefix(s, "127.0.0.1:") {
				t.Errorf("service %s publishes %v beyond 127.0.0.1", name, p)
			}
		}
	}
}

// TestEnvFilesAreLocalPlaceholders: the committed env files hold only values
// that announce themselves as local development placeholders.
func TestEnvFilesAreLocalPlaceholders(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("env/*.env")
	if err != nil || len(files) == 0 {
		t.Fatalf("no env files: %v", err)
	}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Errorf("%s: not KEY=value: %q", f, line)
				continue
			}
			if secretLike.MatchString(k) && !strings.Contains(v, "local-dev-only") {
				t.Errorf("%s: %s holds a value that is not a local-dev-only placeholder", f, k)
			}
		}
		fh.Close()
	}
}
