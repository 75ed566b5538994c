package sqsapi

import (
	"encoding/json"
	"testing"
)

// The send outputs' hand-written JSON is byte for byte what encoding/json
// writes for them, for every combination of optional fields and for strings
// that need escaping.
func TestSendOutputJSON(t *testing.T) {
	strs := []string{"", "b1", "0123456789abcdef0123456789abcdef", "a\"b", `back\slash`, "<tag>&", "é ü", "ctl\x01\n", "\xff", "\u2028"}
	var outs []sendOutput
	for i, s := range strs {
		o := strs[(i+1)%len(strs)]
		outs = append(outs,
			sendOutput{MD5OfMessageBody: s, MessageID: o},
			sendOutput{ID: s, MD5OfMessageBody: o, MD5OfMessageAttributes: s, MD5OfMessageSystemAttributes: o, MessageID: s, SequenceNumber: o},
			sendOutput{ID: o, MD5OfMessageBody: s, MD5OfMessageSystemAttributes: s, MessageID: o, SequenceNumber: s},
		)
	}
	for _, o := range outs {
		checkJSON(t, &o)
	}
	fail := []batchError{{ID: "x", SenderFault: true, Code: "InvalidParameterValue", Message: "bad <body> \"here\""}}
	for _, b := range []sendBatchOutput{
		{},
		{Successful: []sendOutput{}, Failed: []batchError{}},
		{Successful: outs[:1], Failed: []batchError{}},
		{Successful: outs, Failed: fail},
		{Successful: nil, Failed: fail},
		{Successful: outs[3:7]},
	} {
		checkJSON(t, &b)
	}
}

func checkJSON(t *testing.T, o jsonAppender) {
	t.Helper()
	want, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	if got := o.appendJSON(nil); string(got) != string(want) {
		t.Errorf("appendJSON:\n got %s\nwant %s", got, want)
	}
}

func BenchmarkSendBatchOutputJSON(b *testing.B) {
	o := &sendBatchOutput{Failed: []batchError{}}
	for i := range 10 {
		o.Successful = append(o.Successful, sendOutput{ID: string(rune('0' + i)), MD5OfMessageBody: "0123456789abcdef0123456789abcdef",
			MessageID: "0b7b7d5c-7b8e-4f62-9d7e-2b8f8f4f2a61"})
	}
	b.Run("reflect", func(b *testing.B) {
		for b.Loop() {
			json.Marshal(o)
		}
	})
	b.Run("append", func(b *testing.B) {
		for b.Loop() {
			o.appendJSON(make([]byte, 0, jsonSize(o)))
		}
	})
}

// splitQueuePath accepts exactly /<12 digits>/<name>, slashes around it
// aside.
func TestSplitQueuePath(t *testing.T) {
	for path, want := range map[string][2]string{
		"/000000000000/q":    {"000000000000", "q"},
		"000000000000/q/":    {"000000000000", "q"},
		"//123456789012/q//": {"123456789012", "q"},
		"/":                  {},
		"":                   {},
		"/000000000000":      {},
		"/000000000000/":     {},
		"/000000000000//q":   {},
		"/000000000000/q/r":  {},
		"/00000000000/q":     {},
		"/00000000000a/q":    {},
	} {
		a, n := splitQueuePath(path)
		if got := [2]string{a, n}; got != want {
			t.Errorf("splitQueuePath(%q) = %q, want %q", path, got, want)
		}
	}
}
