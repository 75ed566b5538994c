package sqsapi_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/google/go-cmp/cmp"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

// devServer runs baton with AWS authentication off, for raw protocol tests.
func devServer(t *testing.T) *batontest.Instance {
	return batontest.Start(t, server.Config{AWSAuth: "any", Out: io.Discard})
}

func post(t *testing.T, in *batontest.Instance, path, contentType string, headers map[string]string, body string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, in.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func postJSON(t *testing.T, in *batontest.Instance, op, body string) (*http.Response, string) {
	return post(t, in, "/", "application/x-amz-json-1.0", map[string]string{"X-Amz-Target": "AmazonSQS." + op}, body)
}

func postForm(t *testing.T, in *batontest.Instance, form url.Values) (*http.Response, string) {
	return post(t, in, "/", "application/x-www-form-urlencoded; charset=utf-8", nil, form.Encode())
}

func TestJSONErrorWireFormat(t *testing.T) {
	in := devServer(t)
	resp, body := postJSON(t, in, "GetQueueUrl", `{"QueueName":"missing"}`)
	if resp.StatusCode != 400 || resp.Header.Get("x-amzn-query-error") != "AWS.SimpleQueueService.NonExistentQueue;Sender" ||
		resp.Header.Get("Content-Type") != "application/x-amz-json-1.0" {
		t.Errorf("status %d headers %v", resp.StatusCode, resp.Header)
	}
	if want := `{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}`; body != want {
		t.Errorf("body = %s, want %s", body, want)
	}
	resp, _ = postJSON(t, in, "NoSuchOp", `{}`)
	if resp.StatusCode != 400 || resp.Header.Get("x-amzn-query-error") != "InvalidAction;Sender" {
		t.Errorf("unknown op: %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = postJSON(t, in, "SendMessage", `{"QueueUrl":`)
	if resp.StatusCode != 400 {
		t.Errorf("malformed JSON: %d", resp.StatusCode)
	}
	resp, _ = postJSON(t, in, "SendMessage", `{"MessageBody":"x"}`)
	if resp.Header.Get("x-amzn-query-error") != "MissingParameter;Sender" {
		t.Errorf("missing QueueUrl: %v", resp.Header)
	}
}

func TestQueryProtocol(t *testing.T) {
	in := devServer(t)
	resp, body := postForm(t, in, url.Values{"Action": {"CreateQueue"}, "Version": {"2012-11-05"}, "QueueName": {"q1"},
		"Attribute.1.Name": {"VisibilityTimeout"}, "Attribute.1.Value": {"10"}, "Tag.1.Key": {"team"}, "Tag.1.Value": {"x"}})
	var created struct {
		URL string `xml:"CreateQueueResult>QueueUrl"`
		ID  string `xml:"ResponseMetadata>RequestId"`
	}
	if err := xml.Unmarshal([]byte(body), &created); err != nil || resp.StatusCode != 200 || created.URL != in.URL+"/000000000000/q1" || created.ID == "" {
		t.Fatalf("create: %d %s (%v)", resp.StatusCode, body, err)
	}
	_, body = postForm(t, in, url.Values{"Action": {"SendMessage"}, "QueueUrl": {created.URL}, "MessageBody": {"hello"},
		"MessageAttribute.1.Name": {"a"}, "MessageAttribute.1.Value.DataType": {"String"}, "MessageAttribute.1.Value.StringValue": {"v"}})
	if !strings.Contains(body, "<MD5OfMessageBody>5d41402abc4b2a76b9719d911017c592</MD5OfMessageBody>") {
		t.Errorf("send: %s", body)
	}
	// Old clients may post to the queue URL itself.
	_, body = post(t, in, "/000000000000/q1", "application/x-www-form-urlencoded", nil,
		url.Values{"Action": {"ReceiveMessage"}, "AttributeName.1": {"All"}, "MessageAttributeName.1": {"All"}, "MaxNumberOfMessages": {"5"}}.Encode())
	var recv struct {
		Messages []struct {
			Body       string
			MD5OfBody  string
			Attributes []struct{ Name, Value string } `xml:"Attribute"`
			MsgAttrs   []struct {
				Name  string
				Value struct{ StringValue, DataType string }
			} `xml:"MessageAttribute"`
		} `xml:"ReceiveMessageResult>Message"`
	}
	if err := xml.Unmarshal([]byte(body), &recv); err != nil || len(recv.Messages) != 1 {
		t.Fatalf("receive: %s (%v)", body, err)
	}
	m := recv.Messages[0]
	if m.Body != "hello" || len(m.Attributes) < 4 || len(m.MsgAttrs) != 1 || m.MsgAttrs[0].Value.StringValue != "v" {
		t.Errorf("received %+v", m)
	}
	_, body = postForm(t, in, url.Values{"Action": {"GetQueueAttributes"}, "QueueUrl": {created.URL}, "AttributeName.1": {"VisibilityTimeout"}})
	if !strings.Contains(body, "<Attribute><Name>VisibilityTimeout</Name><Value>10</Value></Attribute>") {
		t.Errorf("attributes: %s", body)
	}
	_, body = postForm(t, in, url.Values{"Action": {"ListQueueTags"}, "QueueUrl": {created.URL}})
	if !strings.Contains(body, "<Tag><Key>team</Key><Value>x</Value></Tag>") {
		t.Errorf("tags: %s", body)
	}
	_, body = postForm(t, in, url.Values{"Action": {"SendMessageBatch"}, "QueueUrl": {created.URL},
		"SendMessageBatchRequestEntry.1.Id": {"a"}, "SendMessageBatchRequestEntry.1.MessageBody": {"x"},
		"SendMessageBatchRequestEntry.2.Id": {"b"}, "SendMessageBatchRequestEntry.2.MessageBody": {"y"}, "SendMessageBatchRequestEntry.2.DelaySeconds": {"1000"}})
	var batch struct {
		OK     []string `xml:"SendMessageBatchResult>SendMessageBatchResultEntry>Id"`
		Failed []string `xml:"SendMessageBatchResult>BatchResultErrorEntry>Id"`
	}
	if err := xml.Unmarshal([]byte(body), &batch); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(batch.OK, []string{"a"}); diff != "" || len(batch.Failed) != 1 {
		t.Errorf("batch %s", body)
	}
}

func TestQueryErrorWireFormat(t *testing.T) {
	in := devServer(t)
	resp, body := postForm(t, in, url.Values{"Action": {"GetQueueUrl"}, "QueueName": {"missing"}})
	var e struct {
		Type    string `xml:"Error>Type"`
		Code    string `xml:"Error>Code"`
		Message string `xml:"Error>Message"`
		ID      string `xml:"RequestId"`
	}
	if err := xml.Unmarshal([]byte(body), &e); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 400 || e.Type != "Sender" || e.Code != "AWS.SimpleQueueService.NonExistentQueue" || e.ID == "" {
		t.Errorf("error %d %+v", resp.StatusCode, e)
	}
	resp, body = postForm(t, in, url.Values{"Version": {"2012-11-05"}})
	if resp.StatusCode != 400 || !strings.Contains(body, "<Code>MissingParameter</Code>") {
		t.Errorf("missing action: %d %s", resp.StatusCode, body)
	}
}

func TestAuthentication(t *testing.T) {
	e := start(t)
	e.createQueue(t, "q", nil)
	id, secret := createKey(t, e.in)
	good := newClient(e.in.URL, id, secret)
	if _, err := good.ListQueues(e.ctx, &sqs.ListQueuesInput{}); err != nil {
		t.Fatalf("valid key refused: %v", err)
	}
	_, err := newClient(e.in.URL, id, "wrong").ListQueues(e.ctx, &sqs.ListQueuesInput{})
	wantCode(t, err, "SignatureDoesNotMatch")
	_, err = newClient(e.in.URL, "AKIAUNKNOWN", secret).ListQueues(e.ctx, &sqs.ListQueuesInput{})
	wantCode(t, err, "InvalidClientTokenId")
	resp, _ := postJSON(t, e.in, "ListQueues", `{}`)
	if resp.StatusCode != 403 || resp.Header.Get("x-amzn-query-error") != "MissingAuthenticationToken;Sender" {
		t.Errorf("unsigned request: %d %v", resp.StatusCode, resp.Header)
	}
	if status, body := e.in.Do(http.MethodDelete, "/api/baton/v1/aws-credentials/"+id, nil); status != http.StatusNoContent {
		t.Fatalf("delete key: %d %s", status, body)
	}
	_, err = good.ListQueues(e.ctx, &sqs.ListQueuesInput{})
	wantCode(t, err, "InvalidClientTokenId")
	if status, _ := e.in.DoWith(http.MethodGet, "/api/baton/v1/aws-credentials", nil, nil); status != http.StatusUnauthorized {
		t.Errorf("key list without admin token: %d", status)
	}
	status, body := e.in.Do(http.MethodGet, "/api/baton/v1/aws-credentials", nil)
	if status != 200 || strings.Contains(body2s(body), secret) || strings.Contains(body2s(body), id) {
		t.Errorf("key list: %d %s", status, body)
	}
}

func body2s(b []byte) string { return string(b) }

func TestDevModeAcceptsAnyCredentials(t *testing.T) {
	in := devServer(t)
	c := newClient(in.URL, "anything", "at all")
	if _, err := c.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
}

func TestBodyLimit(t *testing.T) {
	in := devServer(t)
	big := `{"QueueName":"` + strings.Repeat("x", 8<<20) + `"}`
	resp, body := postJSON(t, in, "CreateQueue", big)
	if resp.StatusCode != 400 || resp.Header.Get("x-amzn-query-error") != "InvalidParameterValue;Sender" || !strings.Contains(body, "larger than") {
		t.Errorf("oversized body: %d %v %s", resp.StatusCode, resp.Header, body)
	}
}

func TestServerMessageSizeLimit(t *testing.T) {
	in := batontest.Start(t, server.Config{AWSAuth: "any", Out: io.Discard, SQSMaxMessageSize: 2048})
	c := newClient(in.URL, "a", "b")
	q, err := c.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String("small")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(strings.Repeat("x", 2048))}); err != nil {
		t.Errorf("message at the limit: %v", err)
	}
	_, err = c.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(strings.Repeat("x", 2049))})
	wantCode(t, err, "InvalidParameterValue")
	_, err = c.SetQueueAttributes(t.Context(), &sqs.SetQueueAttributesInput{QueueUrl: q.QueueUrl, Attributes: map[string]string{"MaximumMessageSize": "4096"}})
	wantCode(t, err, "InvalidAttributeValue")
}

// A hostile query-protocol request with absurdly nested parameter names is
// refused with an error instead of exhausting the stack (which would kill
// the process); the server keeps serving.
func TestQueryNestingIsBounded(t *testing.T) {
	in := devServer(t)
	deep := "Action=ListQueues&" + strings.Repeat("a.", 200000) + "a=1"
	resp, body := post(t, in, "/", "application/x-www-form-urlencoded", nil, deep)
	if resp.StatusCode != 400 || !strings.Contains(body, "InvalidParameterValue") {
		t.Fatalf("deep keys: %d %.200s", resp.StatusCode, body)
	}
	wide := url.Values{"Action": {"ListQueues"}}
	for i := 0; i < 6000; i++ {
		wide.Set("k"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+strings.Repeat("y", i/26), "1")
	}
	if resp, body := postForm(t, in, wide); resp.StatusCode != 400 {
		t.Fatalf("too many keys: %d %.200s", resp.StatusCode, body)
	}
	if resp, body := postForm(t, in, url.Values{"Action": {"ListQueues"}}); resp.StatusCode != 200 {
		t.Fatalf("server unhealthy afterwards: %d %s", resp.StatusCode, body)
	}
}
