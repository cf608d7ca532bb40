package store

import "time"

// DeliveryPosition is a record's place in ListDeliveries' order (newest
// first, then tenant, monitor, network, ledger descending, transaction,
// trigger): DeliveryFilter.After pages on from it.
type DeliveryPosition struct {
	CreatedAt time.Time
	Key       DeliveryKey
}

// PositionOf is d's place in the list order.
func PositionOf(d Delivery) DeliveryPosition {
	return DeliveryPosition{CreatedAt: d.CreatedAt, Key: d.Key}
}

// Precedes reports whether p comes strictly before q in ListDeliveries'
// order.
func (p DeliveryPosition) Precedes(q DeliveryPosition) bool {
	if !p.CreatedAt.Equal(q.CreatedAt) {
		return p.CreatedAt.After(q.CreatedAt)
	}
	a, b := p.Key, q.Key
	switch {
	case a.TenantID != b.TenantID:
		return a.TenantID < b.TenantID
	case a.Monitor != b.Monitor:
		return a.Monitor < b.Monitor
	case a.Network != b.Network:
		return a.Network < b.Network
	case a.Ledger != b.Ledger:
		return a.Ledger > b.Ledger
	case a.TxHash != b.TxHash:
		return a.TxHash < b.TxHash
	}
	return a.Trigger < b.Trigger
}
