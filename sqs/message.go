package sqs

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Message is a stored message as a receiver sees it.
type Message struct {
	// Row is the storage engine's identity of the message.
	Row         int64
	ID          string
	Body        string
	Attributes  map[string]MessageAttribute
	TraceHeader string
	GroupID     string
	DedupID     string
	// Seq is the FIFO sequence number (0 on standard queues).
	Seq          int64
	SentAt       time.Time
	ReceiveCount int
	FirstReceive time.Time
	// DeadLetterSource is the ARN of the queue the message was moved from.
	DeadLetterSource string
	// ReceiptHandle is set on messages returned by Receive.
	ReceiptHandle string
	// Receipt is the storage engine's nonce of the latest receive.
	Receipt int64
}

// MessageAttribute is a typed message attribute. DataType is String, Number
// or Binary, optionally followed by "." and a custom label.
type MessageAttribute struct {
	DataType         string   `json:"DataType"`
	StringValue      *string  `json:"StringValue,omitempty"`
	BinaryValue      []byte   `json:"BinaryValue,omitempty"`
	StringListValues []string `json:"StringListValues,omitempty"`
	BinaryListValues [][]byte `json:"BinaryListValues,omitempty"`
}

const maxMessageAttributes = 10

var attrNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,256}$`)

// validBody reports whether body holds only the characters SQS allows:
// #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF.
func validBody(body string) bool {
	_, ok := firstInvalid(body)
	return ok
}

// firstInvalid returns the first character of s that SQS does not allow (an
// invalid UTF-8 byte is returned as itself), or ok.
func firstInvalid(s string) (bad rune, ok bool) {
	// Fast path: printable ASCII, eight bytes at a time while no byte is
	// a control character or outside ASCII, then byte by byte (tab, newline
	// and carriage return are allowed) up to the first that needs decoding.
	start := 0
	for {
		for start+8 <= len(s) && plainASCII8(s[start:start+8]) {
			start += 8
		}
		if start == len(s) {
			return 0, true
		}
		c := s[start]
		if c >= utf8.RuneSelf || c < 0x20 && c != 0x9 && c != 0xA && c != 0xD {
			break
		}
		start++
	}
	return firstInvalidRune(s[start:])
}

// firstInvalidRune is firstInvalid rune by rune, with no fast path.
func firstInvalidRune(s string) (bad rune, ok bool) {
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return rune(s[i]), false
			}
		case r == 0x9 || r == 0xA || r == 0xD:
		case r < 0x20, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE || r == 0xFFFF:
			return r, false
		}
	}
	return 0, true
}

// plainASCII8 reports whether the 8 bytes of s are all printable ASCII
// (0x20 to 0x7F): a byte below 0x20 sets its top bit when 0x20 is
// subtracted from it (a borrow into the next byte only comes from such a
// byte), one above 0x7F has it set already.
func plainASCII8(s string) bool {
	w := binary.LittleEndian.Uint64([]byte(s))
	const ones, tops = 0x0101010101010101, 0x8080808080808080
	return (w|(w-0x20*ones))&tops == 0
}

// checkContents returns InvalidMessageContents if s holds a character SQS
// does not allow; where names the part of the message ("the message body").
func checkContents(s, where string) *Error {
	if bad, ok := firstInvalid(s); !ok {
		return InvalidCharacter(bad, where)
	}
	return nil
}

// InvalidCharacter is the InvalidMessageContents error for a character SQS
// does not allow, found in where ("the message body").
func InvalidCharacter(bad rune, where string) *Error {
	return Errorf(CodeInvalidMessageContents, "Invalid binary character '#x%X' was found in %s, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF", bad, where)
}

// numberRE is the form of a Number attribute: a decimal, optionally signed,
// with an optional exponent.
var numberRE = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// validNumber reports whether v is a number SQS accepts: up to 38 significant
// digits, from -10^128 to 10^126.
func validNumber(v string) bool {
	if !numberRE.MatchString(v) {
		return false
	}
	mantissa, _, _ := strings.Cut(strings.ToLower(v), "e")
	digits := strings.TrimLeft(strings.NewReplacer(".", "", "+", "", "-", "").Replace(mantissa), "0")
	if len(strings.TrimRight(digits, "0")) > 38 {
		return false
	}
	f, err := strconv.ParseFloat(v, 64)
	return err == nil && f >= -1e128 && f <= 1e126
}

// attributesSize is the size message attributes add to a message: names,
// data types and values.
func attributesSize(attrs map[string]MessageAttribute) int {
	size := 0
	for name, a := range attrs {
		size += len(name) + len(a.DataType) + len(a.BinaryValue)
		if a.StringValue != nil {
			size += len(*a.StringValue)
		}
	}
	return size
}

// validateAttributes checks message attributes and returns their size in
// bytes (names, types and values count toward the message size).
func validateAttributes(attrs map[string]MessageAttribute) (int, *Error) {
	if len(attrs) > maxMessageAttributes {
		return 0, Errorf(CodeInvalidParameterValue, "Number of message attributes [%d] exceeds the allowed maximum [%d].", len(attrs), maxMessageAttributes)
	}
	for _, name := range SortedNames(attrs) {
		if err := validateAttribute(name, attrs[name]); err != nil {
			return 0, err
		}
	}
	return attributesSize(attrs), nil
}

func validateAttribute(name string, a MessageAttribute) *Error {
	if !validAttrName(name) {
		return Errorf(CodeInvalidParameterValue, "Message (user) attribute name '%s' is invalid.", name)
	}
	base, _, _ := strings.Cut(a.DataType, ".")
	switch {
	case a.DataType == "":
		return Errorf(CodeInvalidParameterValue, "The message attribute '%s' must contain non-empty message attribute type.", name)
	case base != "String" && base != "Number" && base != "Binary":
		return Errorf(CodeInvalidParameterValue, "The type of message (user) attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", name)
	case (base == "String" || base == "Number") && (a.StringValue == nil || *a.StringValue == ""):
		return Errorf(CodeInvalidParameterValue, "Message (user) attribute '%s' must contain a non-empty value of type '%s'.", name, base)
	case base == "Binary" && len(a.BinaryValue) == 0:
		return Errorf(CodeInvalidParameterValue, "Message (user) attribute '%s' must contain a non-empty value of type 'Binary'.", name)
	case base == "Number" && !validNumber(*a.StringValue):
		return Errorf(CodeInvalidParameterValue, "Can't cast the value of message (user) attribute '%s' to a number.", name)
	case a.StringValue != nil:
		return checkContents(*a.StringValue, "the value of message (user) attribute '"+name+"'")
	}
	return nil
}

func validAttrName(name string) bool {
	if !attrNameRE.MatchString(name) || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.Contains(name, "..") {
		return false
	}
	lower := strings.ToLower(name)
	return !strings.HasPrefix(lower, "aws.") && !strings.HasPrefix(lower, "amazon.")
}

// MD5OfBody returns the hex MD5 of body, SQS's MD5OfMessageBody.
func MD5OfBody(body string) string {
	h := md5.Sum([]byte(body))
	return hex.EncodeToString(h[:])
}

// MD5OfAttributes returns SQS's MD5OfMessageAttributes, or "" when attrs is
// empty: names sorted; for each, length-prefixed name and data type, a
// transport byte (1 string/number, 2 binary, 3 string list, 4 binary list)
// and the length-prefixed value(s).
func MD5OfAttributes(attrs map[string]MessageAttribute) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf []byte
	field := func(b []byte) {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(b)))
		buf = append(buf, b...)
	}
	for _, n := range names {
		a := attrs[n]
		field([]byte(n))
		field([]byte(a.DataType))
		switch {
		case a.StringValue != nil:
			buf = append(buf, 1)
			field([]byte(*a.StringValue))
		case a.BinaryValue != nil:
			buf = append(buf, 2)
			field(a.BinaryValue)
		case a.StringListValues != nil:
			buf = append(buf, 3)
			for _, s := range a.StringListValues {
				field([]byte(s))
			}
		case a.BinaryListValues != nil:
			buf = append(buf, 4)
			for _, b := range a.BinaryListValues {
				field(b)
			}
		}
	}
	h := md5.Sum(buf)
	return hex.EncodeToString(h[:])
}
