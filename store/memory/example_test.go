package memory_test

import (
	"context"
	"fmt"

	"github.com/ozmon/ozmon/store"
	"github.com/ozmon/ozmon/store/memory"
)

// The delivery log refuses to count a second attempt of a notification
// that was delivered: the deliver handler reads the record before sending.
func ExampleStore_BeginDelivery() {
	st := memory.New()
	ctx := context.Background()
	key := store.DeliveryKey{TenantID: "acme", Monitor: "Large transfers", Network: "stellar_mainnet", Ledger: 63092982, TxHash: "ab12", Trigger: "slack"}
	d, _ := st.BeginDelivery(ctx, key, "deliver:acme:…", "slack")
	fmt.Println(d.Status, d.Attempts)
	_ = st.FinishDelivery(ctx, key, store.DeliveryDelivered, "")
	d, _ = st.BeginDelivery(ctx, key, "deliver:acme:…", "slack")
	fmt.Println(d.Status, d.Attempts)
	// Output:
	// sending 1
	// delivered 1
}
