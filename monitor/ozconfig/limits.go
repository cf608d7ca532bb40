package ozconfig

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits bound what one tenant's configuration may hold, so that no tenant
// can make validation, import, every worker's reload or the notification
// tasks cost the others memory and time. The defaults (DefaultLimits) are
// far above any real configuration; an operator changes them with the
// limits.* keys of the process configuration. A value of 0 or less means
// the default.
//
// What each bounds:
//
//   - ExpressionBytes: one filter expression of a match condition.
//   - ListItems: the items of any one list or map in a monitor, trigger or
//     network: networks, addresses, functions, events, transactions,
//     trigger_conditions, triggers, arguments, recipients, rpc_urls, the
//     headers of a webhook, …
//   - ItemBytes: one monitor, one trigger or one network as JSON (a
//     monitor file, one entry of a trigger file, one network file, one
//     database row).
//   - TenantBytes: all of a tenant's items together (every file of its
//     config directory, or every row of its configuration).
//
// A configuration over a limit is refused with a ValidationError naming
// where (file or row, JSON path), the value found and the limit, e.g.
// "monitors/big.json: addresses: has 20000 items, over limits.list_items
// (10000)". docs/limits.md lists them for operators.
type Limits struct {
	ExpressionBytes int
	ListItems       int
	ItemBytes       int
	TenantBytes     int
}

// DefaultLimits returns the limits used when the operator sets none. A
// large real monitor (a few hundred addresses, an ABI of a few hundred KB)
// is a fraction of each.
func DefaultLimits() Limits {
	return Limits{
		ExpressionBytes: 64 << 10, // 64 KiB
		ListItems:       10_000,
		ItemBytes:       4 << 20,  // 4 MiB
		TenantBytes:     64 << 20, // 64 MiB
	}
}

// WithDefaults returns l with each unset (zero or negative) limit set to its
// default.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits()
	for _, f := range []struct{ v, def *int }{
		{&l.ExpressionBytes, &d.ExpressionBytes}, {&l.ListItems, &d.ListItems},
		{&l.ItemBytes, &d.ItemBytes}, {&l.TenantBytes, &d.TenantBytes},
	} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	return l
}

// The limits' names in messages: the process configuration keys that set
// them.
const (
	limitExpressionBytes = "limits.expression_bytes"
	limitListItems       = "limits.list_items"
	limitItemBytes       = "limits.item_bytes"
	limitTenantBytes     = "limits.tenant_bytes"
)

// limitMsg says what was found and which limit it is over.
func limitMsg(what string, found int, limit string, max int) string {
	return fmt.Sprintf("%s %d %s, over %s (%d)", what, found, unitOf(limit), limit, max)
}

func unitOf(limit string) string {
	if strings.HasSuffix(limit, "_items") {
		return "items"
	}
	return "bytes"
}

// CheckTenantBytes refuses a tenant whose items add up to more than
// TenantBytes; source names the tenant or its directory.
func (l Limits) CheckTenantBytes(source string, total int) error {
	l = l.WithDefaults()
	if total <= l.TenantBytes {
		return nil
	}
	return ValidationErrors{{Source: source, Msg: limitMsg("the configuration is", total, limitTenantBytes, l.TenantBytes)}}
}

// CheckItemBytes refuses a monitor, trigger or network of n bytes when
// that is more than ItemBytes; source names it. Callers that read a file
// check its size with it before reading.
func (l Limits) CheckItemBytes(source string, n int) error {
	l = l.WithDefaults()
	if n <= l.ItemBytes {
		return nil
	}
	return ValidationErrors{{Source: source, Msg: limitMsg("is", n, limitItemBytes, l.ItemBytes)}}
}

// checkItemBytes refuses an item of more than ItemBytes before it is
// parsed, so an oversized item costs nothing more than its length.
func (r *cfgReader) checkItemBytes(path string, n int) bool {
	if n <= r.limits.ItemBytes {
		return true
	}
	r.fail(path, "%s", limitMsg("is", n, limitItemBytes, r.limits.ItemBytes))
	return false
}

// checkListItems refuses a list or map of more than ListItems entries.
func (r *cfgReader) checkListItems(path string, n int) bool {
	if n <= r.limits.ListItems {
		return true
	}
	r.fail(path, "%s", limitMsg("has", n, limitListItems, r.limits.ListItems))
	return false
}

// maxNameChars is the longest monitor name, trigger key, network slug or
// network name, in characters: the tenant-isolation schema stores each in
// a VARCHAR(255) column, so a longer one would pass validation and fail
// at import.
const maxNameChars = 255

// checkName refuses a name longer than maxNameChars.
func (r *cfgReader) checkName(path, name string) {
	if n := utf8.RuneCountInString(name); n > maxNameChars {
		r.fail(path, "is %d characters long; at most %d fit where it is stored", n, maxNameChars)
	}
}

// ParseOption changes how ParseMonitor, ParseTrigger, ParseTriggers and
// ParseNetwork read a configuration.
type ParseOption func(*cfgReader)

// WithLimits applies l instead of DefaultLimits (zero fields keep their
// default).
func WithLimits(l Limits) ParseOption {
	return func(r *cfgReader) { r.limits = l.WithDefaults() }
}

// newReader is the reader of one document with its options applied.
func newReader(source string, opts []ParseOption) *cfgReader {
	r := &cfgReader{source: source, limits: DefaultLimits()}
	for _, o := range opts {
		o(r)
	}
	return r
}
