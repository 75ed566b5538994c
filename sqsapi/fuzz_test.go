package sqsapi

import (
	"encoding/json"
	"net/url"
	"testing"
)

// FuzzQueryForm parses query-protocol bodies the way the face does (form,
// then the JSON shape the operations decode); nothing may panic, and what
// converts encodes as JSON.
func FuzzQueryForm(f *testing.F) {
	for _, seed := range []string{
		"Action=SendMessage&QueueUrl=http%3A%2F%2Fh%2F000000000000%2Fq&MessageBody=hi&MessageAttribute.1.Name=a&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=x",
		"Action=SendMessageBatch&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=b&SendMessageBatchRequestEntry.2.Id=c&SendMessageBatchRequestEntry.2.MessageBody=d",
		"Action=CreateQueue&QueueName=q&Attribute.1.Name=FifoQueue&Attribute.1.Value=true&Tag.1.Key=k&Tag.1.Value=v",
		"Action=ReceiveMessage&AttributeName.1=All&MessageAttributeName.1=.*&MaxNumberOfMessages=10",
		"Action=X&a.b.c.d.e.f.g.h.i.j.k.l=1&Attribute.0.Name=x&Attribute.x.Value=y&Tag.1.Key",
		"%zz=1&Action",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		tree, err := formToJSON(form.Get("Action"), form)
		if err != nil {
			return
		}
		if _, err := json.Marshal(tree); err != nil {
			t.Fatalf("converted form does not encode: %v", err)
		}
	})
}
