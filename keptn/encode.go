package keptn

import "encoding/json"

// encodeEvent returns json.Marshal(ev): the stored body of an event. Most
// events are made of plain strings and data that is already compact JSON
// without characters the encoder escapes; those it writes directly, where
// json.Marshal reflects over the fields and compacts the data (which checks
// it). With valid set, the caller knows the data and extensions are valid
// JSON (encoding/json decoded them) and they are not checked again; without,
// json.Valid checks them. Anything else goes to json.Marshal.
// FuzzEncodeEvent holds it to json.Marshal.
func encodeEvent(ev *Event, valid bool) ([]byte, error) {
	// Room for the names and punctuation (under 200 bytes) and the values.
	n := 200 + len(ev.SpecVersion) + len(ev.ID) + len(ev.Source) + len(ev.Type) + len(ev.Time) + len(ev.ContentType) +
		len(ev.DataContentType) + len(ev.Data) + len(ev.Shkeptncontext) + len(ev.TriggeredID) + len(ev.GitCommitID) +
		len(ev.ShkeptnSpecVersion) + len(ev.ShkeptnVersion) + len(ev.Extensions)
	if b, ok := appendPlainEvent(make([]byte, 0, n), ev, valid); ok {
		return b, nil
	}
	return json.Marshal(ev)
}

// EncodeEvent returns json.Marshal(ev), the body Append would store, as
// encodeEvent writes it: for AppendEncoded, by callers that make events
// outside the store's writer.
func EncodeEvent(ev *Event) ([]byte, error) { return encodeEvent(ev, ev.validByNew()) }

// appendPlainEvent appends ev's encoding to b, or reports false when a field
// is not plain (PlainString, plainJSON).
func appendPlainEvent(b []byte, ev *Event, valid bool) ([]byte, bool) {
	if !PlainString(ev.SpecVersion) || !PlainString(ev.ID) || !PlainString(ev.Source) || !PlainString(ev.Type) ||
		!PlainString(ev.Time) || !PlainString(ev.ContentType) || !PlainString(ev.DataContentType) ||
		!PlainString(ev.Shkeptncontext) || !PlainString(ev.TriggeredID) || !PlainString(ev.GitCommitID) ||
		!PlainString(ev.ShkeptnSpecVersion) || !PlainString(ev.ShkeptnVersion) {
		return b, false
	}
	b = appendField(b, `{"specversion":`, ev.SpecVersion, false)
	b = appendField(b, `,"id":`, ev.ID, false)
	b = appendField(b, `,"source":`, ev.Source, false)
	b = appendField(b, `,"type":`, ev.Type, false)
	b = appendField(b, `,"time":`, ev.Time, false)
	b = appendField(b, `,"contenttype":`, ev.ContentType, true)
	b = appendField(b, `,"datacontenttype":`, ev.DataContentType, true)
	b = append(b, `,"data":`...)
	if ev.Data == nil {
		b = append(b, "null"...)
	} else {
		if !plainJSON(ev.Data, valid) {
			return b, false
		}
		b = append(b, ev.Data...)
	}
	b = appendField(b, `,"shkeptncontext":`, ev.Shkeptncontext, false)
	b = appendField(b, `,"triggeredid":`, ev.TriggeredID, true)
	b = appendField(b, `,"gitcommitid":`, ev.GitCommitID, true)
	b = appendField(b, `,"shkeptnspecversion":`, ev.ShkeptnSpecVersion, true)
	b = appendField(b, `,"shkeptnversion":`, ev.ShkeptnVersion, true)
	if len(ev.Extensions) > 0 {
		if !plainJSON(ev.Extensions, valid) {
			return b, false
		}
		b = append(b, `,"extensions":`...)
		b = append(b, ev.Extensions...)
	}
	return append(b, '}'), true
}

// appendField appends the member name (with its punctuation) and the plain
// string v, quoted; nothing when omitEmpty is set and v is empty.
func appendField(b []byte, name, v string, omitEmpty bool) []byte {
	if omitEmpty && v == "" {
		return b
	}
	b = append(b, name...)
	b = append(b, '"')
	b = append(b, v...)
	return append(b, '"')
}

// PlainString reports whether json.Marshal writes s as it is, in quotes:
// printable ASCII other than the quote, the backslash and the characters
// it escapes for HTML. (DEL, which it also writes as it is, is refused: a
// string that is not plain only takes the slower path.)
func PlainString(s string) bool {
	for i := 0; i < len(s); i++ {
		if !plainByte[s[i]] {
			return false
		}
	}
	return true
}

// plainByte holds, for every byte, whether PlainString lets it through.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// plainJSON reports whether raw is valid JSON that json.Marshal copies as it
// is: no whitespace to compact away outside strings, and none of what it
// escapes for HTML (<, >, &, U+2028, U+2029), which in valid JSON can only
// be inside strings. valid says raw is known to be valid JSON.
func plainJSON(raw []byte, valid bool) bool {
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case ' ', '\t', '\n', '\r':
			return false
		case '"':
			for i++; i < len(raw) && raw[i] != '"'; i++ {
				switch c := raw[i]; c {
				case '\\':
					i++
				case '<', '>', '&':
					return false
				case 0xe2: // U+2028 and U+2029 are e2 80 a8 and e2 80 a9
					if i+2 < len(raw) && raw[i+1] == 0x80 && raw[i+2]&^1 == 0xa8 {
						return false
					}
				}
			}
		}
	}
	return valid || json.Valid(raw)
}
