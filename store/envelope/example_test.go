package envelope_test

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/ozmon/ozmon/store/envelope"
)

// A trigger's webhook URL sealed for one tenant's row, then opened again;
// the same row read as another tenant's does not open.
func Example() {
	kek := bytes.Repeat([]byte{7}, envelope.KeySize) // in production: 32 random bytes from secrets.keys
	keys, err := envelope.NewKeyring(map[string][]byte{"2026-01": kek}, "")
	if err != nil {
		panic(err)
	}
	row := envelope.Binding{Tenant: "7b0c1a52-0000-4000-8000-000000000001", Table: "tenant_triggers", Record: "ops_hook"}
	trigger := []byte(`{"trigger_type":"webhook","config":{"url":{"type":"plain","value":"https://hooks.example/T0KEN"},"method":"POST"}}`)

	stored, st, err := keys.Seal(row, trigger)
	if err != nil {
		panic(err)
	}
	fmt.Println("sealed:", st.Sealed, "token at rest:", strings.Contains(string(stored), "T0KEN"))

	opened, err := keys.Open(row, stored)
	if err != nil {
		panic(err)
	}
	fmt.Println("token after open:", strings.Contains(string(opened), "T0KEN"))

	row.Tenant = "7b0c1a52-0000-4000-8000-000000000002"
	_, err = keys.Open(row, stored)
	fmt.Println(err)
	// Output:
	// sealed: 1 token at rest: false
	// token after open: true
	// envelope: /config/url/value: secret does not decrypt under key "2026-01": it belongs to another tenant, record or field, or was altered
}
