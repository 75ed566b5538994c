package sqsapi

import (
	"encoding/base64"
	"encoding/xml"
	"strconv"
	"strings"

	"github.com/batonhq/baton/sqs"
)

type sendEntry struct {
	ID                      string `json:"Id"`
	MessageBody             string
	DelaySeconds            optInt
	MessageAttributes       map[string]sqs.MessageAttribute
	MessageSystemAttributes map[string]sqs.MessageAttribute
	MessageDeduplicationID  string `json:"MessageDeduplicationId"`
	MessageGroupID          string `json:"MessageGroupId"`
}

func (e *sendEntry) domain() sqs.SendInput {
	return sqs.SendInput{ID: e.ID, Body: e.MessageBody, DelaySeconds: e.DelaySeconds.ptr(),
		Attributes: e.MessageAttributes, SystemAttributes: e.MessageSystemAttributes,
		DedupID: e.MessageDeduplicationID, GroupID: e.MessageGroupID}
}

type sendOutput struct {
	ID                           string `json:"Id,omitempty" xml:"Id,omitempty"`
	MD5OfMessageBody             string `json:"MD5OfMessageBody" xml:"MD5OfMessageBody"`
	MD5OfMessageAttributes       string `json:"MD5OfMessageAttributes,omitempty" xml:"MD5OfMessageAttributes,omitempty"`
	MD5OfMessageSystemAttributes string `json:"MD5OfMessageSystemAttributes,omitempty" xml:"MD5OfMessageSystemAttributes,omitempty"`
	MessageID                    string `json:"MessageId" xml:"MessageId"`
	SequenceNumber               string `json:"SequenceNumber,omitempty" xml:"SequenceNumber,omitempty"`
}

func newSendOutput(r *sqs.SendResult) sendOutput {
	return sendOutput{ID: r.ID, MD5OfMessageBody: r.MD5OfBody, MD5OfMessageAttributes: r.MD5OfAttributes,
		MD5OfMessageSystemAttributes: r.MD5OfSystemAttributes, MessageID: r.MessageID, SequenceNumber: r.SequenceNumber}
}

func (a *API) sendMessage(c *call) (any, error) {
	var in struct {
		QueueURL string `json:"QueueUrl"`
		sendEntry
	}
	var plain bool
	if c.json {
		in.QueueURL, in.sendEntry, plain = decodeSendMessage(c.body)
	}
	if !plain {
		if err := c.input(&in); err != nil {
			return nil, err
		}
	}
	q, err := a.queue(c, in.QueueURL)
	if err != nil {
		return nil, err
	}
	if err := c.checkContents(); err != nil {
		return nil, err
	}
	if err := checkInt("DelaySeconds", in.DelaySeconds); err != nil {
		return nil, err
	}
	res, err := a.Queues.Send(c.ctx, q, in.domain())
	if err != nil {
		return nil, err
	}
	out := newSendOutput(res)
	return &out, nil
}

func (a *API) sendMessageBatch(c *call) (any, error) {
	var in struct {
		QueueURL string `json:"QueueUrl"`
		Entries  []sendEntry
	}
	var plain bool
	if c.json {
		in.QueueURL, in.Entries, plain = decodeSendBatch(c.body)
	}
	if !plain {
		if err := c.input(&in); err != nil {
			return nil, err
		}
	}
	q, err := a.queue(c, in.QueueURL)
	if err != nil {
		return nil, err
	}
	if err := c.checkContents(); err != nil {
		return nil, err
	}
	entries := make([]sqs.SendInput, len(in.Entries))
	for i := range in.Entries {
		if err := checkInt("DelaySeconds", in.Entries[i].DelaySeconds); err != nil {
			return nil, err
		}
		entries[i] = in.Entries[i].domain()
	}
	results, err := a.Queues.SendBatch(c.ctx, q, entries)
	if err != nil {
		return nil, err
	}
	out := &sendBatchOutput{Successful: make([]sendOutput, 0, len(results)), Failed: []batchError{}}
	for i := range results {
		if results[i].Err != nil {
			out.Failed = append(out.Failed, newBatchError(results[i].ID, results[i].Err))
			continue
		}
		out.Successful = append(out.Successful, newSendOutput(&results[i]))
	}
	return out, nil
}

type messageOutput struct {
	MessageID              string     `json:"MessageId" xml:"MessageId"`
	ReceiptHandle          string     `json:"ReceiptHandle" xml:"ReceiptHandle"`
	MD5OfBody              string     `json:"MD5OfBody" xml:"MD5OfBody"`
	Body                   string     `json:"Body" xml:"Body"`
	Attributes             attrMap    `json:"Attributes,omitempty" xml:"Attribute"`
	MD5OfMessageAttributes string     `json:"MD5OfMessageAttributes,omitempty" xml:"MD5OfMessageAttributes,omitempty"`
	MessageAttributes      msgAttrMap `json:"MessageAttributes,omitempty" xml:"MessageAttribute"`
}

func (a *API) receiveMessage(c *call) (any, error) {
	var in struct {
		QueueURL                    string `json:"QueueUrl"`
		AttributeNames              []string
		MessageSystemAttributeNames []string
		MessageAttributeNames       []string
		MaxNumberOfMessages         optInt
		VisibilityTimeout           optInt
		WaitTimeSeconds             optInt
		ReceiveRequestAttemptID     string `json:"ReceiveRequestAttemptId"`
	}
	if err := c.input(&in); err != nil {
		return nil, err
	}
	q, err := a.queue(c, in.QueueURL)
	if err != nil {
		return nil, err
	}
	if err := checkInts(map[string]optInt{"MaxNumberOfMessages": in.MaxNumberOfMessages,
		"VisibilityTimeout": in.VisibilityTimeout, "WaitTimeSeconds": in.WaitTimeSeconds}); err != nil {
		return nil, err
	}
	max := in.MaxNumberOfMessages.v
	if in.MaxNumberOfMessages.set && max == 0 {
		max = -1
	}
	msgs, err := a.Queues.Receive(c.ctx, q, sqs.ReceiveInput{MaxMessages: max,
		VisibilityTimeout: in.VisibilityTimeout.ptr(), WaitTimeSeconds: in.WaitTimeSeconds.ptr()})
	if err != nil {
		return nil, err
	}
	sysNames := append(in.AttributeNames, in.MessageSystemAttributeNames...)
	out := struct {
		Messages []messageOutput `json:"Messages,omitempty" xml:"Message"`
	}{}
	for _, m := range msgs {
		attrs := selectMessageAttributes(m.Attributes, in.MessageAttributeNames)
		out.Messages = append(out.Messages, messageOutput{
			MessageID: m.ID, ReceiptHandle: m.ReceiptHandle, MD5OfBody: sqs.MD5OfBody(m.Body), Body: m.Body,
			Attributes:             a.systemAttributes(m, sysNames),
			MD5OfMessageAttributes: sqs.MD5OfAttributes(attrs), MessageAttributes: attrs,
		})
	}
	return out, nil
}

// systemAttributes returns the requested system attributes of m.
func (a *API) systemAttributes(m *sqs.Message, names []string) attrMap {
	if len(names) == 0 {
		return nil
	}
	all := map[string]string{
		"SenderId":                         a.Queues.Account(),
		"SentTimestamp":                    strconv.FormatInt(m.SentAt.UnixMilli(), 10),
		"ApproximateReceiveCount":          strconv.Itoa(m.ReceiveCount),
		"ApproximateFirstReceiveTimestamp": strconv.FormatInt(m.FirstReceive.UnixMilli(), 10),
	}
	if m.GroupID != "" {
		all["MessageGroupId"] = m.GroupID
	}
	if m.DedupID != "" {
		all["MessageDeduplicationId"] = m.DedupID
		all["SequenceNumber"] = strconv.FormatInt(m.Seq, 10)
	}
	if m.TraceHeader != "" {
		all["AWSTraceHeader"] = m.TraceHeader
	}
	if m.DeadLetterSource != "" {
		all["DeadLetterQueueSourceArn"] = m.DeadLetterSource
	}
	out := attrMap{}
	for n, v := range all {
		if selected(n, names) {
			out[n] = v
		}
	}
	return out
}

// selected reports whether an attribute name is selected by a receive's
// attribute name filters: "All", ".*" or "*" select every name, "prefix.*"
// the names that start with prefix, anything else the name itself.
func selected(name string, filters []string) bool {
	for _, f := range filters {
		if f == "All" || f == ".*" || f == "*" || f == name {
			return true
		}
		if prefix, ok := strings.CutSuffix(f, ".*"); ok && strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

// selectMessageAttributes returns the message attributes the filters select.
func selectMessageAttributes(attrs map[string]sqs.MessageAttribute, filters []string) msgAttrMap {
	out := msgAttrMap{}
	for name, v := range attrs {
		if selected(name, filters) {
			out[name] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// msgAttrMap is message attributes, written in XML as flattened
// <MessageAttribute><Name/><Value>…</Value></MessageAttribute> elements.
type msgAttrMap map[string]sqs.MessageAttribute

// MarshalXML implements xml.Marshaler.
func (m msgAttrMap) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	type value struct {
		StringValue      *string  `xml:"StringValue,omitempty"`
		BinaryValue      string   `xml:"BinaryValue,omitempty"`
		StringListValues []string `xml:"StringListValue,omitempty"`
		BinaryListValues []string `xml:"BinaryListValue,omitempty"`
		DataType         string   `xml:"DataType"`
	}
	for _, name := range sqs.SortedNames(m) {
		a := m[name]
		v := value{StringValue: a.StringValue, StringListValues: a.StringListValues, DataType: a.DataType}
		if a.BinaryValue != nil {
			v.BinaryValue = base64.StdEncoding.EncodeToString(a.BinaryValue)
		}
		for _, b := range a.BinaryListValues {
			v.BinaryListValues = append(v.BinaryListValues, base64.StdEncoding.EncodeToString(b))
		}
		entry := struct {
			Name  string `xml:"Name"`
			Value value  `xml:"Value"`
		}{name, v}
		if err := e.EncodeElement(entry, xml.StartElement{Name: xml.Name{Local: start.Name.Local}}); err != nil {
			return err
		}
	}
	return nil
}

func (a *API) deleteMessage(c *call) (any, error) {
	var in struct {
		QueueURL      string `json:"QueueUrl"`
		ReceiptHandle string
	}
	if err := c.input(&in); err != nil {
		return nil, err
	}
	q, err := a.queue(c, in.QueueURL)
	if err != nil {
		return nil, err
	}
	if in.ReceiptHandle == "" {
		return nil, sqs.Errorf(sqs.CodeMissingParameter, "The request must contain the parameter ReceiptHandle.")
	}
	errs, err := a.Queues.Delete(c.ctx, q, []string{in.ReceiptHandle})
	if err != nil {
		return nil, err
	}
	return nil, errs[0]
}

type idEntry struct {
	ID string `json:"Id" xml:"Id"`
}

func (a *API) deleteMessageBatch(c *call) (any, error) {
	var in struct {
		QueueURL string `json:"QueueUrl"`
		Entries  []struct {
			ID            string `json:"Id"`
			ReceiptHandle string
		}
	}
	if err := c.input(&in); err != nil {
		return nil, err
	}
	q, err := a.queue(c, in.QueueURL)
	if err != nil {
		return nil, err
	}
	ids, handles := make([]string, len(in.Entries)), make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i], handles[i] = e.ID, e.ReceiptHandle
	}
	if err := sqs.CheckBatch("DeleteMessageBatchRequestEntry", ids); err != nil {
		return nil, err
	}
	errs, err := a.Queues.Delete(c.ctx, q, handles)
	if err != nil {
		return nil, err
	}
	return batchOutput("DeleteMessageBatchResultEntry", ids, errs), nil
}

func (a *API) changeMessageVisibility(c *call) (any, error) {
	var in struct {
		QueueURL          string `json:"QueueUrl"`
		ReceiptHandle     string
		VisibilityTimeout optInt
	}
	if err := c.input(&in); err != nil {
		return nil, err
	}
	q, err := a.queue(c, in.QueueURL)
	if err != nil {
		return nil, err
	}
	if err := checkInts(map[string]optInt{"VisibilityTimeout": in.VisibilityTimeout}); err != nil {
		return nil, err
	}
	if in.ReceiptHandle == "" || !in.VisibilityTimeout.set {
		return nil, sqs.Errorf(sqs.CodeMissingParameter, "The request must contain the parameters ReceiptHandle and VisibilityTimeout.")
	}
	errs, err := a.Queues.ChangeVisibility(c.ctx, q, []sqs.VisibilityChange{{ReceiptHandle: in.ReceiptHandle, VisibilityTimeout: in.VisibilityTimeout.v}})
	if err != nil {
		return nil, err
	}
	return nil, errs[0]
}

func (a *API) changeMessageVisibilityBatch(c *call) (any, error) {
	var in struct {
		QueueURL string `json:"QueueUrl"`
		Entries  []struct {
			ID                string `json:"Id"`
			ReceiptHandle     string
			VisibilityTimeout optInt
		}
	}
	if err := c.input(&in); err != nil {
		return nil, err
	}
	q, err := a.queue(c, in.QueueURL)
	if err != nil {
		return nil, err
	}
	ids, changes := make([]string, len(in.Entries)), make([]sqs.VisibilityChange, len(in.Entries))
	for i, e := range in.Entries {
		if err := checkInts(map[string]optInt{"VisibilityTimeout": e.VisibilityTimeout}); err != nil {
			return nil, err
		}
		ids[i], changes[i] = e.ID, sqs.VisibilityChange{ReceiptHandle: e.ReceiptHandle, VisibilityTimeout: e.VisibilityTimeout.v}
	}
	if err := sqs.CheckBatch("ChangeMessageVisibilityBatchRequestEntry", ids); err != nil {
		return nil, err
	}
	errs, err := a.Queues.ChangeVisibility(c.ctx, q, changes)
	if err != nil {
		return nil, err
	}
	return batchOutput("ChangeMessageVisibilityBatchResultEntry", ids, errs), nil
}

// batchResult is the Successful/Failed output of the delete and visibility
// batches; the XML element name of the successful entries differs per
// operation.
type batchResult struct {
	successElem string
	Successful  []idEntry    `json:"Successful"`
	Failed      []batchError `json:"Failed"`
}

// MarshalXML implements xml.Marshaler.
func (b batchResult) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, s := range b.Successful {
		if err := e.EncodeElement(s, xml.StartElement{Name: xml.Name{Local: b.successElem}}); err != nil {
			return err
		}
	}
	for _, f := range b.Failed {
		if err := e.EncodeElement(f, xml.StartElement{Name: xml.Name{Local: "BatchResultErrorEntry"}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

func batchOutput(successElem string, ids []string, errs []error) batchResult {
	out := batchResult{successElem: successElem, Successful: []idEntry{}, Failed: []batchError{}}
	for i, id := range ids {
		if errs[i] != nil {
			out.Failed = append(out.Failed, newBatchError(id, errs[i]))
			continue
		}
		out.Successful = append(out.Successful, idEntry{id})
	}
	return out
}
