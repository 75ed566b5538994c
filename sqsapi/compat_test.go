package sqsapi_test

import (
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

// wantError fails unless err is an API error with code and message.
func wantError(t *testing.T, err error, code, message string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code || ae.ErrorMessage() != message {
		t.Errorf("error = %s %q,\nwant    %s %q", ae.ErrorCode(), ae.ErrorMessage(), code, message)
	}
}

// errCase is a call and the error it must fail with.
type errCase struct {
	call          func() error
	code, message string
}

func strAttr(dataType, v string) types.MessageAttributeValue {
	return types.MessageAttributeValue{DataType: aws.String(dataType), StringValue: aws.String(v)}
}

// TestErrorTexts checks codes and messages against the texts SQS answers
// with (docs/sqs.md, "Errors").
func TestErrorTexts(t *testing.T) {
	e := start(t)
	std := e.createQueue(t, "texts", nil)
	fifo := e.createQueue(t, "texts.fifo", map[string]string{"FifoQueue": "true"})
	big := strings.Repeat("x", 1<<20)
	cases := map[string]errCase{
		"invalid queue name": {func() error {
			_, err := e.client.CreateQueue(e.ctx, &sqs.CreateQueueInput{QueueName: aws.String("bad name")})
			return err
		}, "InvalidParameterValue", "Value bad name for parameter QueueName is invalid. Reason: Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"},
		"empty send batch": {func() error {
			_, err := e.client.SendMessageBatch(e.ctx, &sqs.SendMessageBatchInput{QueueUrl: &std, Entries: []types.SendMessageBatchRequestEntry{}})
			return err
		}, "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one SendMessageBatchRequestEntry in the request."},
		"empty delete batch": {func() error {
			_, err := e.client.DeleteMessageBatch(e.ctx, &sqs.DeleteMessageBatchInput{QueueUrl: &std, Entries: []types.DeleteMessageBatchRequestEntry{}})
			return err
		}, "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one DeleteMessageBatchRequestEntry in the request."},
		"empty visibility batch": {func() error {
			_, err := e.client.ChangeMessageVisibilityBatch(e.ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: &std, Entries: []types.ChangeMessageVisibilityBatchRequestEntry{}})
			return err
		}, "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one ChangeMessageVisibilityBatchRequestEntry in the request."},
		"message too large": {func() error {
			_, err := e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: &std, MessageBody: aws.String(big[:1<<20-1]),
				MessageAttributes: map[string]types.MessageAttributeValue{"k": strAttr("String", "x")}})
			return err
		}, "InvalidParameterValue", "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes."},
		"fifo without deduplication id": {func() error {
			_, err := e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: &fifo, MessageBody: aws.String("x"), MessageGroupId: aws.String("g")})
			return err
		}, "InvalidParameterValue", "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"},
		"fifo without group id": {func() error {
			_, err := e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: &fifo, MessageBody: aws.String("x"), MessageDeduplicationId: aws.String("d")})
			return err
		}, "MissingParameter", "The request must contain the parameter MessageGroupId."},
		"fifo with delay": {func() error {
			_, err := e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: &fifo, MessageBody: aws.String("x"), MessageGroupId: aws.String("g"),
				MessageDeduplicationId: aws.String("d"), DelaySeconds: 2})
			return err
		}, "InvalidParameterValue", "Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type."},
		"group id with a space": {func() error {
			_, err := e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: &std, MessageBody: aws.String("x"), MessageGroupId: aws.String("group 123")})
			return err
		}, "InvalidParameterValue", "Value group 123 for parameter MessageGroupId is invalid. Reason: MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length."},
		"empty string attribute": {func() error {
			_, err := e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: &std, MessageBody: aws.String("x"),
				MessageAttributes: map[string]types.MessageAttributeValue{"ErrorDetails": strAttr("String", "")}})
			return err
		}, "InvalidParameterValue", "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'."},
		"number that does not parse": {func() error {
			_, err := e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: &std, MessageBody: aws.String("x"),
				MessageAttributes: map[string]types.MessageAttributeValue{"n": strAttr("Number", "12abc")}})
			return err
		}, "InvalidParameterValue", "Can't cast the value of message (user) attribute 'n' to a number."},
		"invalid data type": {func() error {
			_, err := e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: &std, MessageBody: aws.String("x"),
				MessageAttributes: map[string]types.MessageAttributeValue{"n": strAttr("Text", "v")}})
			return err
		}, "InvalidParameterValue", "The type of message (user) attribute 'n' is invalid. You must use only the following supported type prefixes: Binary, Number, String."},
		"control character in body": {func() error {
			_, err := e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: &std, MessageBody: aws.String("a\x01")})
			return err
		}, "InvalidMessageContents", "Invalid binary character '#x1' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"},
		"control character in attribute": {func() error {
			_, err := e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: &std, MessageBody: aws.String("x"),
				MessageAttributes: map[string]types.MessageAttributeValue{"s": strAttr("String", "\x08")}})
			return err
		}, "InvalidMessageContents", "Invalid binary character '#x8' was found in the value of message (user) attribute 's', the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF"},
		"queue that does not exist": {func() error {
			_, err := e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: aws.String(e.in.URL + "/000000000000/nope"), MessageBody: aws.String("x"), DelaySeconds: 5000})
			return err
		}, "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist."},
		"delay out of range": {func() error {
			_, err := e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: &std, MessageBody: aws.String("x"), DelaySeconds: 901})
			return err
		}, "InvalidParameterValue", "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900."},
	}
	setAttr := func(url, k, v string) func() error {
		return func() error {
			_, err := e.client.SetQueueAttributes(e.ctx, &sqs.SetQueueAttributesInput{QueueUrl: &url, Attributes: map[string]string{k: v}})
			return err
		}
	}
	cases["FifoQueue on a standard queue"] = errCase{setAttr(std, "FifoQueue", "true"), "InvalidAttributeName", "Unknown Attribute FifoQueue."}
	cases["FifoQueue false on a FIFO queue"] = errCase{setAttr(fifo, "FifoQueue", "false"), "InvalidAttributeValue", "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported."}
	cases["DeduplicationScope on a standard queue"] = errCase{setAttr(std, "DeduplicationScope", "queue"), "InvalidAttributeName", "You can specify the DeduplicationScope only when FifoQueue is set to true."}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) { wantError(t, tc.call(), tc.code, tc.message) })
	}
	if err := setAttr(fifo, "FifoQueue", "true")(); err != nil {
		t.Errorf("FifoQueue true on a FIFO queue: %v", err)
	}
	if n := e.approxMessages(t, std); n != "0" {
		t.Errorf("refused sends stored %s messages", n)
	}
}

func (e *env) approxMessages(t *testing.T, url string) string {
	t.Helper()
	out, err := e.client.GetQueueAttributes(e.ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []types.QueueAttributeName{"ApproximateNumberOfMessages"}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Attributes["ApproximateNumberOfMessages"]
}

// TestErrorShapesPerProtocol checks the parts of an error the SDKs do not
// show: the JSON __type and the query protocol's own message.
func TestErrorShapesPerProtocol(t *testing.T) {
	in := devServer(t)
	cases := []struct {
		op, body, status, queryError, jsonBody string
	}{
		{"GetQueueUrl", `{"QueueName":"missing"}`, "400", "AWS.SimpleQueueService.NonExistentQueue;Sender",
			`{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}`},
		{"CreateQueue", `{"QueueName":"a b"}`, "400", "InvalidParameterValue;Sender",
			`{"__type":"com.amazonaws.sqs#InvalidParameterValueException","message":"Value a b for parameter QueueName is invalid. Reason: Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"}`},
		{"CreateQueue", `{}`, "400", "MissingParameter;Sender",
			`{"__type":"com.amazonaws.sqs#MissingRequiredParameterException","message":"The request must contain the parameter QueueName."}`},
	}
	for _, tc := range cases {
		resp, body := postJSON(t, in, tc.op, tc.body)
		if got := resp.Status[:3] + " " + resp.Header.Get("x-amzn-query-error") + " " + body; got != tc.status+" "+tc.queryError+" "+tc.jsonBody {
			t.Errorf("%s %s:\n got %s\nwant %s %s %s", tc.op, tc.body, got, tc.status, tc.queryError, tc.jsonBody)
		}
	}
	resp, body := postForm(t, in, url.Values{"Action": {"GetQueueUrl"}, "QueueName": {"missing"}})
	if resp.StatusCode != 400 || !strings.Contains(body, "<Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>The specified queue does not exist for this wsdl version.</Message>") {
		t.Errorf("query: %d %s", resp.StatusCode, body)
	}
}

// TestSendMessageBatchRequestErrors checks the batches SQS refuses as a
// whole: nothing of them is stored.
func TestSendMessageBatchRequestErrors(t *testing.T) {
	e := start(t)
	std := e.createQueue(t, "batch", nil)
	fifo := e.createQueue(t, "batch.fifo", map[string]string{"FifoQueue": "true"})
	entry := func(id, body string) types.SendMessageBatchRequestEntry {
		return types.SendMessageBatchRequestEntry{Id: aws.String(id), MessageBody: aws.String(body)}
	}
	half := strings.Repeat("x", 1<<19)
	grouped := entry("b", "y")
	grouped.MessageGroupId, grouped.MessageDeduplicationId = aws.String("g"), aws.String("d")
	eleven := []types.SendMessageBatchRequestEntry{}
	for i := range 11 {
		eleven = append(eleven, entry(strings.Repeat("i", i+1), "x"))
	}
	cases := map[string]struct {
		queue         string
		entries       []types.SendMessageBatchRequestEntry
		code, message string
	}{
		"total too long": {std, []types.SendMessageBatchRequestEntry{entry("a", half), entry("b", half+"x")},
			"AWS.SimpleQueueService.BatchRequestTooLong", "Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes."},
		"fifo entry without group": {fifo, []types.SendMessageBatchRequestEntry{grouped, entry("c", "z")},
			"InvalidParameterValue", "The request must contain the parameter MessageGroupId."},
		"fifo entry without deduplication id": {fifo, []types.SendMessageBatchRequestEntry{grouped, {Id: aws.String("c"), MessageBody: aws.String("z"), MessageGroupId: aws.String("g")}},
			"InvalidParameterValue", "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"},
		"duplicate ids": {std, []types.SendMessageBatchRequestEntry{entry("a", "x"), entry("a", "y")},
			"AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id a repeated."},
		"more than ten": {std, eleven,
			"AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent 11."},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := e.client.SendMessageBatch(e.ctx, &sqs.SendMessageBatchInput{QueueUrl: &tc.queue, Entries: tc.entries})
			wantError(t, err, tc.code, tc.message)
		})
	}
	for _, q := range []string{std, fifo} {
		if n := e.approxMessages(t, q); n != "0" {
			t.Errorf("%s holds %s messages after refused batches", q, n)
		}
	}
	// A bad entry alone still fails only itself.
	out, err := e.client.SendMessageBatch(e.ctx, &sqs.SendMessageBatchInput{QueueUrl: &std, Entries: []types.SendMessageBatchRequestEntry{entry("ok", "x"), entry("bad", "\x01")}})
	if err != nil || len(out.Successful) != 1 || len(out.Failed) != 1 || *out.Failed[0].Code != "InvalidMessageContents" {
		t.Fatalf("mixed batch: %+v %v", out, err)
	}
}

// TestFIFODelaySecondsZero checks that a per-message DelaySeconds of 0 is
// accepted on FIFO queues in both protocols (the SDK omits a 0, so the
// requests are written by hand).
func TestFIFODelaySecondsZero(t *testing.T) {
	in := devServer(t)
	resp, _ := postJSON(t, in, "CreateQueue", `{"QueueName":"z.fifo","Attributes":{"FifoQueue":"true","ContentBasedDeduplication":"true"}}`)
	if resp.StatusCode != 200 {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	q := in.URL + "/000000000000/z.fifo"
	resp, body := postJSON(t, in, "SendMessage", `{"QueueUrl":"`+q+`","MessageBody":"a","MessageGroupId":"g","DelaySeconds":0}`)
	if resp.StatusCode != 200 {
		t.Errorf("json DelaySeconds 0: %d %s", resp.StatusCode, body)
	}
	resp, body = postForm(t, in, url.Values{"Action": {"SendMessage"}, "QueueUrl": {q}, "MessageBody": {"b"}, "MessageGroupId": {"g"}, "DelaySeconds": {"0"}})
	if resp.StatusCode != 200 {
		t.Errorf("query DelaySeconds 0: %d %s", resp.StatusCode, body)
	}
	resp, _ = postForm(t, in, url.Values{"Action": {"SendMessage"}, "QueueUrl": {q}, "MessageBody": {"c"}, "MessageGroupId": {"g"}, "DelaySeconds": {"1"}})
	if resp.StatusCode != 400 {
		t.Errorf("query DelaySeconds 1: %d, want 400", resp.StatusCode)
	}
}

// TestFIFOReceiveGroupContiguous checks that one receive returns a group's
// messages together, in order, before the next group's.
func TestFIFOReceiveGroupContiguous(t *testing.T) {
	e := start(t)
	url := e.createQueue(t, "groups.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	for _, m := range [][2]string{{"g1-m1", "group-1"}, {"g2-m1", "group-2"}, {"g1-m2", "group-1"}, {"g1-m3", "group-1"}, {"g2-m2", "group-2"}} {
		e.sendFifo(t, url, m[0], m[1], "")
	}
	got := bodies(e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url, MaxNumberOfMessages: 10}))
	if diff := cmp.Diff(got, []string{"g1-m1", "g1-m2", "g1-m3", "g2-m1", "g2-m2"}); diff != "" {
		t.Errorf("receive (-got +want):\n%s", diff)
	}
}

// TestAttributeNameFilters checks MessageAttributeNames, AttributeNames and
// MessageSystemAttributeNames filters.
func TestAttributeNameFilters(t *testing.T) {
	e := start(t)
	url := e.createQueue(t, "filters", map[string]string{"VisibilityTimeout": "0"})
	_, err := e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("msg"),
		MessageAttributes: map[string]types.MessageAttributeValue{"Help.Me": strAttr("String", "Me"), "Hello": strAttr("String", "There"), "General": strAttr("String", "Kenobi")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		filters []string
		want    []string
	}{
		{nil, nil},
		{[]string{"All"}, []string{"General", "Hello", "Help.Me"}},
		{[]string{".*"}, []string{"General", "Hello", "Help.Me"}},
		{[]string{"*"}, []string{"General", "Hello", "Help.Me"}},
		{[]string{"Hel.*"}, []string{"Hello", "Help.Me"}},
		{[]string{"Help.*"}, []string{"Help.Me"}},
		{[]string{"Foo", "Hello"}, []string{"Hello"}},
		{[]string{"Foo", "Help"}, nil},
	} {
		out := e.receive(t, &sqs.ReceiveMessageInput{QueueUrl: &url, MessageAttributeNames: tc.filters})
		var got []string
		for name := range out.Messages[0].MessageAttributes {
			got = append(got, name)
		}
		if diff := cmp.Diff(sorted(got), tc.want); diff != "" {
			t.Errorf("MessageAttributeNames %v (-got +want):\n%s", tc.filters, diff)
		}
	}
	for _, tc := range []struct {
		system, legacy []string
		want           []string
	}{
		{[]string{"All"}, nil, []string{"ApproximateFirstReceiveTimestamp", "ApproximateReceiveCount", "SenderId", "SentTimestamp"}},
		{[]string{".*"}, nil, []string{"ApproximateFirstReceiveTimestamp", "ApproximateReceiveCount", "SenderId", "SentTimestamp"}},
		{nil, []string{"All"}, []string{"ApproximateFirstReceiveTimestamp", "ApproximateReceiveCount", "SenderId", "SentTimestamp"}},
		{[]string{"SenderId", "SequenceNumber"}, nil, []string{"SenderId"}},
		{[]string{"SentTimestamp"}, []string{"SenderId"}, []string{"SenderId", "SentTimestamp"}},
	} {
		in := &sqs.ReceiveMessageInput{QueueUrl: &url}
		for _, n := range tc.system {
			in.MessageSystemAttributeNames = append(in.MessageSystemAttributeNames, types.MessageSystemAttributeName(n))
		}
		for _, n := range tc.legacy {
			//lint:ignore SA1019 the deprecated member is what is tested
			in.AttributeNames = append(in.AttributeNames, types.QueueAttributeName(n))
		}
		var got []string
		for name := range e.receive(t, in).Messages[0].Attributes {
			got = append(got, name)
		}
		if diff := cmp.Diff(sorted(got), tc.want); diff != "" {
			t.Errorf("system %v legacy %v (-got +want):\n%s", tc.system, tc.legacy, diff)
		}
	}
}

func sorted(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	slices.Sort(s)
	return s
}

// TestUndecodableCharactersRefused checks that characters a decoder would
// silently replace are refused in both protocols, and that a queue that does
// not exist is reported first.
func TestUndecodableCharactersRefused(t *testing.T) {
	in := devServer(t)
	postJSON(t, in, "CreateQueue", `{"QueueName":"chars"}`)
	q := in.URL + "/000000000000/chars"
	missing := in.URL + "/000000000000/missing"
	for _, tc := range []struct {
		name, body, queryError string
	}{
		{"invalid UTF-8", `{"QueueUrl":"` + q + `","MessageBody":"a` + "\xff" + `"}`, "InvalidMessageContents;Sender"},
		{"lone high surrogate", `{"QueueUrl":"` + q + `","MessageBody":"a\ud800b"}`, "InvalidMessageContents;Sender"},
		{"lone low surrogate", `{"QueueUrl":"` + q + `","MessageBody":"a\udc00"}`, "InvalidMessageContents;Sender"},
		{"surrogate in attribute", `{"QueueUrl":"` + q + `","MessageBody":"a","MessageAttributes":{"s":{"DataType":"String","StringValue":"\ud800"}}}`, "InvalidMessageContents;Sender"},
		{"surrogate in batch", `{"QueueUrl":"` + q + `","Entries":[{"Id":"a","MessageBody":"\udbff"}]}`, "InvalidMessageContents;Sender"},
		{"missing queue first", `{"QueueUrl":"` + missing + `","MessageBody":"\ud800"}`, "AWS.SimpleQueueService.NonExistentQueue;Sender"},
		{"surrogate pair", `{"QueueUrl":"` + q + `","MessageBody":"\ud83d\ude00"}`, ""},
		{"escaped backslash", `{"QueueUrl":"` + q + `","MessageBody":"\\ud800"}`, ""},
	} {
		op := "SendMessage"
		if strings.Contains(tc.body, "Entries") {
			op = "SendMessageBatch"
		}
		resp, body := postJSON(t, in, op, tc.body)
		if got := resp.Header.Get("x-amzn-query-error"); got != tc.queryError {
			t.Errorf("%s: %d %q %s, want %q", tc.name, resp.StatusCode, got, body, tc.queryError)
		}
	}
	for name, v := range map[string]string{"invalid UTF-8": "a\xffb", "UTF-8 encoded surrogate": "a\xed\xa0\x80"} {
		resp, body := postForm(t, in, url.Values{"Action": {"SendMessage"}, "QueueUrl": {q}, "MessageBody": {v}})
		if resp.StatusCode != 400 || !strings.Contains(body, "<Code>InvalidMessageContents</Code>") {
			t.Errorf("query %s: %d %s", name, resp.StatusCode, body)
		}
	}
	resp, body := postJSON(t, in, "ReceiveMessage", `{"QueueUrl":"`+q+`","MaxNumberOfMessages":10}`)
	if resp.StatusCode != 200 || !strings.Contains(body, `"Body":"😀"`) || !strings.Contains(body, `"Body":"\\ud800"`) || strings.Count(body, `"MessageId"`) != 2 {
		t.Errorf("stored messages: %s", body)
	}
}

// TestQueryIndexRules checks that query-protocol lists are numbered from 1
// and that a map entry needs its value.
func TestQueryIndexRules(t *testing.T) {
	in := devServer(t)
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"Action": {"CreateQueue"}, "QueueName": {"i"}, "Attribute.0.Name": {"DelaySeconds"}, "Attribute.0.Value": {"1"}},
			"<Code>InvalidParameterValue</Code><Message>The parameter Attribute.0 is not valid: list members are numbered from 1.</Message>"},
		{url.Values{"Action": {"CreateQueue"}, "QueueName": {"i"}, "Attribute.1.Name": {"DelaySeconds"}},
			"<Code>MissingParameter</Code><Message>The request must contain the parameter Attribute.1.Value.</Message>"},
		{url.Values{"Action": {"CreateQueue"}, "QueueName": {"i"}, "Tag.x.Key": {"a"}, "Tag.x.Value": {"b"}},
			"<Code>InvalidParameterValue</Code><Message>The parameter Tag.x is not valid: list members are numbered from 1.</Message>"},
		{url.Values{"Action": {"SendMessage"}, "QueueUrl": {"/000000000000/i"}, "MessageBody": {"b"}, "MessageAttribute.1.Name": {"a"}},
			"<Code>MissingParameter</Code><Message>The request must contain the parameter MessageAttribute.1.Value.</Message>"},
	} {
		resp, body := postForm(t, in, tc.form)
		if resp.StatusCode != 400 || !strings.Contains(body, tc.want) {
			t.Errorf("%v: %d %s\nwant %s", tc.form, resp.StatusCode, body, tc.want)
		}
	}
	if resp, body := postForm(t, in, url.Values{"Action": {"ListQueues"}}); resp.StatusCode != 200 || strings.Contains(body, "<QueueUrl>") {
		t.Errorf("a refused CreateQueue created a queue: %s", body)
	}
}

// TestQueueURLForms checks that every form of a queue URL SQS accepts
// resolves the queue, whatever its host, and that a malformed one gets
// InvalidAddress.
func TestQueueURLForms(t *testing.T) {
	e := start(t)
	e.createQueue(t, "forms", nil)
	for _, u := range []string{
		e.in.URL + "/000000000000/forms",
		"https://sqs.us-east-1.amazonaws.com/000000000000/forms",
		"http://localhost:4566/000000000000/forms",
		"https://queue.amazonaws.com/000000000000/forms/",
		"/000000000000/forms",
	} {
		if _, err := e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String("x")}); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	for u, code := range map[string]string{
		"https://sqs.us-east-1.amazonaws.com/111111111111/forms": "AWS.SimpleQueueService.NonExistentQueue",
		"http://localhost:4566/000000000000/other":               "AWS.SimpleQueueService.NonExistentQueue",
		"http://localhost:4566/forms":                            "InvalidAddress",
		"http://localhost:4566/a/000000000000/forms":             "InvalidAddress",
		"::not a url": "InvalidAddress",
	} {
		_, err := e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String("x")})
		wantCode(t, err, code)
	}
	_, err := e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: aws.String("http://localhost:4566/forms"), MessageBody: aws.String("x")})
	wantError(t, err, "InvalidAddress", "The address http://localhost:4566/forms is not valid for this endpoint.")
}

// TestParametersCheckedAfterQueue checks that a parameter that is not an
// integer is reported only once the queue is found.
func TestParametersCheckedAfterQueue(t *testing.T) {
	in := devServer(t)
	postForm(t, in, url.Values{"Action": {"CreateQueue"}, "QueueName": {"ints"}})
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"Action": {"SendMessage"}, "QueueUrl": {"/000000000000/missing"}, "MessageBody": {"x"}, "DelaySeconds": {"abc"}},
			"<Code>AWS.SimpleQueueService.NonExistentQueue</Code>"},
		{url.Values{"Action": {"SendMessage"}, "QueueUrl": {"/000000000000/ints"}, "MessageBody": {"x"}, "DelaySeconds": {"abc"}},
			"<Code>InvalidParameterValue</Code><Message>Value abc for parameter DelaySeconds is invalid. Reason: Must be an integer.</Message>"},
		{url.Values{"Action": {"ReceiveMessage"}, "QueueUrl": {"/000000000000/missing"}, "WaitTimeSeconds": {"x"}},
			"<Code>AWS.SimpleQueueService.NonExistentQueue</Code>"},
		{url.Values{"Action": {"ReceiveMessage"}, "QueueUrl": {"/000000000000/ints"}, "WaitTimeSeconds": {"x"}},
			"<Message>Value x for parameter WaitTimeSeconds is invalid. Reason: Must be an integer.</Message>"},
	} {
		resp, body := postForm(t, in, tc.form)
		if resp.StatusCode != 400 || !strings.Contains(body, tc.want) {
			t.Errorf("%v: %d %s\nwant %s", tc.form, resp.StatusCode, body, tc.want)
		}
	}
}
