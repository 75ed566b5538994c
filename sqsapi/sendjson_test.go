package sqsapi

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

var sendJSONSeeds = []string{
	`{"MessageBody":"hello","QueueUrl":"http://127.0.0.1:8080/000000000000/q"}`,
	`{"QueueUrl":"http://h/000000000000/q.fifo","MessageBody":"é ü 漢","MessageGroupId":"g","MessageDeduplicationId":"d"}`,
	` { "QueueUrl" : "u" , "MessageBody" : "b" } ` + "\n",
	`{"Entries":[{"Id":"0","MessageBody":"a"},{"Id":"1","MessageBody":"b","MessageGroupId":"g"}],"QueueUrl":"u"}`,
	`{"QueueUrl":"u","Entries":[]}`,
	`{"QueueUrl":"u","Entries":[{}]}`,
	`{}`, `{"QueueUrl":"u","QueueUrl":"v"}`, `{"MessageBody":"a\"b"}`, `{"MessageBody":"\u00e9"}`,
	`{"MessageBody":"b","DelaySeconds":5}`, `{"messagebody":"x"}`, `{"MessageBody":null}`, `{"MessageBody":"x"} x`,
	`{"Entries":[{"Id":"0"}],"Entries":[{"Id":"1"}]}`, `{"MessageBody":"` + "\xff" + `"}`, `{"MessageBody":"` + "\x01" + `"}`,
	`{"Entries":[{"Id":"0","MessageBody":"a"},]}`, `{"QueueUrl":"u",}`, `[]`, `{"Id":"x","MessageBody":"y"}`,
	`{"MessageBody":"b","MessageAttributes":{"a":{"DataType":"String","StringValue":"v"}}}`,
	// Long strings, read eight bytes at a time up to what needs a look.
	`{"QueueUrl":"http://127.0.0.1:8080/000000000000/q","MessageBody":"0123456789abcdefghij"}`,
	`{"MessageBody":"0123456789abcdef\"0123456789"}`, `{"MessageBody":"0123456789abcdefé0123456789"}`,
	`{"MessageBody":"0123456789abcdef` + "\x1f" + `0123456789"}`, `{"MessageBody":"0123456789abcde` + "\xff" + `"}`,
	`{"MessageBody":"01234567\\n89abcdef"}`, `{"MessageBody":"0123456789abcdef\u007f~ !#0123"}`,
	`{"MessageBody":"0123456789abcdef` + "\x7f" + `~ !#01234567"}`,
}

// Whatever body the plain decoders accept, encoding/json decodes to the
// same values; the bodies the SDKs send are accepted.
func FuzzSendJSON(f *testing.F) {
	for _, s := range sendJSONSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) { checkSendJSON(t, body) })
}

func TestSendJSON(t *testing.T) {
	for _, s := range sendJSONSeeds {
		checkSendJSON(t, s)
	}
	for i, s := range sendJSONSeeds[:6] { // the plain ones
		_, _, ok1 := decodeSendMessage([]byte(s))
		_, _, ok2 := decodeSendBatch([]byte(s))
		if !ok1 && !ok2 {
			t.Errorf("seed %d %s: not decoded as plain", i, s)
		}
	}
}

func checkSendJSON(t *testing.T, body string) {
	t.Helper()
	if url, e, ok := decodeSendMessage([]byte(body)); ok {
		var want struct {
			QueueURL string `json:"QueueUrl"`
			sendEntry
		}
		if err := json.Unmarshal([]byte(body), &want); err != nil {
			t.Fatalf("%q: plain SendMessage decoded, encoding/json fails: %v", body, err)
		}
		if url != want.QueueURL || !reflect.DeepEqual(e, want.sendEntry) {
			t.Fatalf("%q: plain SendMessage %q %+v, encoding/json %q %+v", body, url, e, want.QueueURL, want.sendEntry)
		}
	}
	if url, entries, ok := decodeSendBatch([]byte(body)); ok {
		var want struct {
			QueueURL string `json:"QueueUrl"`
			Entries  []sendEntry
		}
		if err := json.Unmarshal([]byte(body), &want); err != nil {
			t.Fatalf("%q: plain SendMessageBatch decoded, encoding/json fails: %v", body, err)
		}
		if url != want.QueueURL || !reflect.DeepEqual(entries, want.Entries) {
			t.Fatalf("%q: plain SendMessageBatch %q %+v, encoding/json %q %+v", body, url, entries, want.QueueURL, want.Entries)
		}
	}
}

// BenchmarkDecodeSendBatch decodes the bench's SendMessageBatch body: ten
// entries of 256-byte bodies.
func BenchmarkDecodeSendBatch(b *testing.B) {
	body := `{"Entries":[`
	for i := range 10 {
		if i > 0 {
			body += ","
		}
		body += `{"Id":"` + strconv.Itoa(i) + `","MessageBody":"` + strings.Repeat("x", 256) + `"}`
	}
	body += `],"QueueUrl":"http://127.0.0.1:8080/000000000000/bench"}`
	for b.Loop() {
		if _, _, ok := decodeSendBatch([]byte(body)); !ok {
			b.Fatal("not plain")
		}
	}
}
