package tenantconfig

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/postgres"
)

// Item is a stored monitor, trigger or network as the API shows it.
// Triggers' and networks' JSON is re-encoded from the parsed form, which
// hides plain secrets (webhook URLs, tokens, RPC URLs); monitors hold
// none and keep the tenant's bytes.
type Item struct {
	ID        string
	Name      string
	Paused    bool
	JSON      json.RawMessage
	CreatedAt time.Time
}

// Config is a tenant's stored configuration.
type Config struct {
	Tenant   store.Tenant
	Monitors []Item
	Triggers []Item
	Networks []Item
}

// Read returns the tenant's monitors, triggers and networks, paused ones
// included, each by name.
func (w *Writer) Read(ctx context.Context, tenantID string) (Config, error) {
	t, rows, err := w.st.TenantRows(ctx, tenantID)
	if errors.Is(err, store.ErrNotFound) {
		return Config{}, &Error{Code: CodeNotFound, Message: "tenant not found"}
	}
	if err != nil {
		return Config{}, err
	}
	return Config{
		Tenant:   t,
		Monitors: items(rows.Monitors, func(_ string, data []byte) (json.RawMessage, error) { return data, nil }),
		Triggers: items(rows.Triggers, redactTrigger),
		Networks: items(rows.Networks, redactNetwork),
	}, nil
}

// OperatorNetworks returns the operator's registry (read-only for
// tenants), secrets hidden, by slug.
func (w *Writer) OperatorNetworks(ctx context.Context) ([]Item, error) {
	nets, err := w.st.OperatorNetworks(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Item, 0, len(nets))
	for _, slug := range slices.Sorted(maps.Keys(nets)) {
		data, err := redactNetwork(slug, nets[slug])
		if err != nil {
			continue // the registry is the operator's to fix; startup reports it
		}
		out = append(out, Item{Name: slug, JSON: data})
	}
	return out, nil
}

// Problems returns what the workers last reported for the tenant.
func (w *Writer) Problems(ctx context.Context, tenantID string) (postgres.TenantProblems, error) {
	return w.st.TenantProblems(ctx, tenantID)
}

// AuditLog returns a page of the tenant's audit log, newest first, for
// its owners and admins (and the operator); anyone else gets FORBIDDEN,
// a caller of another tenant NOT_FOUND.
func (w *Writer) AuditLog(ctx context.Context, tenantID string, actor auth.Principal, cursor string, limit int) (postgres.AuditPage, error) {
	if !actor.Operator {
		if actor.TenantID == "" || actor.TenantID != tenantID {
			return postgres.AuditPage{}, &Error{Code: CodeNotFound, Message: "tenant not found"}
		}
		if !actor.Role.CanManage() {
			return postgres.AuditPage{}, &Error{Code: CodeForbidden, Message: fmt.Sprintf("role %s may not read the audit log", actor.Role)}
		}
	}
	return w.st.AuditLog(ctx, tenantID, cursor, limit)
}

func items(rows []postgres.ConfigRow, show func(name string, data []byte) (json.RawMessage, error)) []Item {
	out := make([]Item, 0, len(rows))
	for _, r := range rows {
		data, err := show(r.Name, r.Data)
		if err != nil {
			// A row that does not parse is shown as nothing rather than
			// raw: it may hold a secret the parser would have hidden.
			data = json.RawMessage("null")
		}
		out = append(out, Item{ID: r.ID, Name: r.Name, Paused: !r.Active, JSON: data, CreatedAt: r.CreatedAt})
	}
	slices.SortFunc(out, func(a, b Item) int {
		if a.Name < b.Name {
			return -1
		}
		if a.Name > b.Name {
			return 1
		}
		return 0
	})
	return out
}

func redactTrigger(name string, data []byte) (json.RawMessage, error) {
	key, _ := json.Marshal(name)
	t, err := ozconfig.ParseTriggers("trigger", []byte(fmt.Sprintf("{%s:%s}", key, data)))
	if err != nil || len(t) != 1 {
		return nil, fmt.Errorf("trigger %q does not parse", name)
	}
	return json.Marshal(t[0])
}

func redactNetwork(name string, data []byte) (json.RawMessage, error) {
	n, err := ozconfig.ParseNetwork("network "+name, data)
	if err != nil {
		return nil, err
	}
	return json.Marshal(n)
}
