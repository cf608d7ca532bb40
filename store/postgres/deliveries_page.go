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

// afterCondition is the keyset condition "comes after p in the list
// order", with its seven values bound from $n+1 on (in listOrder's order).
// The directions are mixed, so it is spelled out as an OR of prefixes
// rather than one row comparison.
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
	return "(" + strings.Join(terms, " OR ") + ")", nil
}
