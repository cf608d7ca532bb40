package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ozmon/ozmon/auth"
	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/postgres"
	"github.com/ozmon/ozmon/tasks"
)

const accountsUsage = `usage: ozmon admin <what> <verb> [flags]

  tenants create --slug S [--name N] [--tier T] [quota flags]
  tenants list
  tenants storage [--tenant SLUG|ID]
                 delivery records, their bytes (kept payloads among them) and config bytes
                 per tenant, against max_storage_mb
  tenants set    --tenant SLUG|ID [--name N] [--tier T] [--active true|false] [--home-region R] [quota flags]
                 --home-region: the region serving the tenant ('' for regions.default_home;
                 docs/multi-region.md)
                 quota flags: --max-monitors --max-networks --max-triggers-per-monitor
                              --max-rpc-requests-per-minute --max-storage-mb
  keys create    --tenant SLUG|ID --name N [--role viewer|member|admin] [--expires 720h | RFC 3339]
                 prints the key once; it is never shown again
  keys list      --tenant SLUG|ID
  keys revoke    --tenant SLUG|ID --id KEY_ID
  users create   --tenant SLUG|ID --email E [--role owner|admin|member|viewer] [--password-env VAR]
                 the password is read from the environment variable VAR, else from stdin`

// runAdminAccounts is 'ozmon admin tenants|keys|users': the operator's
// bootstrap of tenants, their quotas, API keys and users without the API.
func runAdminAccounts(ctx context.Context, what string, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stderr, accountsUsage)
		return exitError{2}
	}
	verb := args[0]
	switch what + " " + verb {
	case "tenants create", "tenants list", "tenants storage", "tenants set", "keys create", "keys list", "keys revoke", "users create":
	default:
		fmt.Fprintln(stderr, accountsUsage)
		return exitError{2}
	}
	fs := flag.NewFlagSet("admin "+what+" "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cf := addCommon(fs)
	slug := fs.String("slug", "", "new tenant's slug")
	name := fs.String("name", "", "tenant name, or key name")
	tier := fs.String("tier", "", "tenant tier: critical, high, default, low")
	active := fs.String("active", "", "tenants set: true or false")
	tenant := fs.String("tenant", "", "tenant slug or id")
	role := fs.String("role", "", "role (keys: viewer, member, admin; users: also owner; default member)")
	expires := fs.String("expires", "", "key expiry: a duration from now (720h) or an RFC 3339 time; default never")
	id := fs.String("id", "", "key id")
	email := fs.String("email", "", "user's e-mail address")
	pwEnv := fs.String("password-env", "", "environment variable holding the user's password (default: read stdin)")
	var homeRegion *string
	fs.Func("home-region", "tenants set: the region serving the tenant ('' for regions.default_home)", func(s string) error {
		homeRegion = &s
		return nil
	})
	quotas := map[string]*int{}
	for _, q := range []string{"max-monitors", "max-networks", "max-triggers-per-monitor", "max-rpc-requests-per-minute", "max-storage-mb"} {
		quotas[q] = nil
		fs.Func(q, "quota "+strings.ReplaceAll(q, "-", "_"), func(s string) error {
			var v int
			if _, err := fmt.Sscan(s, &v); err != nil {
				return fmt.Errorf("want an integer")
			}
			quotas[q] = &v
			return nil
		})
	}
	cfg, err := cf.parseAndLoad(fs, args[1:])
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	st, err := openPostgres(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	q := postgres.Quotas{MaxMonitors: quotas["max-monitors"], MaxNetworks: quotas["max-networks"],
		MaxTriggersPerMonitor: quotas["max-triggers-per-monitor"], MaxRPCRequestsPerMinute: quotas["max-rpc-requests-per-minute"],
		MaxStorageMB: quotas["max-storage-mb"]}

	switch what + " " + verb {
	case "tenants create":
		if *slug == "" {
			return errors.New("tenants create: --slug is required")
		}
		t, err := st.CreateTenant(ctx, postgres.NewTenant{Slug: *slug, Name: *name, Tier: tasks.Tier(*tier), Quotas: q})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "tenant %s created: id %s\n", t.Slug, t.ID)
		return nil
	case "tenants list":
		ts, err := st.AllTenants(ctx)
		if err != nil {
			return err
		}
		return printTenants(stdout, ts)
	case "tenants storage":
		var id string
		if *tenant != "" {
			t, err := findTenant(ctx, st, *tenant)
			if err != nil {
				return err
			}
			id = t.ID
		}
		ts, err := st.TenantsStorage(ctx, id)
		if err != nil {
			return err
		}
		return printTenantsStorage(stdout, ts)
	case "tenants set":
		t, err := findTenant(ctx, st, *tenant)
		if err != nil {
			return err
		}
		ch := postgres.TenantChange{Quotas: q, HomeRegion: homeRegion}
		if *name != "" {
			ch.Name = name
		}
		if *tier != "" {
			tr := tasks.Tier(*tier)
			ch.Tier = &tr
		}
		switch *active {
		case "":
		case "true", "false":
			b := *active == "true"
			ch.Active = &b
		default:
			return fmt.Errorf("--active %q: want true or false", *active)
		}
		t, err = st.UpdateTenant(ctx, t.ID, ch)
		if err != nil {
			return err
		}
		return printTenants(stdout, []store.Tenant{t})
	case "keys create":
		return adminKeysCreate(ctx, st, *tenant, *name, *role, *expires, stdout)
	case "keys list":
		t, err := findTenant(ctx, st, *tenant)
		if err != nil {
			return err
		}
		keys, err := st.APIKeys(ctx, t.ID)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tROLE\tACTIVE\tEXPIRES\tLAST USED\tCREATED")
		for _, k := range keys {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\t%s\t%s\n", k.ID, k.Name, k.Role, k.Active, timeOrDash(k.ExpiresAt),
				timeOrDash(k.LastUsedAt), timeOrDash(k.CreatedAt))
		}
		return tw.Flush()
	case "keys revoke":
		t, err := findTenant(ctx, st, *tenant)
		if err != nil {
			return err
		}
		if *id == "" {
			return errors.New("keys revoke: --id is required")
		}
		if err := st.RevokeAPIKey(ctx, t.ID, *id); errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("keys revoke: tenant %s has no key %q", t.Slug, *id)
		} else if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "key %s revoked (refused everywhere within api.key_cache_ttl)\n", *id)
		return nil
	case "users create":
		return adminUsersCreate(ctx, st, *tenant, *email, *role, *pwEnv, stdin, stdout)
	}
	fmt.Fprintln(stderr, accountsUsage)
	return exitError{2}
}

// findTenant reads --tenant as a slug, or as an id when it is a UUID.
func findTenant(ctx context.Context, st *postgres.Store, ref string) (store.Tenant, error) {
	if ref == "" {
		return store.Tenant{}, errors.New("--tenant is required (a slug or an id)")
	}
	t, err := st.TenantBySlug(ctx, ref)
	if errors.Is(err, store.ErrNotFound) {
		t, err = st.Tenant(ctx, ref)
	}
	if errors.Is(err, store.ErrNotFound) {
		return store.Tenant{}, fmt.Errorf("unknown tenant %q (see 'ozmon admin tenants list')", ref)
	}
	return t, err
}

func printTenants(w io.Writer, ts []store.Tenant) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SLUG\tID\tNAME\tTIER\tACTIVE\tMONITORS\tNETWORKS\tTRIGGERS/MONITOR\tRPC/MIN\tSTORAGE MB")
	for _, t := range ts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\t%d\t%d\t%d\t%d\t%d\n", t.Slug, t.ID, t.Name, t.Tier, t.Active,
			t.MaxMonitors, t.MaxNetworks, t.MaxTriggers, t.MaxRPCRequestsPerMinute, t.MaxStorageMB)
	}
	return tw.Flush()
}

// printTenantsStorage prints what each tenant occupies in PostgreSQL. Its
// Redis share is not listed: asynq keys tasks by queue, not tenant, and
// finished deliver tasks leave Redis after notify.retention (1h).
func printTenantsStorage(w io.Writer, ts []postgres.TenantStorage) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "SLUG\tDELIVERIES\tLOG BYTES\tPAYLOAD BYTES\tCONFIG BYTES\tTOTAL\tQUOTA MB\tUSED\t")
	for _, t := range ts {
		used := "-"
		if t.QuotaMB > 0 {
			used = fmt.Sprintf("%.1f%%", 100*float64(t.Total())/float64(t.QuotaMB<<20))
		}
		if t.Over() {
			used += " OVER"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t\n", t.Slug, t.Deliveries, t.DeliveryBytes, t.PayloadBytes, t.ConfigBytes, t.Total(), t.QuotaMB, used)
	}
	return tw.Flush()
}

func adminKeysCreate(ctx context.Context, st *postgres.Store, tenantRef, name, role, expires string, stdout io.Writer) error {
	t, err := findTenant(ctx, st, tenantRef)
	if err != nil {
		return err
	}
	if name == "" {
		return errors.New("keys create: --name is required")
	}
	if role == "" {
		role = string(auth.RoleMember)
	}
	var exp time.Time
	if expires != "" {
		if d, err := time.ParseDuration(expires); err == nil && d > 0 {
			exp = time.Now().Add(d)
		} else if exp, err = time.Parse(time.RFC3339, expires); err != nil {
			return fmt.Errorf("--expires %q: want a positive duration (720h) or an RFC 3339 time", expires)
		}
		if !exp.After(time.Now()) {
			return fmt.Errorf("--expires %q: in the past", expires)
		}
	}
	raw, rec, err := auth.NewKey(t.ID, name, auth.Role(role), exp, auth.DefaultArgon2())
	if err != nil {
		return err
	}
	if rec, err = st.CreateAPIKey(ctx, rec); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "key %s created for tenant %s (role %s, expires %s). It is shown once:\n%s\n",
		rec.ID, t.Slug, rec.Role, timeOrDash(rec.ExpiresAt), raw)
	return nil
}

func adminUsersCreate(ctx context.Context, st *postgres.Store, tenantRef, email, role, pwEnv string, stdin io.Reader, stdout io.Writer) error {
	t, err := findTenant(ctx, st, tenantRef)
	if err != nil {
		return err
	}
	if email == "" {
		return errors.New("users create: --email is required")
	}
	if role == "" {
		role = string(auth.RoleMember)
	}
	if auth.ParseRole(role) != auth.Role(role) {
		return fmt.Errorf("--role %q: want owner, admin, member or viewer", role)
	}
	var password string
	if pwEnv != "" {
		v, ok := os.LookupEnv(pwEnv)
		if !ok {
			return fmt.Errorf("--password-env: environment variable %s is not set", pwEnv)
		}
		password = v
	} else {
		line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read password from stdin: %w", err)
		}
		password = strings.TrimRight(line, "\r\n")
	}
	hash, err := auth.HashPassword(password, auth.DefaultArgon2())
	if err != nil {
		return err
	}
	u, err := st.CreateUser(ctx, email, hash)
	if err != nil {
		return err
	}
	if err := st.AddMembership(ctx, t.ID, u.ID, auth.Role(role)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "user %s created: id %s, %s of tenant %s\n", u.Email, u.ID, role, t.Slug)
	return nil
}

func timeOrDash(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
