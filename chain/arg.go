package chain

// Arg is one decoded ABI argument of an EVM function call or event, as
// OpenZeppelin Monitor exposes it: Value is rendered as
// docs/compatibility.md#values-as-text says (addresses and bytes 0x lowercase hex, numbers decimal,
// arrays [a,b], tuples (a,"b")), Kind is the ABI type string (uint256,
// address, tuple, string[] …), Indexed is set for indexed event inputs.
type Arg struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	Kind    string `json:"kind"`
	Indexed bool   `json:"indexed"`
}
