package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/envelope"
)

// Tables whose configuration holds secrets (RPC URLs, webhook URLs,
// tokens, passwords, headers). Monitors hold none.
const (
	tableOperatorNetworks = "ozmon_networks"
	tableNetworks         = "tenant_networks"
	tableTriggers         = "tenant_triggers"
)

// secretTable says how to address the rows of a table with secrets.
type secretTable struct {
	name   string
	record string // column of the row's key within its tenant: part of the binding
	pk     string // column that identifies the row
	tenant bool   // rows belong to a tenant (ozmon_networks belongs to the operator)
}

func secretTables() []secretTable {
	return []secretTable{
		{name: tableOperatorNetworks, record: "slug", pk: "slug"},
		{name: tableNetworks, record: "network_id", pk: "id", tenant: true},
		{name: tableTriggers, record: "name", pk: "id", tenant: true},
	}
}

// sealConfig seals the secrets of one row about to be written. Without a
// keyring the row is written as given, and the first plaintext secret is
// reported once per Store, so that the operator learns of it without a
// warning per row.
func (s *Store) sealConfig(b envelope.Binding, data []byte) ([]byte, error) {
	if s.keys == nil {
		if st, err := envelope.Scan(data); err == nil && st.Plain > 0 {
			s.plainOnce.Do(func() {
				s.log.Warn("postgres: tenant secrets are stored in plaintext; set secrets.keys to encrypt them (see docs/secrets.md)")
			})
		}
		return data, nil
	}
	out, _, err := s.keys.Seal(b, data)
	return out, err
}

// openItems decrypts the secrets of a tenant's rows of table; a row that
// does not open becomes an *store.ItemError (naming tenant, table and row,
// never the secret) and is left out, like a row that does not parse.
func (s *Store) openItems(t store.Tenant, table string, items []namedJSON) ([]namedJSON, []error) {
	var problems []error
	kept := items[:0]
	for _, it := range items {
		data, err := s.keys.Open(envelope.Binding{Tenant: t.ID, Table: table, Record: it.name}, it.data)
		if err != nil {
			problems = append(problems, &store.ItemError{Tenant: t.Slug, Table: table, Name: it.name, Err: err})
			continue
		}
		kept = append(kept, namedJSON{name: it.name, data: data})
	}
	return kept, problems
}

// sortItemErrors orders problems by table, then row name.
func sortItemErrors(problems []error) {
	sort.SliceStable(problems, func(i, j int) bool {
		var a, b *store.ItemError
		if !errors.As(problems[i], &a) || !errors.As(problems[j], &b) {
			return false
		}
		if a.Table != b.Table {
			return a.Table < b.Table
		}
		return a.Name < b.Name
	})
}

// The JSON paths that find what envelope.Scan finds, in SQL, so that a
// start-up check reads counts instead of every row: a Plain secret with a
// string value, a string member of a "headers" object, a sealed value's
// key id.
const (
	plainSecretPath = `lax $.** ? (@."type" like_regex "^plain$" flag "i" && @."value".type() == "string")`
	plainHeaderPath = `lax $.**.headers.* ? (@.type() == "string")`
	sealedKeyIDPath = `lax $.** ? (exists(@."ozmon_sealed"))."kid"`
)

// SecretsAtRest says how the stored secrets are kept.
type SecretsAtRest struct {
	PlaintextRows int            // rows with at least one secret in plaintext
	SealedRows    map[string]int // rows with secrets sealed under each key id
}

// SecretsAtRest counts, over the tables that hold secrets, the rows with
// plaintext secrets and the rows sealed under each key.
func (s *Store) SecretsAtRest(ctx context.Context) (SecretsAtRest, error) {
	r := SecretsAtRest{SealedRows: map[string]int{}}
	for _, t := range secretTables() {
		var n int
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM `+t.name+`
			WHERE configuration @? $1::jsonpath OR configuration @? $2::jsonpath`,
			plainSecretPath, plainHeaderPath).Scan(&n); err != nil {
			return r, fmt.Errorf("postgres: count plaintext secrets in %s: %w", t.name, err)
		}
		r.PlaintextRows += n
		rows, err := s.pool.Query(ctx, `SELECT k #>> '{}', count(DISTINCT x.`+t.pk+`) FROM `+t.name+` x,
			jsonb_path_query(x.configuration, $1::jsonpath) k GROUP BY 1`, sealedKeyIDPath)
		if err != nil {
			return r, fmt.Errorf("postgres: count sealed secrets in %s: %w", t.name, err)
		}
		for rows.Next() {
			var id string
			var c int
			if err := rows.Scan(&id, &c); err != nil {
				rows.Close()
				return r, fmt.Errorf("postgres: count sealed secrets in %s: %w", t.name, err)
			}
			r.SealedRows[id] += c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return r, fmt.Errorf("postgres: count sealed secrets in %s: %w", t.name, err)
		}
	}
	return r, nil
}

// errSecretsPolicy is wrapped by CheckSecrets when the stored secrets
// break secrets.require_encryption.
var errSecretsPolicy = errors.New("secrets.require_encryption")

// CheckSecrets is the start-up check of secrets at rest. Plaintext
// secrets, or secrets sealed under a key the Store was not given, are
// logged once as a warning; with require set they refuse the start
// instead (naming secrets.require_encryption), as does a Store without keys.
func (s *Store) CheckSecrets(ctx context.Context, require bool) error {
	if require && s.keys == nil {
		return fmt.Errorf("postgres: %w is set but no key is configured (secrets.keys or secrets.keys_file)", errSecretsPolicy)
	}
	r, err := s.SecretsAtRest(ctx)
	if err != nil {
		return err
	}
	var problems []string
	if r.PlaintextRows > 0 {
		fix := "set secrets.keys and run 'ozmon admin secrets rotate'"
		if s.keys != nil {
			fix = "run 'ozmon admin secrets rotate' to encrypt them"
		}
		problems = append(problems, fmt.Sprintf("%d configuration row(s) hold secrets in plaintext: %s", r.PlaintextRows, fix))
	}
	var missing []string
	for _, id := range slices.Sorted(maps.Keys(r.SealedRows)) {
		if !s.keys.Has(id) {
			missing = append(missing, fmt.Sprintf("%q (%d rows)", clipText(id), r.SealedRows[id]))
		}
	}
	if len(missing) > 0 {
		problems = append(problems, "secrets are sealed under key(s) not in secrets.keys, so their rows do not load: "+strings.Join(missing, ", "))
	}
	if len(problems) == 0 {
		return nil
	}
	if require {
		return fmt.Errorf("postgres: %w: %s", errSecretsPolicy, strings.Join(problems, "; "))
	}
	for _, p := range problems {
		s.log.Warn("postgres: secrets at rest: " + p)
	}
	return nil
}

// SecretsRotation reports what RotateSecrets did.
type SecretsRotation struct {
	Rows      int     // rows rewritten
	Sealed    int     // plaintext secrets encrypted
	Rewrapped int     // data keys re-wrapped under the active key
	Failed    []error // rows left as they were, each naming tenant, table and row
}

// rotatePage bounds the rows RotateSecrets reads at once.
const rotatePage = 500

// RotateSecrets brings every stored secret under the active key: a data
// key wrapped under another key is re-wrapped (the secret's ciphertext is
// not touched), and a plaintext secret is sealed. Rows are rewritten one
// by one, each only if nobody changed it meanwhile; a row that fails (its
// key is missing, it was changed meanwhile) is left as it was and listed
// in Failed, and the others go on. Run it again until Failed is empty,
// then the old keys can be removed.
func (s *Store) RotateSecrets(ctx context.Context) (SecretsRotation, error) {
	var r SecretsRotation
	if s.keys == nil {
		return r, fmt.Errorf("postgres: rotate secrets: %w: no key configured (secrets.keys)", envelope.ErrNoKey)
	}
	for _, t := range secretTables() {
		if err := s.rotateTable(ctx, t, &r); err != nil {
			return r, err
		}
	}
	return r, nil
}

func (s *Store) rotateTable(ctx context.Context, t secretTable, r *SecretsRotation) error {
	sel := `SELECT x.` + t.pk + `::text, '', '', x.` + t.record + `, x.configuration::text FROM ` + t.name + ` x`
	if t.tenant {
		sel = `SELECT x.id::text, x.tenant_id::text, tn.slug, x.` + t.record + `, x.configuration::text
			FROM ` + t.name + ` x JOIN tenants tn ON tn.id = x.tenant_id`
	}
	sel += ` WHERE x.` + t.pk + `::text > $1 ORDER BY x.` + t.pk + `::text LIMIT ` + fmt.Sprint(rotatePage)
	type row struct{ pk, tenant, slug, record, data string }
	for last := ""; ; {
		rows, err := s.pool.Query(ctx, sel, last)
		if err != nil {
			return fmt.Errorf("postgres: rotate secrets: read %s: %w", t.name, err)
		}
		var page []row
		for rows.Next() {
			var w row
			if err := rows.Scan(&w.pk, &w.tenant, &w.slug, &w.record, &w.data); err != nil {
				rows.Close()
				return fmt.Errorf("postgres: rotate secrets: read %s: %w", t.name, err)
			}
			page = append(page, w)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("postgres: rotate secrets: read %s: %w", t.name, err)
		}
		for _, w := range page {
			fail := func(err error) {
				r.Failed = append(r.Failed, &store.ItemError{Tenant: w.slug, Table: t.name, Name: w.record, Err: err})
			}
			out, st, err := s.keys.Reseal(envelope.Binding{Tenant: w.tenant, Table: t.name, Record: w.record}, []byte(w.data))
			if err != nil {
				fail(err)
				continue
			}
			if st.Sealed+st.Rewrapped == 0 {
				continue
			}
			tag, err := s.pool.Exec(ctx, `UPDATE `+t.name+` SET configuration = $1::jsonb
				WHERE `+t.pk+`::text = $2 AND configuration = $3::jsonb`, string(out), w.pk, w.data)
			if err != nil {
				fail(err)
				continue
			}
			if tag.RowsAffected() == 0 {
				fail(errors.New("changed while rotating; run the rotation again"))
				continue
			}
			r.Rows++
			r.Sealed += st.Sealed
			r.Rewrapped += st.Rewrapped
		}
		if len(page) < rotatePage {
			return nil
		}
		last = page[len(page)-1].pk
	}
}

// clipText bounds a stored value repeated in a message.
func clipText(s string) string {
	const max = 200
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "…"
}
