package metrics

import "time"

// TenantEvaluated counts a tenant evaluated against a ledger: the fleet
// total, and the tenant's series when per-tenant labels are on.
func (m *Metrics) TenantEvaluated(tenant string) {
	m.Evaluations.Inc()
	if m.TenantEvaluations != nil {
		m.TenantEvaluations.WithLabelValues(tenant).Inc()
	}
}

// TenantMatched counts a tenant's matches in its series when per-tenant
// labels are on (the fleet total is Matches, by network).
func (m *Metrics) TenantMatched(tenant string, n int) {
	if m.TenantMatches != nil {
		m.TenantMatches.WithLabelValues(tenant).Add(float64(n))
	}
}

// TenantDelivered counts a tenant's delivered notification in its series
// when per-tenant labels are on (the fleet total is Deliveries).
func (m *Metrics) TenantDelivered(tenant string) {
	if m.TenantDeliveries != nil {
		m.TenantDeliveries.WithLabelValues(tenant).Inc()
	}
}

// TenantScriptTime counts trigger-condition script time.
func (m *Metrics) TenantScriptTime(tenant string, d time.Duration) {
	ms := float64(d) / float64(time.Millisecond)
	m.ScriptMs.Add(ms)
	if m.TenantScriptMs != nil {
		m.TenantScriptMs.WithLabelValues(tenant).Add(ms)
	}
}

// TenantConfigError counts a broken config item of a tenant skipped.
func (m *Metrics) TenantConfigError(tenant string) {
	m.ConfigErrors.Inc()
	if m.TenantConfigErrors != nil {
		m.TenantConfigErrors.WithLabelValues(tenant).Inc()
	}
}
