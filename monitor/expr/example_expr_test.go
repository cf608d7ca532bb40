package expr_test

import (
	"fmt"

	"github.com/ozmon/ozmon/monitor/expr"
)

func Example() {
	e, err := expr.Parse("amount >= 2240 AND to == 'cbieltk6ybzju5up2wwqeucyklpu6aunz2bq4wwfeie3uscihmxqdama'")
	if err != nil {
		panic(err)
	}
	// The arguments of a SAC transfer(from, to, amount) call.
	args := []expr.Param{
		{Name: "from", Value: "GDF32CQINROD3E2LMCGZUDVMWTXCJFR5SBYVRJ7WAAIAS3P7DCVWZEFY", Kind: "Address"},
		{Name: "to", Value: "CBIELTK6YBZJU5UP2WWQEUCYKLPU6AUNZ2BQ4WWFEIE3USCIHMXQDAMA", Kind: "Address"},
		{Name: "amount", Value: "170141183460469231731687303715884105727", Kind: "I128"},
	}
	ok, err := e.Eval(args, expr.Stellar{})
	fmt.Println(e.Vars(), ok, err)

	// A quoted number is not a number for Stellar integer kinds: an error,
	// which the engine treats as "no match".
	e2, _ := expr.Parse("amount >= '2240'")
	ok, err = e2.Eval(args, expr.Stellar{})
	fmt.Println(ok, err)

	// Syntax errors say what and where.
	_, err = expr.Parse("(amount > 5 OR to == x))")
	fmt.Println(err)
	// Output:
	// [amount to] true <nil>
	// false type mismatch: expected a number literal for i128, found string "2240"
	// unexpected token ")" at column 24
}

func ExampleExpr_Eval_path() {
	e, _ := expr.Parse("data.myKey1 >= 1234 AND data.myKey2 == 'hello, world!'")
	args := []expr.Param{{Name: "data", Kind: "Map<String,String>", Value: `{"myKey1":1234,"myKey2":"Hello, world!"}`}}
	fmt.Println(e.Eval(args, expr.Stellar{}))
	// Output: true <nil>
}
