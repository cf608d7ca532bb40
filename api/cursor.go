package api

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/ozmon/ozmon/store"
)

// A cursor is a record's position in the delivery log, as base64url JSON.
// It is opaque to clients, and not a secret: it only names a record of
// the caller's own tenant, and a cursor naming another tenant is refused.
type cursor struct {
	T  time.Time `json:"t"`
	Te string    `json:"te"`
	M  string    `json:"m"`
	N  string    `json:"n"`
	L  uint64    `json:"l"`
	X  string    `json:"x"`
	Tr string    `json:"tr"`
}

func encodeCursor(p store.DeliveryPosition) string {
	js, _ := json.Marshal(cursor{T: p.CreatedAt, Te: p.Key.TenantID, M: p.Key.Monitor, N: p.Key.Network,
		L: p.Key.Ledger, X: p.Key.TxHash, Tr: p.Key.Trigger})
	return base64.RawURLEncoding.EncodeToString(js)
}

func decodeCursor(s, tenantID string) (store.DeliveryPosition, error) {
	bad := badInput("after: %q is not a cursor this API returned", clip(s))
	data, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return store.DeliveryPosition{}, bad
	}
	var c cursor
	if err := json.Unmarshal(data, &c); err != nil || c.T.IsZero() {
		return store.DeliveryPosition{}, bad
	}
	if c.Te != tenantID {
		return store.DeliveryPosition{}, bad
	}
	return store.DeliveryPosition{CreatedAt: c.T, Key: store.DeliveryKey{TenantID: c.Te, Monitor: c.M, Network: c.N,
		Ledger: c.L, TxHash: c.X, Trigger: c.Tr}}, nil
}
