package tasks

// Encoded is a payload together with its encoded form, for a caller that
// needs the bytes as well as the task (the evaluate-tenants handler keeps
// each deliver payload, compacted, in the delivery log): NewTask and
// Enqueue use JSON as it is instead of encoding the payload a second time.
type Encoded struct {
	Payload
	// JSON is Payload's encoding, as NewTask would make it.
	JSON []byte
}

// Encode encodes p once.
func Encode(p Payload) (Encoded, error) {
	js, err := encode(p)
	if err != nil {
		return Encoded{}, err
	}
	return Encoded{Payload: p, JSON: js}, nil
}

// MarshalJSON returns the encoding made once.
func (e Encoded) MarshalJSON() ([]byte, error) { return e.JSON, nil }
