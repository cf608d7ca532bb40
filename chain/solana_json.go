package chain

import "encoding/json"

// MarshalJSON writes the instruction in OpenZeppelin Monitor's shape:
// accounts as an array of numbers ([] when none), not the base64 string
// encoding/json makes of a []uint8; parsed, program and programId only when
// set.
func (ix SolanaInstruction) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		ProgramIDIndex uint8           `json:"programIdIndex"`
		Accounts       []uint16        `json:"accounts"`
		Data           string          `json:"data"`
		Parsed         json.RawMessage `json:"parsed,omitempty"`
		Program        string          `json:"program,omitempty"`
		ProgramID      string          `json:"programId,omitempty"`
	}{ix.ProgramIDIndex, widen(ix.Accounts), ix.Data, ix.Parsed, ix.Program, ix.ProgramID})
}

// MarshalJSON writes the index lists as arrays of numbers.
func (l SolanaTableLookup) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		AccountKey      string   `json:"accountKey"`
		WritableIndexes []uint16 `json:"writableIndexes"`
		ReadonlyIndexes []uint16 `json:"readonlyIndexes"`
	}{l.AccountKey, widen(l.WritableIndexes), widen(l.ReadonlyIndexes)})
}

func widen(b []uint8) []uint16 {
	out := make([]uint16, len(b))
	for i, v := range b {
		out[i] = uint16(v)
	}
	return out
}
