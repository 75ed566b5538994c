package sqsapi

import (
	"bytes"
	"unicode/utf8"

	"github.com/batonhq/baton/sqs"
)

// Go's decoders replace invalid UTF-8 and lone UTF-16 surrogates with U+FFFD
// without a word, so a message would be stored changed. Before decoding,
// invalidChar finds such characters in the raw request; the send operations
// then refuse it with InvalidMessageContents once the queue is found.

// checkContents refuses a request holding characters its decoding would
// change.
func (c *call) checkContents() error {
	if r, bad := c.invalidChar(); bad {
		return sqs.InvalidCharacter(r, "the request")
	}
	return nil
}

// invalidChar returns the first character of a request that cannot be decoded
// unchanged: an invalid UTF-8 byte, or (JSON only) a \u escape of a lone
// surrogate.
func (c *call) invalidChar() (rune, bool) {
	if !c.json {
		for _, vs := range c.form {
			for _, v := range vs {
				if r, bad := invalidUTF8(v); bad {
					return r, true
				}
			}
		}
		return 0, false
	}
	if !utf8.Valid(c.body) {
		return invalidUTF8(string(c.body))
	}
	return loneSurrogate(c.body)
}

func invalidUTF8(s string) (rune, bool) {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return rune(s[i]), true
			}
		}
	}
	return 0, false
}

// loneSurrogate finds a \uD800–\uDFFF escape in a JSON text that is not half
// of a high-low pair written back to back.
func loneSurrogate(b []byte) (rune, bool) {
	high, lowAt := rune(0), -1 // a pending high surrogate and where its low half must start
	for i := 0; i < len(b); i++ {
		if lowAt < 0 {
			// Only escapes matter: skip to the next backslash.
			j := bytes.IndexByte(b[i:], '\\')
			if j < 0 {
				break
			}
			i += j
		}
		r, isEscape := unicodeEscape(b, i)
		if lowAt == i {
			if !isEscape || r < 0xDC00 || r > 0xDFFF {
				return high, true
			}
			lowAt = -1
			i += 5
			continue
		}
		switch {
		case !isEscape:
			if b[i] == '\\' {
				i++ // an escaped character such as \\ or \"
			}
		case r >= 0xD800 && r <= 0xDBFF:
			high, lowAt = r, i+6
			i += 5
		case r >= 0xDC00 && r <= 0xDFFF:
			return r, true
		default:
			i += 5
		}
	}
	if lowAt >= 0 {
		return high, true
	}
	return 0, false
}

// unicodeEscape decodes a \uXXXX escape starting at b[i].
func unicodeEscape(b []byte, i int) (rune, bool) {
	if i+6 > len(b) || b[i] != '\\' || b[i+1] != 'u' {
		return 0, false
	}
	var v rune
	for _, c := range b[i+2 : i+6] {
		switch {
		case '0' <= c && c <= '9':
			v = v<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			v = v<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			v = v<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}
