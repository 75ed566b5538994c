package extension

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// CallTimeout bounds one synchronous function call.
const CallTimeout = 15 * time.Second

// maxResponse caps a function's answer (content up to 2 MB, base64).
const maxResponse = 4 << 20

// call POSTs msg to the HTTP function uri and decodes its answer. A non-2xx
// status or an answer that is not a JSON object is an error.
func (s *Service) call(ctx context.Context, uri string, msg *Message) (*Response, error) {
	body, err := jsonMarshal(msg)
	if err != nil {
		return nil, err
	}
	status, out, err := s.post(ctx, uri, msg.InvocationID, body, CallTimeout)
	if err != nil {
		return nil, err
	}
	if status < 200 || status > 299 {
		return nil, fmt.Errorf("function answered HTTP %d: %s", status, excerpt(out))
	}
	resp := &Response{}
	if len(bytes.TrimSpace(out)) == 0 {
		return resp, nil
	}
	if err := json.Unmarshal(out, resp); err != nil {
		return nil, fmt.Errorf("function answer is not the JSON object docs/extensions.md describes: %v", err)
	}
	return resp, nil
}

// post sends body to uri and returns the status and the (capped) answer.
func (s *Service) post(ctx context.Context, uri, invocation string, body []byte, timeout time.Duration) (int, []byte, error) {
	if err := s.checkPlain(uri); err != nil {
		return 0, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, uri, bytes.NewReader(body))
	if err != nil {
		return 0, nil, fmt.Errorf("request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Baton-Invocation-Id", invocation)
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("read answer: %w", err)
	}
	if len(out) > maxResponse {
		return resp.StatusCode, nil, fmt.Errorf("function answer is larger than %d bytes", maxResponse)
	}
	return resp.StatusCode, out, nil
}

func excerpt(b []byte) string {
	if len(b) > 200 {
		b = b[:200]
	}
	return string(b)
}
