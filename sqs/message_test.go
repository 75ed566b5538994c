package sqs

import (
	"strings"
	"testing"
)

func str(s string) *string { return &s }

// The vectors are from the reference (npm aws-md5-of-message-attributes).
func TestMD5OfAttributes(t *testing.T) {
	a1 := map[string]MessageAttribute{"attribName1": {DataType: "String", StringValue: str("attribValue 1")}}
	num := map[string]MessageAttribute{"customNumberTypeAttrib": {DataType: "Number.float", StringValue: str("4563442423554324324264524243.32543234")}}
	bin := map[string]MessageAttribute{"binaryAttribute": {DataType: "Binary", BinaryValue: []byte("Hello binary world!")}}
	all := map[string]MessageAttribute{}
	for _, m := range []map[string]MessageAttribute{a1, num, bin} {
		for k, v := range m {
			all[k] = v
		}
	}
	for _, tc := range []struct {
		attrs map[string]MessageAttribute
		want  string
	}{
		{a1, "19e27d4e946b072f3f58da80d94fd778"},
		{num, "9fe1b90bbd9965bdf77bac517c7d2495"},
		{bin, "31a92b15d92f8db860eda32aceb656c3"},
		{all, "c932db14a896c663f83c260297d594ff"},
		{nil, ""},
	} {
		if got := MD5OfAttributes(tc.attrs); got != tc.want {
			t.Errorf("MD5OfAttributes(%v) = %s, want %s", tc.attrs, got, tc.want)
		}
	}
	if got := MD5OfBody("hello"); got != "5d41402abc4b2a76b9719d911017c592" {
		t.Errorf("MD5OfBody = %s", got)
	}
}

func TestValidBody(t *testing.T) {
	for body, want := range map[string]bool{
		"plain":         true,
		"tab\tnl\ncr\r": true,
		"emoji 🚀":       true,
		"\uFFFD ok":     true,
		"ctrl \x01":     false,
		"bad \xff utf8": false,
		"\uFFFF":        false,
		"del \x7f":      true,
		"\x00":          false,
		"é then \x01":   false,
		"ascii, then é": true,
	} {
		if got := validBody(body); got != want {
			t.Errorf("validBody(%q) = %v, want %v", body, got, want)
		}
	}
}

func TestAttributeNames(t *testing.T) {
	for name, want := range map[string]bool{
		"a": true, "a.b-c_d": true, ".a": false, "a.": false, "a..b": false, "AWS.x": false, "amazon.y": false, "sp ace": false,
	} {
		if got := validAttrName(name); got != want {
			t.Errorf("validAttrName(%q) = %v, want %v", name, got, want)
		}
	}
}

// BenchmarkFirstInvalid measures the content check of a 256-byte ASCII
// body, the bench's message.
func BenchmarkFirstInvalid(b *testing.B) {
	body := strings.Repeat("x", 255) + "\n"
	for b.Loop() {
		if _, ok := firstInvalid(body); !ok {
			b.Fatal("invalid")
		}
	}
}

// TestFirstInvalidFastPath: the eight-bytes-at-a-time path finds what the
// rune by rune check finds, for every byte class at every offset of a
// word and around it.
func TestFirstInvalidFastPath(t *testing.T) {
	specials := []string{"\x00", "\x01", "\t", "\n", "\r", "\x1f", " ", "~", "\x7f", "\x80", "\xff", "é", "\uFFFD", "\uFFFF", "\xed\xa0\x80", "🚀", "\xc3"}
	for n := range 20 {
		for at := range n + 1 {
			for _, sp := range specials {
				for _, tail := range []string{"", "\x01", "é"} {
					s := strings.Repeat("a", at) + sp + strings.Repeat("z", n-at) + tail
					r, ok := firstInvalid(s)
					wr, wok := firstInvalidRune(s)
					if r != wr || ok != wok {
						t.Fatalf("firstInvalid(%q) = %q %v, want %q %v", s, r, ok, wr, wok)
					}
				}
			}
		}
	}
}

func FuzzFirstInvalid(f *testing.F) {
	for _, s := range []string{"", "plain", "tab\tnl\ncr\r", "0123456789abcdef\x01", "0123456789abcdef\x80", "emoji 🚀 and \uFFFF", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, ok := firstInvalid(s)
		wr, wok := firstInvalidRune(s)
		if r != wr || ok != wok {
			t.Fatalf("firstInvalid(%q) = %q %v, want %q %v", s, r, ok, wr, wok)
		}
	})
}
