package postgres

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/ozmon/ozmon/store"
)

// listOrder is ListDeliveries' ORDER BY, column by column; desc columns
// sort descending.
var listOrder = []struct {
	col  string
	desc bool
}{
	{"created_at", true}, {"tenant_id", false}, {"monitor", false}, {"network", false},
	{"ledger", true}, {"tx_hash", false}, {"trigger", false},
}

// listOrderBy is ListDeliveries' ORDER BY clause. The columns are named
// with their table: the select list casts tenant_id to text under the
// same name, and a bare name would sort by that text, an order no index
// holds (migration 0008 indexes this one).
func listOrderBy() string {
	cols := make([]string, len(listOrder))
	for i, c := range listOrder {
		cols[i] = "ozmon_deliveries." + c.col
		if c.desc {
			cols[i] += " DESC"
		}
	}
	return strings.Join(cols, ", ")
}

// afterCondition is the keyset condition "comes after p in the list
// order", with its seven values bound from $n+1 on (in listOrder's order).
// The directions are mixed, so it is spelled out as an OR of prefixes
// rather than one row comparison; the leading created_at bound, implied
// by the OR, is what lets the index scan start at the cursor instead of
// reading and discarding every newer record.
func afterCondition(p store.DeliveryPosition, n int) (string, error) {
	if !validUUID(p.Key.TenantID) {
		return "", fmt.Errorf("page position: tenant id %q is not a UUID: %w", p.Key.TenantID, store.ErrInvalid)
	}
	if p.Key.Ledger > math.MaxInt64 {
		return "", fmt.Errorf("page position: ledger %d out of range: %w", p.Key.Ledger, store.ErrInvalid)
	}
	param := func(i int) string { return "$" + strconv.Itoa(n+i+1) }
	var terms []string
	for i, c := range listOrder {
		var parts []string
		for j := range i {
			parts = append(parts, listOrder[j].col+" = "+param(j))
		}
		op := " > "
		if c.desc {
			op = " < "
		}
		val := param(i)
		if c.col == "tenant_id" {
			val += "::uuid"
		}
		parts = append(parts, c.col+op+val)
		terms = append(terms, "("+strings.Join(parts, " AND ")+")")
	}
	return "(created_at <= " + param(0) + " AND (" + strings.Join(terms, " OR ") + "))", nil
}
