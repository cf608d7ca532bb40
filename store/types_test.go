package store

import (
	"errors"
	"strings"
	"testing"
)

func TestDeliveryStatusValid(t *testing.T) {
	t.Parallel()
	for _, s := range []DeliveryStatus{DeliveryPending, DeliverySending, DeliveryDelivered, DeliveryFailed, DeliveryArchived} {
		if !s.Valid() {
			t.Errorf("%s not valid", s)
		}
	}
	if DeliveryStatus("done").Valid() {
		t.Error("done is valid")
	}
}

func TestItemErrorUnwraps(t *testing.T) {
	t.Parallel()
	inner := errors.New("boom")
	err := error(&ItemError{Tenant: "acme", Table: "tenant_triggers", Name: "hook", Err: inner})
	if !errors.Is(err, inner) {
		t.Fatal("ItemError does not unwrap")
	}
	if !strings.Contains(err.Error(), `tenant acme: tenant_triggers "hook": boom`) {
		t.Fatalf("message %q", err)
	}
}

func TestDeliveryKeyStringNamesEveryPart(t *testing.T) {
	t.Parallel()
	k := DeliveryKey{TenantID: "t1", Monitor: "m", Network: "n", Ledger: 42, TxHash: "h", Trigger: "tr"}
	s := k.String()
	for _, part := range []string{"t1", `"m"`, "n", "42", "h", `"tr"`} {
		if !strings.Contains(s, part) {
			t.Errorf("%q lacks %s", s, part)
		}
	}
}
