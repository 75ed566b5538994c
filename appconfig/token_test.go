package appconfig

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTokenRoundTrip(t *testing.T) {
	d := NewData(nil, []byte("k"))
	in := token{Session: "s1", App: "abc1234", Env: "env", Profile: "prof", Seq: 7, Have: 3, Poll: 15, Bucket: 9999,
		NotTil: 1700000000123, Expires: -1}
	tok := d.sign(in)
	out, err := d.verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(out, in); diff != "" {
		t.Fatalf("(-got +want):\n%s", diff)
	}
	other := NewData(nil, []byte("other key"))
	if _, err := other.verify(tok); err == nil {
		t.Fatal("token verified under another key")
	}
	if _, err := d.verify(tok[:len(tok)-2] + "AA"); err == nil {
		t.Fatal("tampered token verified")
	}
}
