package midnight

import (
	"encoding/json"
	"fmt"
)

// FixtureBlocks reads OpenZeppelin Monitor's Midnight block fixture
// (testdata/ozmonitor/midnight/blocks.json): a list of {"Midnight": block}
// where block is what midnight_jsonBlock's string holds. It returns each
// block's JSON.
func FixtureBlocks(data []byte) ([]json.RawMessage, error) {
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("midnight block fixture: %w", err)
	}
	out := make([]json.RawMessage, len(list))
	for i, item := range list {
		b, ok := item["Midnight"]
		if !ok || len(item) != 1 {
			return nil, fmt.Errorf("midnight block fixture: item %d is not {\"Midnight\": block}", i)
		}
		out[i] = b
	}
	return out, nil
}
