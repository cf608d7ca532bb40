package auth_test

import (
	"fmt"

	"github.com/ozmon/ozmon/auth"
)

// A key's role is stored in api_keys.permissions and read back from it.
func ExampleKeyPermissions() {
	perms := auth.KeyPermissions(auth.RoleMember)
	fmt.Println(string(perms))
	fmt.Println(auth.KeyRole(perms), auth.KeyRole(perms).CanWrite(), auth.KeyRole(perms).CanManage())
	// Output:
	// [{"resource":"*","actions":["read","write"]}]
	// member true false
}
