package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/ozmon/ozmon/internal/config"
	"github.com/ozmon/ozmon/store/envelope"
	"github.com/ozmon/ozmon/store/postgres"
)

// secretKeys builds the keyring of secrets.keys and secrets.keys_file;
// nil when neither gives a key. Errors name the file and the entry's
// position, never its text.
func secretKeys(cfg config.Secrets) (*envelope.Keyring, error) {
	entries := slices.Clone([]string(cfg.Keys))
	if cfg.KeysFile != "" {
		data, err := os.ReadFile(cfg.KeysFile)
		if err != nil {
			return nil, fmt.Errorf("secrets.keys_file: %w", err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line != "" && !strings.HasPrefix(line, "#") {
				entries = append(entries, line)
			}
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("secrets.keys_file %s: %w", cfg.KeysFile, err)
		}
	}
	if len(entries) == 0 {
		return nil, nil
	}
	k, err := envelope.ParseKeys(entries, cfg.Active)
	if err != nil {
		return nil, fmt.Errorf("secrets.keys (entries of secrets.keys first, then of secrets.keys_file): %w", err)
	}
	return k, nil
}

// postgresOptions are the store options every command opens PostgreSQL
// with.
func postgresOptions(cfg config.Config, log *slog.Logger) ([]postgres.Option, error) {
	keys, err := secretKeys(cfg.Secrets)
	if err != nil {
		return nil, err
	}
	opts := []postgres.Option{postgres.WithLogger(log)}
	if keys != nil {
		opts = append(opts, postgres.WithKeyring(keys))
	}
	return opts, nil
}

const secretsUsage = `usage: ozmon admin secrets <status|rotate> [flags]

  status   rows holding plaintext secrets, and rows sealed under each key
  rotate   re-wrap every data key under secrets.active and encrypt plaintext
           secrets; the secrets' ciphertext is kept. Run it until it reports
           no failure, then remove the old keys (docs/secrets.md).`

// runAdminSecrets is 'ozmon admin secrets': it needs PostgreSQL and the
// keys, not Redis.
func runAdminSecrets(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "status" && args[0] != "rotate") {
		fmt.Fprintln(stderr, secretsUsage)
		return exitError{2}
	}
	verb := args[0]
	cfg, st, err := parseAndOpenPostgres(ctx, "admin secrets "+verb, args[1:], stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	keys, err := secretKeys(cfg.Secrets)
	if err != nil {
		return err
	}
	if verb == "status" {
		at, err := st.SecretsAtRest(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "rows with plaintext secrets: %d\n", at.PlaintextRows)
		for _, id := range slices.Sorted(maps.Keys(at.SealedRows)) {
			note := "configured"
			switch {
			case keys != nil && id == keys.Active():
				note = "active"
			case !keys.Has(id):
				note = "NOT CONFIGURED: these rows do not load"
			}
			fmt.Fprintf(stdout, "rows sealed under key %q: %d (%s)\n", id, at.SealedRows[id], note)
		}
		return nil
	}
	r, err := st.RotateSecrets(ctx)
	if errors.Is(err, envelope.ErrNoKey) {
		return errors.New("no keys: set secrets.keys (or secrets.keys_file) and secrets.active first")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "rows rewritten: %d (secrets encrypted: %d, data keys re-wrapped: %d) under key %q\n",
		r.Rows, r.Sealed, r.Rewrapped, keys.Active())
	for _, f := range r.Failed {
		fmt.Fprintf(stdout, "failed: %v\n", f)
	}
	if len(r.Failed) > 0 {
		fmt.Fprintf(stderr, "%d row(s) not rotated; fix them and run again before removing any key\n", len(r.Failed))
		return exitError{1}
	}
	return nil
}
