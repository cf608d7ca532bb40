package tenantconfig

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/monitor/ozconfig"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/files"
	"github.com/ozmon/ozmon/store/postgres"
)

// Writer applies changes to tenants' configurations in PostgreSQL.
type Writer struct {
	st   *postgres.Store
	o    options
	opts []Option
}

// New returns a Writer on st, validating with opts (give it the
// operator's limits and channel options, as `ozmon validate` uses).
func New(st *postgres.Store, opts ...Option) *Writer {
	return &Writer{st: st, o: newOptions(opts), opts: opts}
}

// Result says what Apply wrote.
type Result struct {
	Action       string // the audit action: monitor_created, trigger_disabled, config_imported, …
	ResourceType string // monitor, trigger or tenant (an import)
	ResourceID   string // the row's UUID; the tenant's for an import
	Name         string // the monitor's name or the trigger's key
	// Written counts the rows created or replaced; Skipped lists the
	// triggers of an import no monitor of the tenant could hold.
	Written int
	Skipped []string
}

// Apply makes change to the tenant's configuration for actor: it loads
// the tenant's stored configuration under the tenant's row lock, applies
// the change, validates the whole resulting configuration (what the
// workers will load, and what the change writes), checks the quotas
// (a tenant's callers; the operator may exceed them), and
// writes the rows and the audit_logs row in one transaction. Running
// workers hear of it through the tables' NOTIFY triggers.
//
// A refusal is an *Error (Code: VALIDATION_FAILED, QUOTA_EXCEEDED,
// NOT_FOUND, CONFLICT, FORBIDDEN) and writes nothing. A caller who is
// not the operator and not of the tenant gets NOT_FOUND, as for a tenant
// that does not exist.
func (w *Writer) Apply(ctx context.Context, tenantID string, actor auth.Principal, change Change) (Result, error) {
	if change == nil {
		return Result{}, errors.New("tenantconfig: apply: nil change")
	}
	if err := authorize(tenantID, actor); err != nil {
		return Result{}, err
	}
	var res Result
	err := w.st.UpdateTenantConfig(ctx, tenantID, func(ctx context.Context, c *postgres.ConfigTx) error {
		var err error
		res, err = w.apply(ctx, c, actor, change)
		return err
	})
	switch {
	case err == nil:
		return res, nil
	case errors.Is(err, store.ErrNotFound) && CodeOf(err) == "":
		return Result{}, &Error{Code: CodeNotFound, Message: "tenant not found"}
	case errors.Is(err, postgres.ErrNoMonitor):
		return Result{}, &Error{Code: CodeConflict, Message: postgres.ErrNoMonitor.Error()}
	}
	return Result{}, err
}

func (w *Writer) apply(ctx context.Context, c *postgres.ConfigTx, actor auth.Principal, change Change) (Result, error) {
	rows, err := c.Rows(ctx)
	if err != nil {
		return Result{}, err
	}
	registry, err := c.OperatorNetworks(ctx)
	if err != nil {
		return Result{}, err
	}
	s, a, cfg, err := w.check(ctx, c.Tenant(), rows, registry, actor, change)
	if err != nil {
		return Result{}, err
	}
	res, err := write(ctx, c, s, rows, cfg, a.kind == "tenant")
	if err != nil {
		return Result{}, err
	}
	res.Action, res.ResourceType, res.Name = a.action, a.kind, a.name
	if a.kind == "tenant" {
		res.ResourceID = c.Tenant().ID
	} else {
		res.ResourceID = resourceID(s, rows, a)
	}
	entry, err := auditEntry(actor, change.meta(), s, rows, a, res)
	if err != nil {
		return Result{}, err
	}
	if err := c.Audit(ctx, entry); err != nil {
		return Result{}, err
	}
	return res, nil
}

// check applies change to the tenant's stored rows in memory and runs
// every check a write makes: the whole resulting configuration's
// validation, the stored networks and (for a tenant's caller) the quotas.
// It writes nothing; Apply and Check share it so they cannot disagree.
func (w *Writer) check(ctx context.Context, t store.Tenant, rows postgres.ConfigRows, registry map[string][]byte, actor auth.Principal, change Change) (*state, audit, *ozconfig.Config, error) {
	s := newState(rows)
	a, err := change.edit(s, w.o.limits)
	if err != nil {
		return nil, audit{}, nil, err
	}
	fileset := s.files()
	// Monitors may watch the operator's networks; they are the tenant's
	// to use, not to change.
	for slug, data := range registry {
		if s.networks[slug] == nil {
			fileset["networks/"+slug+".json"] = data
		}
	}
	cfg, _, problems := Validate(ctx, fileset, w.opts...)
	if len(problems) > 0 {
		return nil, audit{}, nil, validationError(problems)
	}
	if err := checkStoredNetworks(s, cfg, registry); err != nil {
		return nil, audit{}, nil, err
	}
	// The operator sets the quotas and may go past them (`ozmon import`);
	// the workers' load still holds the tenant to them.
	if !actor.Operator {
		if err := checkQuotas(t, s, rows, cfg, registry); err != nil {
			return nil, audit{}, nil, err
		}
		if err := w.checkStorage(ctx, t, s, rows); err != nil {
			return nil, audit{}, nil, err
		}
	}
	return s, a, cfg, nil
}

// checkStoredNetworks refuses a written monitor whose first network (the
// row it hangs off) is neither the tenant's nor the operator's: a
// well-known network validates without a file, but cannot be stored.
func checkStoredNetworks(s *state, cfg *ozconfig.Config, registry map[string][]byte) error {
	var es ozconfig.ValidationErrors
	for _, k := range slices.Sorted(maps.Keys(s.monitors)) {
		it := s.monitors[k]
		m := cfg.Monitors[k]
		if !it.changed || m == nil || len(m.Networks) == 0 {
			continue
		}
		n := m.Networks[0]
		if s.networks[n] == nil && registry[n] == nil {
			es = append(es, &ozconfig.ValidationError{Source: orDefault(it.file, files.MonitorFile(k)), Path: "networks[0]",
				Msg: fmt.Sprintf("network %q is defined neither by the tenant nor in the operator's registry", ozconfig.Clip(n))})
		}
	}
	if len(es) > 0 {
		return validationError(es)
	}
	return nil
}

// write stores what the change did: new and replaced rows (networks,
// then monitors, then triggers, so each finds what it hangs off), paused
// and resumed rows, then deleted rows.
func write(ctx context.Context, c *postgres.ConfigTx, s *state, rows postgres.ConfigRows, cfg *ozconfig.Config, importing bool) (Result, error) {
	var res Result
	if len(s.monitors) == 0 && len(rows.Monitors) > 0 && len(s.triggers) > 0 {
		// Its triggers would go with the last monitor (the foreign key
		// cascades).
		return Result{}, &Error{Code: CodeConflict, Message: "the tenant's last monitor cannot be deleted while it has triggers: every trigger row belongs to a monitor; delete the triggers first"}
	}
	for _, k := range slices.Sorted(maps.Keys(s.networks)) {
		it := s.networks[k]
		if !it.changed {
			continue
		}
		n := cfg.Networks[k]
		wr, err := c.PutNetwork(ctx, k, n.Name, string(n.NetworkType), it.data, it.active)
		if err != nil {
			return Result{}, err
		}
		it.id = wr.ID
		res.Written++
	}
	for _, k := range slices.Sorted(maps.Keys(s.monitors)) {
		it := s.monitors[k]
		if !it.changed {
			continue
		}
		if it.existed && string(it.data) == string(it.before) {
			if _, err := c.SetActive(ctx, "monitor", k, it.active); err != nil {
				return Result{}, err
			}
			continue
		}
		wr, err := c.PutMonitor(ctx, k, cfg.Monitors[k].Networks[0], it.data, it.active)
		if err != nil {
			return Result{}, err
		}
		it.id = wr.ID
		res.Written++
	}
	for _, k := range slices.Sorted(maps.Keys(s.triggers)) {
		it := s.triggers[k]
		if !it.changed {
			continue
		}
		if it.existed && string(it.data) == string(it.before) {
			if _, err := c.SetActive(ctx, "trigger", k, it.active); err != nil {
				return Result{}, err
			}
			continue
		}
		if len(s.monitors) == 0 {
			// Every trigger row belongs to a monitor (tenant_triggers.
			// monitor_id is NOT NULL). An import skips such triggers, as
			// ImportTenant did.
			if importing {
				res.Skipped = append(res.Skipped, k)
				continue
			}
			return Result{}, postgres.ErrNoMonitor
		}
		wr, err := c.PutTrigger(ctx, k, string(cfg.Triggers[k].TriggerType), it.data, it.active)
		if err != nil {
			return Result{}, err
		}
		it.id = wr.ID
		res.Written++
	}
	for _, r := range rows.Triggers {
		if s.triggers[r.Name] == nil {
			if _, err := c.DeleteTrigger(ctx, r.Name); err != nil {
				return Result{}, err
			}
		}
	}
	for _, r := range rows.Monitors {
		if s.monitors[r.Name] == nil {
			if _, err := c.DeleteMonitor(ctx, r.Name); err != nil {
				return Result{}, err
			}
		}
	}
	return res, nil
}

// resourceID is the row a single-item change touched.
func resourceID(s *state, rows postgres.ConfigRows, a audit) string {
	m := s.monitors
	stored := rows.Monitors
	if a.kind == "trigger" {
		m, stored = s.triggers, rows.Triggers
	}
	if it := m[a.name]; it != nil && it.id != "" {
		return it.id
	}
	for _, r := range stored {
		if r.Name == a.name {
			return r.ID
		}
	}
	return ""
}

// auditEntry is the audit_logs row of a change: who, what, and digests
// of the item before and after (never its JSON: triggers hold secrets).
func auditEntry(actor auth.Principal, meta Meta, s *state, rows postgres.ConfigRows, a audit, res Result) (postgres.AuditEntry, error) {
	changes := map[string]any{"actor": actor.Actor()}
	if a.kind == "tenant" {
		before, after := map[string]json.RawMessage{}, map[string]json.RawMessage{}
		for kind, m := range map[string]map[string]*item{"network": s.networks, "monitor": s.monitors, "trigger": s.triggers} {
			for k, it := range m {
				if it.changed {
					after[kind+"/"+k] = it.data
					if it.existed {
						before[kind+"/"+k] = it.before
					}
				}
			}
		}
		var b, af []byte // nil (no digest) when there was nothing
		if len(before) > 0 {
			b, _ = json.Marshal(before)
		}
		if len(after) > 0 {
			af, _ = json.Marshal(after)
		}
		changes["before"], changes["after"] = digest(b), digest(af)
		changes["written"], changes["skipped"] = res.Written, len(res.Skipped)
	} else {
		m := s.monitors
		stored := rows.Monitors
		if a.kind == "trigger" {
			m, stored = s.triggers, rows.Triggers
		}
		var before, after []byte
		for _, r := range stored {
			if r.Name == a.name {
				before = r.Data
				changes["active_before"] = r.Active
			}
		}
		if it := m[a.name]; it != nil {
			after = it.data
			changes["active"] = it.active
		}
		changes["before"], changes["after"] = digest(before), digest(after)
		changes["name"] = a.name
	}
	data, err := json.Marshal(changes)
	if err != nil {
		return postgres.AuditEntry{}, fmt.Errorf("tenantconfig: audit %s: %w", a.action, err)
	}
	e := postgres.AuditEntry{Action: a.action, ResourceType: a.kind, ResourceID: res.ResourceID, Changes: data,
		IPAddress: meta.IP, UserAgent: strings.ToValidUTF8(meta.UserAgent, "")}
	if !actor.Operator {
		e.UserID, e.APIKeyID = actor.UserID, actor.KeyID
	}
	return e, nil
}
