package sqsapi

import (
	"encoding/binary"
	"unicode/utf8"
)

// The JSON bodies of SendMessage and SendMessageBatch, one per message sent,
// nearly always have one plain shape: an object of string members with the
// exact member names, strings without escapes. decodeSendMessage and
// decodeSendBatch read that shape in one pass without reflection and report
// false for anything else (another member, a number, null, an escape, a
// control character, invalid UTF-8, a repeated Entries, malformed JSON),
// which the caller then decodes with encoding/json. Whenever they accept a
// body, the result is exactly what encoding/json would have decoded
// (FuzzSendJSON checks it).

// plainJSON reads the plain shape.
type plainJSON struct {
	b []byte
	i int
}

func (p *plainJSON) skipSpace() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// next consumes c, after optional white space, if it comes next.
func (p *plainJSON) next(c byte) bool {
	p.skipSpace()
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// end reports whether only white space is left.
func (p *plainJSON) end() bool {
	p.skipSpace()
	return p.i == len(p.b)
}

// str reads a string without escapes.
func (p *plainJSON) str() (string, bool) {
	if !p.next('"') {
		return "", false
	}
	start, ascii := p.i, true
	for ; p.i < len(p.b); p.i++ {
		for p.i+8 <= len(p.b) && plainString8(p.b[p.i:p.i+8]) {
			p.i += 8
		}
		if p.i == len(p.b) {
			break
		}
		switch c := p.b[p.i]; {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			if !ascii && !utf8.Valid(s) {
				return "", false
			}
			return string(s), true
		case c == '\\' || c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", false
}

// plainString8 reports whether none of the 8 bytes of b ends a plain string
// or needs a look: a quote, a backslash, a control character or a byte
// outside ASCII. Per byte x, a byte below 0x20 sets its top bit in x-0x20,
// one above 0x7F has it set, and a byte equal to c is zero in x^c, which sets
// the top bit of (x^c)-1 but not of x^c (a borrow into the next byte only
// comes from a byte that is flagged itself).
func plainString8(b []byte) bool {
	const ones, tops = 0x0101010101010101, 0x8080808080808080
	w := binary.LittleEndian.Uint64(b)
	q, bs := w^('"'*ones), w^('\\'*ones)
	return (w|(w-0x20*ones)|((q-ones)&^q)|((bs-ones)&^bs))&tops == 0
}

// member reads `"name":"value"`.
func (p *plainJSON) member() (name, value string, ok bool) {
	if name, ok = p.str(); !ok || !p.next(':') {
		return "", "", false
	}
	value, ok = p.str()
	return name, value, ok
}

// entry sets a send entry's member; false for a member it does not know.
func (e *sendEntry) set(name, value string) bool {
	switch name {
	case "MessageBody":
		e.MessageBody = value
	case "MessageGroupId":
		e.MessageGroupID = value
	case "MessageDeduplicationId":
		e.MessageDeduplicationID = value
	default:
		return false
	}
	return true
}

// decodeSendMessage decodes a plain SendMessage body.
func decodeSendMessage(b []byte) (queueURL string, e sendEntry, ok bool) {
	p := plainJSON{b: b}
	if !p.next('{') {
		return "", sendEntry{}, false
	}
	if p.next('}') {
		return "", sendEntry{}, p.end()
	}
	for {
		name, value, ok := p.member()
		if !ok {
			return "", sendEntry{}, false
		}
		if name == "QueueUrl" {
			queueURL = value
		} else if !e.set(name, value) {
			return "", sendEntry{}, false
		}
		if p.next(',') {
			continue
		}
		if p.next('}') && p.end() {
			return queueURL, e, true
		}
		return "", sendEntry{}, false
	}
}

// decodeSendBatch decodes a plain SendMessageBatch body.
func decodeSendBatch(b []byte) (queueURL string, entries []sendEntry, ok bool) {
	p := plainJSON{b: b}
	if !p.next('{') {
		return "", nil, false
	}
	if p.next('}') {
		return "", nil, p.end()
	}
	seenEntries := false
	for {
		name, ok := p.str()
		if !ok || !p.next(':') {
			return "", nil, false
		}
		switch {
		case name == "QueueUrl":
			if queueURL, ok = p.str(); !ok {
				return "", nil, false
			}
		case name == "Entries" && !seenEntries:
			seenEntries = true
			if entries, ok = p.entries(); !ok {
				return "", nil, false
			}
		default:
			return "", nil, false
		}
		if p.next(',') {
			continue
		}
		if p.next('}') && p.end() {
			return queueURL, entries, true
		}
		return "", nil, false
	}
}

// entries reads an array of plain batch entries.
func (p *plainJSON) entries() ([]sendEntry, bool) {
	if !p.next('[') {
		return nil, false
	}
	entries := make([]sendEntry, 0, 10)
	if p.next(']') {
		return entries, true
	}
	for {
		if !p.next('{') {
			return nil, false
		}
		var e sendEntry
		if !p.next('}') {
			for {
				name, value, ok := p.member()
				if !ok {
					return nil, false
				}
				if name == "Id" {
					e.ID = value
				} else if !e.set(name, value) {
					return nil, false
				}
				if p.next(',') {
					continue
				}
				if p.next('}') {
					break
				}
				return nil, false
			}
		}
		entries = append(entries, e)
		if p.next(',') {
			continue
		}
		if p.next(']') {
			return entries, true
		}
		return nil, false
	}
}
