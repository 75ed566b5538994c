package sqsapi

import "encoding/json"

// jsonAppender is an output with a fixed shape that appends its JSON
// encoding without reflection, byte for byte what json.Marshal writes (the
// send outputs, written once per message sent).
type jsonAppender interface {
	appendJSON(b []byte) []byte
}

// appendJSONString appends s as a JSON string, as json.Marshal writes it.
// Ids, digests and sequence numbers need no escaping; anything else goes
// through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !jsonPlain[s[i]] {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// jsonPlain holds the bytes json.Marshal writes as they are.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendJSONField appends ,"name":"value" (without the comma when first).
func appendJSONField(b []byte, first bool, name, value string) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, name...)
	b = append(b, `":`...)
	return appendJSONString(b, value)
}

func (o *sendOutput) appendJSON(b []byte) []byte {
	b = append(b, '{')
	first := true
	if o.ID != "" {
		b = appendJSONField(b, true, "Id", o.ID)
		first = false
	}
	b = appendJSONField(b, first, "MD5OfMessageBody", o.MD5OfMessageBody)
	if o.MD5OfMessageAttributes != "" {
		b = appendJSONField(b, false, "MD5OfMessageAttributes", o.MD5OfMessageAttributes)
	}
	if o.MD5OfMessageSystemAttributes != "" {
		b = appendJSONField(b, false, "MD5OfMessageSystemAttributes", o.MD5OfMessageSystemAttributes)
	}
	b = appendJSONField(b, false, "MessageId", o.MessageID)
	if o.SequenceNumber != "" {
		b = appendJSONField(b, false, "SequenceNumber", o.SequenceNumber)
	}
	return append(b, '}')
}

// sendBatchOutput is SendMessageBatch's output.
type sendBatchOutput struct {
	Successful []sendOutput `xml:"SendMessageBatchResultEntry"`
	Failed     []batchError `xml:"BatchResultErrorEntry"`
}

func (o *sendBatchOutput) appendJSON(b []byte) []byte {
	b = append(b, `{"Successful":`...)
	if o.Successful == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range o.Successful {
			if i > 0 {
				b = append(b, ',')
			}
			b = o.Successful[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	b = append(b, `,"Failed":`...)
	if o.Failed == nil {
		return append(b, "null}"...)
	}
	if len(o.Failed) == 0 {
		return append(b, "[]}"...)
	}
	// Failures are rare: encoding/json writes them.
	f, _ := json.Marshal(o.Failed) // plain strings and a bool always encode
	b = append(b, f...)
	return append(b, '}')
}

// jsonSize estimates the encoded size of an output, to size its buffer once.
func jsonSize(o jsonAppender) int {
	if bo, ok := o.(*sendBatchOutput); ok {
		return 32 + 160*len(bo.Successful) + 256*len(bo.Failed)
	}
	return 256
}
