package ozconfig

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// SolanaIDL is an Anchor IDL given as a Solana address's contract_spec
// (docs/compatibility.md#solana-idl): what ozmon needs of it to name and
// decode the program's instructions and events. Both shapes are read: the
// legacy one (Anchor ≤ 0.29: top-level version and name, "publicKey",
// {"defined": "Name"}, discriminators computed) that OpenZeppelin Monitor
// accepts, and the Anchor ≥ 0.30 one (address, metadata, discriminator
// arrays, "pubkey", {"defined": {"name": …}}) that it refuses.
type SolanaIDL struct {
	Name    string
	Version string
	// Legacy is true for the ≤ 0.29 shape.
	Legacy       bool
	Instructions []SolanaIDLInstruction
	Events       []SolanaIDLEvent
	// Types are the IDL's defined types by name.
	Types map[string]*SolanaIDLTypeDef
}

// SolanaIDLInstruction is one instruction: its 8-byte discriminator (the
// IDL's, or sha256("global:<snake_case name>")[:8]) and its arguments.
type SolanaIDLInstruction struct {
	Name          string
	Discriminator [8]byte
	Args          []SolanaIDLField
}

// SolanaIDLEvent is one event emitted with Anchor's emit!: its 8-byte
// discriminator (the IDL's, or sha256("event:<Name>")[:8]) and its fields.
type SolanaIDLEvent struct {
	Name          string
	Discriminator [8]byte
	Fields        []SolanaIDLField
}

// SolanaIDLField is a named, typed argument or field.
type SolanaIDLField struct {
	Name string
	Type SolanaIDLType
}

// SolanaIDLType is a Borsh type: exactly one of Prim (a primitive's name,
// e.g. "u64", "pubkey"; "publicKey" is read as "pubkey"), Vec, Option,
// COption, Array (with Len), Defined or Tuple is set.
type SolanaIDLType struct {
	Prim    string
	Vec     *SolanaIDLType
	Option  *SolanaIDLType
	COption *SolanaIDLType
	Array   *SolanaIDLType
	Len     int
	Defined string
	Tuple   []SolanaIDLType
}

// SolanaIDLTypeDef is a defined struct, enum or alias.
type SolanaIDLTypeDef struct {
	Name string
	// Kind is "struct", "enum" or "type" (an alias of Alias).
	Kind string
	// Fields of a struct; Tuple is set instead for a tuple struct.
	Fields   []SolanaIDLField
	Tuple    []SolanaIDLType
	Variants []SolanaIDLVariant
	Alias    *SolanaIDLType
}

// SolanaIDLVariant is one enum variant: no fields, named fields or tuple
// fields.
type SolanaIDLVariant struct {
	Name   string
	Fields []SolanaIDLField
	Tuple  []SolanaIDLType
}

// ParseSolanaIDL reads an Anchor IDL object. Errors name the offending
// key as a path (e.g. "instructions[2].args[0].type").
func ParseSolanaIDL(raw json.RawMessage) (*SolanaIDL, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil || top == nil {
		return nil, fmt.Errorf("an Anchor IDL must be a JSON object")
	}
	idl := &SolanaIDL{Types: map[string]*SolanaIDLTypeDef{}}
	p := &idlParser{}
	_, hasVersion := top["version"]
	_, hasName := top["name"]
	switch {
	case hasVersion || hasName:
		idl.Legacy = true
		idl.Version = p.str("version", top["version"], true)
		idl.Name = p.str("name", top["name"], true)
	default:
		// Anchor ≥ 0.30: name and version live in metadata.
		var meta map[string]json.RawMessage
		if top["metadata"] == nil || json.Unmarshal(top["metadata"], &meta) != nil || meta == nil {
			return nil, fmt.Errorf(`neither a legacy Anchor IDL (top-level "version" and "name") nor an Anchor ≥ 0.30 IDL ("address" and "metadata" with "name")`)
		}
		idl.Name = p.str("metadata.name", meta["name"], true)
		idl.Version = p.str("metadata.version", meta["version"], false)
	}
	if p.err != nil {
		return nil, p.err
	}
	// Types first: ≥ 0.30 events take their fields from them.
	for i, t := range p.list("types", top["types"], false) {
		tp := "types[" + strconv.Itoa(i) + "]"
		td := p.typeDef(tp, t)
		if td == nil {
			break
		}
		if _, dup := idl.Types[td.Name]; dup {
			p.fail(tp+".name", "type %q is defined twice", td.Name)
			break
		}
		idl.Types[td.Name] = td
	}
	seen := map[string]bool{}
	for i, it := range p.list("instructions", top["instructions"], idl.Legacy) {
		ip := "instructions[" + strconv.Itoa(i) + "]"
		o := p.object(ip, it)
		if o == nil {
			break
		}
		ins := SolanaIDLInstruction{Name: p.str(ip+".name", o["name"], true)}
		if p.err != nil {
			break
		}
		if seen[ins.Name] {
			p.fail(ip+".name", "instruction %q is defined twice", ins.Name)
			break
		}
		seen[ins.Name] = true
		ins.Args = p.fields(ip+".args", o["args"])
		if !p.discriminator(ip+".discriminator", o["discriminator"], &ins.Discriminator) {
			ins.Discriminator = anchorDiscriminator("global:" + anchorSnake(ins.Name))
		}
		idl.Instructions = append(idl.Instructions, ins)
	}
	for i, it := range p.list("events", top["events"], false) {
		ep := "events[" + strconv.Itoa(i) + "]"
		o := p.object(ep, it)
		if o == nil {
			break
		}
		ev := SolanaIDLEvent{Name: p.str(ep+".name", o["name"], true)}
		if _, ok := o["fields"]; ok {
			ev.Fields = p.fields(ep+".fields", o["fields"])
		} else if td := idl.Types[ev.Name]; td != nil && td.Kind == "struct" {
			ev.Fields = td.Fields
		}
		if !p.discriminator(ep+".discriminator", o["discriminator"], &ev.Discriminator) {
			ev.Discriminator = anchorDiscriminator("event:" + ev.Name)
		}
		idl.Events = append(idl.Events, ev)
	}
	if p.err != nil {
		return nil, p.err
	}
	return idl, nil
}

// Instruction returns the instruction with the discriminator, nil if none.
func (idl *SolanaIDL) Instruction(disc []byte) *SolanaIDLInstruction {
	if len(disc) < 8 {
		return nil
	}
	for i := range idl.Instructions {
		if string(idl.Instructions[i].Discriminator[:]) == string(disc[:8]) {
			return &idl.Instructions[i]
		}
	}
	return nil
}

// Event returns the event with the discriminator, nil if none.
func (idl *SolanaIDL) Event(disc []byte) *SolanaIDLEvent {
	if len(disc) < 8 {
		return nil
	}
	for i := range idl.Events {
		if string(idl.Events[i].Discriminator[:]) == string(disc[:8]) {
			return &idl.Events[i]
		}
	}
	return nil
}

// Signature renders an instruction or event as name(t1,t2,…) (SOL109).
func SolanaSignature(name string, fields []SolanaIDLField) string {
	var sb strings.Builder
	sb.WriteString(name)
	sb.WriteByte('(')
	for i, f := range fields {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(f.Type.String())
	}
	sb.WriteByte(')')
	return sb.String()
}

// String renders the type as OpenZeppelin Monitor does (SOL111): the
// primitive, Vec<T>, Option<T>, [T;N], the defined name or (T1,T2).
func (t SolanaIDLType) String() string {
	switch {
	case t.Vec != nil:
		return "Vec<" + t.Vec.String() + ">"
	case t.Option != nil:
		return "Option<" + t.Option.String() + ">"
	case t.COption != nil:
		return "COption<" + t.COption.String() + ">"
	case t.Array != nil:
		return "[" + t.Array.String() + ";" + strconv.Itoa(t.Len) + "]"
	case t.Defined != "":
		return t.Defined
	case t.Tuple != nil:
		parts := make([]string, len(t.Tuple))
		for i, e := range t.Tuple {
			parts[i] = e.String()
		}
		return "(" + strings.Join(parts, ",") + ")"
	}
	return t.Prim
}

// AnchorDiscriminator is sha256(preimage)[:8]: Anchor's instruction
// ("global:<snake_name>") and event ("event:<Name>") discriminators.
func anchorDiscriminator(preimage string) (d [8]byte) {
	s := sha256.Sum256([]byte(preimage))
	copy(d[:], s[:8])
	return d
}

// AnchorDiscriminator is exported for tests and tools: sha256(preimage)[:8].
func AnchorDiscriminator(preimage string) [8]byte { return anchorDiscriminator(preimage) }

// anchorSnake is Anchor's snake_case of an instruction name (legacy IDLs
// spell them camelCase; the sighash uses the Rust name): an underscore
// before each upper-case letter that follows a lower-case letter or digit,
// or that starts a new word after an acronym; everything lower-cased.
func anchorSnake(s string) string {
	rs := []rune(s)
	var sb strings.Builder
	for i, r := range rs {
		if unicode.IsUpper(r) && i > 0 {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				sb.WriteByte('_')
			}
		}
		sb.WriteRune(unicode.ToLower(r))
	}
	return sb.String()
}

// AnchorSnake is anchorSnake, for the engine's name comparison.
func AnchorSnake(s string) string { return anchorSnake(s) }

// idlParser collects the first error with its path.
type idlParser struct{ err error }

func (p *idlParser) fail(path, format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("%s: %s", path, fmt.Sprintf(format, args...))
	}
}

func (p *idlParser) str(path string, raw json.RawMessage, required bool) string {
	if raw == nil || string(raw) == "null" {
		if required {
			p.fail(path, "is required")
		}
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		p.fail(path, "expected a string, got %s", jsonKind(raw))
	}
	return s
}

func (p *idlParser) object(path string, raw json.RawMessage) map[string]json.RawMessage {
	var o map[string]json.RawMessage
	if err := json.Unmarshal(raw, &o); err != nil || o == nil {
		p.fail(path, "expected an object, got %s", jsonKind(raw))
		return nil
	}
	return o
}

func (p *idlParser) list(path string, raw json.RawMessage, required bool) []json.RawMessage {
	if raw == nil || string(raw) == "null" {
		if required {
			p.fail(path, "is required")
		}
		return nil
	}
	var l []json.RawMessage
	if err := json.Unmarshal(raw, &l); err != nil {
		p.fail(path, "expected an array, got %s", jsonKind(raw))
		return nil
	}
	if p.err != nil {
		return nil
	}
	return l
}

// discriminator reads an optional array of 8 bytes; false when absent.
func (p *idlParser) discriminator(path string, raw json.RawMessage, dst *[8]byte) bool {
	if raw == nil || string(raw) == "null" {
		return false
	}
	var bs []int
	if err := json.Unmarshal(raw, &bs); err != nil {
		p.fail(path, "expected an array of bytes, got %s", jsonKind(raw))
		return false
	}
	if len(bs) != 8 {
		p.fail(path, "has %d bytes; Anchor discriminators have 8", len(bs))
		return false
	}
	for i, b := range bs {
		if b < 0 || b > 255 {
			p.fail(path, "byte %d is %d, not 0–255", i, b)
			return false
		}
		dst[i] = byte(b)
	}
	return true
}

func (p *idlParser) fields(path string, raw json.RawMessage) []SolanaIDLField {
	var out []SolanaIDLField
	for i, it := range p.list(path, raw, false) {
		fp := path + "[" + strconv.Itoa(i) + "]"
		o := p.object(fp, it)
		if o == nil {
			return nil
		}
		f := SolanaIDLField{Name: p.str(fp+".name", o["name"], true)}
		if o["type"] == nil {
			p.fail(fp+".type", "is required")
			return nil
		}
		f.Type = p.typ(fp+".type", o["type"], 0)
		if p.err != nil {
			return nil
		}
		out = append(out, f)
	}
	return out
}

// typ reads a Type: a primitive string or one of the compound objects.
func (p *idlParser) typ(path string, raw json.RawMessage, depth int) SolanaIDLType {
	if depth > 32 {
		p.fail(path, "types nested more than 32 deep")
		return SolanaIDLType{}
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s == "publicKey" {
			s = "pubkey"
		}
		// Any name is accepted, as OpenZeppelin Monitor does; one the
		// decoder does not know makes its instruction undecodable.
		if s == "" {
			p.fail(path, "type name is empty")
		}
		return SolanaIDLType{Prim: s}
	}
	o := p.object(path, raw)
	if o == nil {
		return SolanaIDLType{}
	}
	if len(o) != 1 {
		p.fail(path, "a compound type has exactly one key (vec, option, coption, array, defined, tuple), got %d", len(o))
		return SolanaIDLType{}
	}
	for k, v := range o {
		switch k {
		case "vec", "option", "coption":
			inner := p.typ(path+"."+k, v, depth+1)
			switch k {
			case "vec":
				return SolanaIDLType{Vec: &inner}
			case "option":
				return SolanaIDLType{Option: &inner}
			}
			return SolanaIDLType{COption: &inner}
		case "array":
			var pair []json.RawMessage
			if json.Unmarshal(v, &pair) != nil || len(pair) != 2 {
				p.fail(path+".array", "expected [type, length]")
				return SolanaIDLType{}
			}
			inner := p.typ(path+".array[0]", pair[0], depth+1)
			n, err := strconv.Atoi(string(pair[1]))
			if err != nil || n < 0 || n > 1<<20 {
				p.fail(path+".array[1]", "expected a length 0–1048576, got %s", pair[1])
				return SolanaIDLType{}
			}
			return SolanaIDLType{Array: &inner, Len: n}
		case "defined":
			var name string
			if json.Unmarshal(v, &name) != nil {
				var d struct {
					Name string `json:"name"`
				}
				if json.Unmarshal(v, &d) != nil || d.Name == "" {
					p.fail(path+".defined", `expected a type name or {"name": …}`)
					return SolanaIDLType{}
				}
				name = d.Name
			}
			return SolanaIDLType{Defined: name}
		case "tuple":
			var items []json.RawMessage
			if json.Unmarshal(v, &items) != nil {
				p.fail(path+".tuple", "expected an array of types")
				return SolanaIDLType{}
			}
			t := SolanaIDLType{Tuple: make([]SolanaIDLType, len(items))}
			for i, it := range items {
				t.Tuple[i] = p.typ(path+".tuple["+strconv.Itoa(i)+"]", it, depth+1)
			}
			return t
		}
		p.fail(path, "unsupported type %q (supported: a primitive name, vec, option, coption, array, defined, tuple)", k)
	}
	return SolanaIDLType{}
}

func (p *idlParser) typeDef(path string, raw json.RawMessage) *SolanaIDLTypeDef {
	o := p.object(path, raw)
	if o == nil {
		return nil
	}
	td := &SolanaIDLTypeDef{Name: p.str(path+".name", o["name"], true)}
	if o["type"] == nil {
		p.fail(path+".type", "is required")
		return nil
	}
	t := p.object(path+".type", o["type"])
	if t == nil {
		return nil
	}
	td.Kind = p.str(path+".type.kind", t["kind"], true)
	switch td.Kind {
	case "struct":
		td.Fields, td.Tuple = p.fieldsOrTuple(path+".type.fields", t["fields"])
	case "enum":
		for i, v := range p.list(path+".type.variants", t["variants"], true) {
			vp := path + ".type.variants[" + strconv.Itoa(i) + "]"
			vo := p.object(vp, v)
			if vo == nil {
				return nil
			}
			va := SolanaIDLVariant{Name: p.str(vp+".name", vo["name"], true)}
			va.Fields, va.Tuple = p.fieldsOrTuple(vp+".fields", vo["fields"])
			td.Variants = append(td.Variants, va)
		}
	case "type":
		if t["alias"] == nil {
			p.fail(path+".type.alias", "is required for kind type")
			return nil
		}
		a := p.typ(path+".type.alias", t["alias"], 0)
		td.Alias = &a
	case "":
	default:
		p.fail(path+".type.kind", "unsupported kind %q (struct, enum or type)", td.Kind)
	}
	if p.err != nil {
		return nil
	}
	return td
}

// fieldsOrTuple reads named fields ([{name, type}]) or tuple fields
// ([type, …]); Anchor ≥ 0.30 writes tuple structs and variants so.
func (p *idlParser) fieldsOrTuple(path string, raw json.RawMessage) ([]SolanaIDLField, []SolanaIDLType) {
	items := p.list(path, raw, false)
	if len(items) == 0 {
		return nil, nil
	}
	var probe map[string]json.RawMessage
	if json.Unmarshal(items[0], &probe) == nil && probe["name"] != nil {
		return p.fields(path, raw), nil
	}
	tuple := make([]SolanaIDLType, len(items))
	for i, it := range items {
		tuple[i] = p.typ(path+"["+strconv.Itoa(i)+"]", it, 0)
	}
	return nil, tuple
}
