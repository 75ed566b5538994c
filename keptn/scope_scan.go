package keptn

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// scopeOfValid returns what Scope returns for data, which must be valid
// JSON (Ingest calls it once the event's encoding has checked that). It
// reads the top-level members of an object in one pass, where Scope's
// json.Unmarshal takes two (it validates first) and boxes every value it
// keeps; the ingest path runs it for every posted event.
//
// It keeps json.Unmarshal's answer into three `any` fields read leniently:
// names match case-insensitively (bytes.EqualFold, as the decoder folds
// them), the last member of a name wins, a string is the value and any
// other value clears it, except a number out of float64's range, which the
// decoder does not store. Names and strings with escapes or invalid UTF-8
// go through json.Unmarshal itself. FuzzScopeOfValid holds it to that.
func scopeOfValid(data []byte) (project, stage, service string) {
	var v [3]string
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return "", "", "" // not an object: nothing to read
	}
	i = skipSpace(data, i+1)
	if data[i] == '}' {
		return "", "", ""
	}
	for {
		end := skipString(data, i)
		field := scopeField(data[i:end])
		i = skipSpace(data, end)
		i = skipSpace(data, i+1) // the colon
		end = skipValue(data, i)
		if field >= 0 {
			switch c := data[i]; {
			case c == '"':
				v[field] = unquote(data[i:end])
			case c == '-' || '0' <= c && c <= '9':
				if _, err := strconv.ParseFloat(string(data[i:end]), 64); err == nil {
					v[field] = ""
				}
			default: // null, a boolean, an object or an array
				v[field] = ""
			}
		}
		i = skipSpace(data, end)
		if data[i] == '}' {
			return v[0], v[1], v[2]
		}
		i = skipSpace(data, i+1) // the comma
	}
}

// scopeNames are the names scopeField looks for, in the order of Scope's
// results.
var scopeNames = [3][]byte{[]byte("project"), []byte("stage"), []byte("service")}

// scopeField returns the index in scopeNames of the member name quoted, or
// -1.
func scopeField(quoted []byte) int {
	name := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(name, '\\') >= 0 {
		name = []byte(unquote(quoted))
	}
	for k, n := range scopeNames {
		if bytes.EqualFold(name, n) {
			return k
		}
	}
	return -1
}

// unquote returns the string the JSON string quoted holds, as json.Unmarshal
// reads it.
func unquote(quoted []byte) string {
	s := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(s, '\\') < 0 && utf8.Valid(s) {
		return string(s)
	}
	var out string
	_ = json.Unmarshal(quoted, &out)
	return out
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index just past the string that starts at i.
func skipString(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}

// skipValue returns the index just past the value that starts at i.
func skipValue(data []byte, i int) int {
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for i < len(data) {
			switch data[i] {
			case '"':
				i = skipString(data, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	}
	for i < len(data) { // a number or a literal
		switch data[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}
