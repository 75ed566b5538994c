package bench

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
)

// CeilingSQS is a stand-in SQS endpoint that stores nothing: it answers the
// calls the benchmark makes with canned, well-formed JSON-protocol replies
// (correct body digests, receive returns as many messages as asked). The
// same benchmark against it measures what the client, HTTP on loopback and
// the machine allow, the ceiling for any SQS server here.
type CeilingSQS struct {
	ln   net.Listener
	srv  *http.Server
	body string
}

// StartCeilingSQS starts the stand-in on a free loopback port; received
// messages carry bodySize-byte bodies.
func StartCeilingSQS(bodySize int) (*CeilingSQS, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c := &CeilingSQS{ln: ln, body: strings.Repeat("x", bodySize)}
	c.srv = &http.Server{Handler: http.HandlerFunc(c.serve)}
	go c.srv.Serve(ln)
	return c, nil
}

// URL returns the endpoint URL.
func (c *CeilingSQS) URL() string { return "http://" + c.ln.Addr().String() }

// Close stops the stand-in.
func (c *CeilingSQS) Close() error { return c.srv.Close() }

func sqsMD5(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

func (c *CeilingSQS) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var in struct {
		QueueName, MessageBody string
		MaxNumberOfMessages    int
		Entries                []struct{ Id, MessageBody string }
	}
	json.Unmarshal(body, &in)
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	var out any = struct{}{}
	switch strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.") {
	case "CreateQueue":
		out = map[string]string{"QueueUrl": "http://" + r.Host + "/000000000000/" + in.QueueName}
	case "SendMessage":
		out = map[string]string{"MessageId": "00000000-0000-0000-0000-000000000000", "MD5OfMessageBody": sqsMD5(in.MessageBody)}
	case "SendMessageBatch", "DeleteMessageBatch":
		ok := []map[string]string{}
		for _, e := range in.Entries {
			ok = append(ok, map[string]string{"Id": e.Id, "MessageId": "00000000-0000-0000-0000-000000000000", "MD5OfMessageBody": sqsMD5(e.MessageBody)})
		}
		out = map[string]any{"Successful": ok, "Failed": []any{}}
	case "ReceiveMessage":
		n := max(in.MaxNumberOfMessages, 1)
		msgs := make([]map[string]string, n)
		for i := range msgs {
			msgs[i] = map[string]string{"MessageId": fmt.Sprint("m", i), "ReceiptHandle": fmt.Sprint("h", i), "Body": c.body, "MD5OfBody": sqsMD5(c.body)}
		}
		out = map[string]any{"Messages": msgs}
	}
	json.NewEncoder(w).Encode(out)
}
