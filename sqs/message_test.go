package sqs

import (
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
