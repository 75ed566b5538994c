package sqsapi_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"
)

func TestQueueLifecycle(t *testing.T) {
	e := start(t)
	url := e.createQueue(t, "orders", map[string]string{"VisibilityTimeout": "10"})
	if want := e.in.URL + "/000000000000/orders"; url != want {
		t.Fatalf("queue url = %s, want %s", url, want)
	}
	if again := e.createQueue(t, "orders", map[string]string{"VisibilityTimeout": "10"}); again != url {
		t.Errorf("same create = %s, want %s", again, url)
	}
	_, err := e.client.CreateQueue(e.ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders"), Attributes: map[string]string{"VisibilityTimeout": "11"}})
	wantCode(t, err, "QueueAlreadyExists")

	got, err := e.client.GetQueueUrl(e.ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("orders")})
	if err != nil || *got.QueueUrl != url {
		t.Fatalf("GetQueueUrl = %v, %v", got, err)
	}
	_, err = e.client.GetQueueUrl(e.ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("nope")})
	var dne *types.QueueDoesNotExist
	if !errAs(err, &dne) {
		t.Fatalf("GetQueueUrl of a missing queue: %v, want QueueDoesNotExist", err)
	}

	attrs, err := e.client.GetQueueAttributes(e.ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []types.QueueAttributeName{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"VisibilityTimeout": "10", "DelaySeconds": "0", "MaximumMessageSize": "1048576",
		"MessageRetentionPeriod": "345600", "ReceiveMessageWaitTimeSeconds": "0",
		"QueueArn": "arn:aws:sqs:us-east-1:000000000000:orders", "ApproximateNumberOfMessages": "0",
		"CreatedTimestamp": "1767323045",
	} {
		if attrs.Attributes[k] != want {
			t.Errorf("attribute %s = %q, want %q", k, attrs.Attributes[k], want)
		}
	}
	if _, err := e.client.SetQueueAttributes(e.ctx, &sqs.SetQueueAttributesInput{QueueUrl: &url,
		Attributes: map[string]string{"DelaySeconds": "5", "Policy": `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sqs:*"}}`}}); err != nil {
		t.Fatal(err)
	}
	attrs, err = e.client.GetQueueAttributes(e.ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url, AttributeNames: []types.QueueAttributeName{"DelaySeconds", "Policy"}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(attrs.Attributes, map[string]string{"DelaySeconds": "5", "Policy": `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sqs:*"}}`}); diff != "" {
		t.Errorf("attributes after set (-got +want):\n%s", diff)
	}

	for _, bad := range []map[string]string{{"VisibilityTimeout": "43201"}, {"DelaySeconds": "x"}, {"Policy": "{"}} {
		_, err := e.client.SetQueueAttributes(e.ctx, &sqs.SetQueueAttributesInput{QueueUrl: &url, Attributes: bad})
		wantCode(t, err, "InvalidAttributeValue")
	}
	_, err = e.client.SetQueueAttributes(e.ctx, &sqs.SetQueueAttributesInput{QueueUrl: &url, Attributes: map[string]string{"Color": "red"}})
	wantCode(t, err, "InvalidAttributeName")

	if _, err := e.client.DeleteQueue(e.ctx, &sqs.DeleteQueueInput{QueueUrl: &url}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.SendMessage(e.ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String("x")})
	wantCode(t, err, "AWS.SimpleQueueService.NonExistentQueue")
}

func TestCreateQueueValidation(t *testing.T) {
	e := start(t)
	for name, attrs := range map[string]map[string]string{
		"bad name!":             nil,
		strings.Repeat("a", 81): nil,
		"plain":                 {"FifoQueue": "true"},
		"std":                   {"ContentBasedDeduplication": "true"},
	} {
		_, err := e.client.CreateQueue(e.ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
		if err == nil {
			t.Errorf("create %q %v succeeded", name, attrs)
		}
	}
	out, err := e.client.ListQueues(e.ctx, &sqs.ListQueuesInput{})
	if err != nil || len(out.QueueUrls) != 0 {
		t.Errorf("queues after failed creates = %v, %v; want none", out.QueueUrls, err)
	}
}

func TestListQueues(t *testing.T) {
	e := start(t)
	for _, n := range []string{"a-1", "a-2", "a-3", "b-1"} {
		e.createQueue(t, n, nil)
	}
	out, err := e.client.ListQueues(e.ctx, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("a-")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.QueueUrls) != 3 || out.NextToken != nil {
		t.Errorf("prefix list = %v (token %v), want 3 urls and no token", out.QueueUrls, out.NextToken)
	}
	var all []string
	p := sqs.NewListQueuesPaginator(e.client, &sqs.ListQueuesInput{MaxResults: aws.Int32(3)})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		all = append(all, page.QueueUrls...)
	}
	if len(all) != 4 || pages != 2 {
		t.Errorf("paginated = %v in %d pages, want 4 in 2", all, pages)
	}
	_, err = e.client.ListQueues(e.ctx, &sqs.ListQueuesInput{MaxResults: aws.Int32(1001)})
	wantCode(t, err, "InvalidParameterValue")
}

func TestTags(t *testing.T) {
	e := start(t)
	out, err := e.client.CreateQueue(e.ctx, &sqs.CreateQueueInput{QueueName: aws.String("t"), Tags: map[string]string{"team": "a"}})
	if err != nil {
		t.Fatal(err)
	}
	url := out.QueueUrl
	if _, err := e.client.TagQueue(e.ctx, &sqs.TagQueueInput{QueueUrl: url, Tags: map[string]string{"env": "dev", "x": "y"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.UntagQueue(e.ctx, &sqs.UntagQueueInput{QueueUrl: url, TagKeys: []string{"x"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := e.client.ListQueueTags(e.ctx, &sqs.ListQueueTagsInput{QueueUrl: url})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tags.Tags, map[string]string{"team": "a", "env": "dev"}); diff != "" {
		t.Errorf("tags (-got +want):\n%s", diff)
	}
}
