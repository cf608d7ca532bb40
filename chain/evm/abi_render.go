package evm

import (
	"encoding/hex"
	"fmt"
	"math/big"
	"reflect"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
)

// renderValue renders a value go-ethereum's ABI decoder produced for type t
// the way OpenZeppelin Monitor does (docs/compatibility.md#values-as-text): integers in
// decimal, bool true/false, address and bytes as 0x lowercase hex, a string
// as itself; arrays [e1,e2] and tuples (e1,e2) whose string, address and
// bytes elements are double-quoted and whose numbers and bools are bare,
// nesting as deep as the type does. A value that does not fit t is an
// error.
func renderValue(t abi.Type, v any) (string, error) {
	var sb strings.Builder
	if err := render(&sb, t, reflect.ValueOf(v), false); err != nil {
		return "", err
	}
	return sb.String(), nil
}

// render writes v; nested says it is an element of an array or tuple,
// where text-like values are quoted.
func render(sb *strings.Builder, t abi.Type, v reflect.Value, nested bool) error {
	if !v.IsValid() {
		return fmt.Errorf("no value for %s", t.String())
	}
	quote := func(s string) {
		if nested {
			sb.WriteByte('"')
			sb.WriteString(s)
			sb.WriteByte('"')
		} else {
			sb.WriteString(s)
		}
	}
	switch t.T {
	case abi.IntTy, abi.UintTy:
		switch v.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			sb.WriteString(strconv.FormatInt(v.Int(), 10))
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			sb.WriteString(strconv.FormatUint(v.Uint(), 10))
		default:
			b, ok := v.Interface().(*big.Int)
			if !ok || b == nil {
				return fmt.Errorf("%s: got %s", t.String(), v.Type())
			}
			sb.WriteString(b.String())
		}
	case abi.BoolTy:
		if v.Kind() != reflect.Bool {
			return fmt.Errorf("bool: got %s", v.Type())
		}
		sb.WriteString(strconv.FormatBool(v.Bool()))
	case abi.StringTy:
		if v.Kind() != reflect.String {
			return fmt.Errorf("string: got %s", v.Type())
		}
		quote(v.String())
	case abi.AddressTy:
		a, ok := v.Interface().(common.Address)
		if !ok {
			return fmt.Errorf("address: got %s", v.Type())
		}
		quote("0x" + hex.EncodeToString(a[:]))
	case abi.BytesTy, abi.FixedBytesTy, abi.HashTy, abi.FunctionTy:
		var b []byte
		switch {
		case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8:
			b = v.Bytes()
		case v.Kind() == reflect.Array && v.Type().Elem().Kind() == reflect.Uint8:
			b = make([]byte, v.Len())
			reflect.Copy(reflect.ValueOf(b), v)
		default:
			return fmt.Errorf("%s: got %s", t.String(), v.Type())
		}
		quote("0x" + hex.EncodeToString(b))
	case abi.SliceTy, abi.ArrayTy:
		if (v.Kind() != reflect.Slice && v.Kind() != reflect.Array) || t.Elem == nil {
			return fmt.Errorf("%s: got %s", t.String(), v.Type())
		}
		sb.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				sb.WriteByte(',')
			}
			if err := render(sb, *t.Elem, v.Index(i), true); err != nil {
				return err
			}
		}
		sb.WriteByte(']')
	case abi.TupleTy:
		if v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct || v.NumField() != len(t.TupleElems) {
			return fmt.Errorf("%s: got %s", t.String(), v.Type())
		}
		sb.WriteByte('(')
		for i, et := range t.TupleElems {
			if i > 0 {
				sb.WriteByte(',')
			}
			if err := render(sb, *et, v.Field(i), true); err != nil {
				return err
			}
		}
		sb.WriteByte(')')
	default:
		return fmt.Errorf("type %s is not supported", t.String())
	}
	return nil
}
