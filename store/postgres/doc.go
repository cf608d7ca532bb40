// Package postgres is ozmon's PostgreSQL store: the tenant-isolation schema plus
// ozmon's tables (embedded migrations), read through a pgx v5 pool, reloaded by LISTEN/NOTIFY.
//
// # Getting started
//
// Open a pool and bring the schema up to date. Migrate is safe to run from
// every pod at once (it serialises on an advisory lock) and on top of a
// database the tenant-isolation API already created:
//
//	s, err := postgres.Open(ctx, os.Getenv("OZ_MONITOR_DATABASE_URL"),
//		postgres.WithLogger(logger))
//	if err != nil {
//		return err // the error never contains the password
//	}
//	defer s.Close()
//	if err := s.Migrate(ctx); err != nil {
//		return err
//	}
//
// A tenant's configuration is written through tenantconfig.Writer.Apply
// (`ozmon import` and the tenant API), which runs UpdateTenantConfig: one
// transaction under the tenant's row lock, storing each item's original
// JSON so the tenant-isolation API shows the user exactly the file they
// wrote.
//
// The pipeline then reads tenants and their configurations. A broken item
// is reported in Problems and left out, never hiding the tenant's others:
//
//	tenants, _ := s.Tenants(ctx)
//	for _, t := range tenants {
//		tc, err := s.TenantConfig(ctx, t.ID)
//		if err != nil {
//			continue
//		}
//		for _, p := range tc.Problems {
//			logger.Warn("config item skipped", "err", p)
//		}
//		use(tc.Config)
//	}
//
// and reloads a tenant when its rows change:
//
//	go s.WatchChanges(ctx, func(tenantID string) { reload(tenantID) })
//
// # Notify channel
//
// Triggers on tenants, tenant_networks, tenant_monitors, tenant_triggers
// and ozmon_tenant_settings send the changed tenant's id on a channel whose
// name Migrate stores in ozmon_settings (WithNotifyChannel, default
// "ozmon_config_changes"). Every process sharing a database must use the
// same name. WatchChanges also polls every reload interval, so a change is
// seen even if a notification is lost while reconnecting.
//
// # Secrets at rest
//
// With WithKeyring, the secrets of tenant_networks, tenant_triggers and
// ozmon_networks rows (Plain secret values, webhook headers) are sealed as
// they are written and opened as they are read (package envelope); the
// rest of each row stays the JSON the user wrote. RotateSecrets moves
// every secret under the active key, SecretsAtRest counts how they are
// stored, and CheckSecrets is the start-up policy (docs/secrets.md).
package postgres
