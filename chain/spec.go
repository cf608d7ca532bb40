package chain

// ContractSpec is a contract's interface as a monitor sees it: OpenZeppelin
// Monitor's "formatted spec" (docs/compatibility.md#contract-specs). For
// Stellar it comes from the contract's WASM contractspecv0 section or from a
// monitor's inline contract_spec; an EVM ABI maps onto the same shape.
type ContractSpec struct {
	Functions []SpecFunction `json:"functions"`
	Events    []SpecEvent    `json:"events"`
}

// SpecFunction is one callable function.
type SpecFunction struct {
	Name      string      `json:"name"`
	Signature string      `json:"signature"` // e.g. "transfer(Address,Address,I128)"
	Inputs    []SpecInput `json:"inputs"`
}

// SpecInput is one function parameter; Kind is the type name in
// OpenZeppelin Monitor's notation ("Address", "Vec<I128>", "Bytes32", a UDT name).
type SpecInput struct {
	Index int    `json:"index"`
	Name  string `json:"name"`
	Kind  string `json:"kind"`
}

// SpecEvent is one event a contract declares.
type SpecEvent struct {
	Name         string      `json:"name"`
	PrefixTopics []string    `json:"prefix_topics"`
	Signature    string      `json:"signature"`
	Params       []SpecParam `json:"params"`
}

// ParamLocation says where an event parameter travels.
type ParamLocation string

const (
	LocationIndexed ParamLocation = "Indexed" // a topic
	LocationData    ParamLocation = "Data"    // the data value
)

// SpecParam is one event parameter.
type SpecParam struct {
	Name     string        `json:"name"`
	Kind     string        `json:"kind"`
	Location ParamLocation `json:"location"`
}

// Function returns the spec function with the given name, or nil.
func (s *ContractSpec) Function(name string) *SpecFunction {
	if s == nil {
		return nil
	}
	for i := range s.Functions {
		if s.Functions[i].Name == name {
			return &s.Functions[i]
		}
	}
	return nil
}
