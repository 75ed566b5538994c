package client

import (
	"context"
	"fmt"
	"net/url"
	"time"
)

// Delivery is one unit of outbox work (a webhook run, a message delivery)
// with its attempts.
type Delivery struct {
	ID       int64  `json:"id"`
	Kind     string `json:"kind"`
	Key      string `json:"key"`
	State    string `json:"state"`
	Attempts int    `json:"attempts"`
	// MaxAttempts is how many attempts are made before the delivery is dead.
	MaxAttempts int       `json:"maxAttempts"`
	Due         time.Time `json:"due"`
	LastError   string    `json:"lastError"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
	History     []struct {
		Time      time.Time `json:"time"`
		LatencyMS float64   `json:"latencyMs"`
		Status    int       `json:"status"`
		Error     string    `json:"error"`
		Excerpt   string    `json:"responseExcerpt"`
	} `json:"history"`
}

// Deliveries lists deliveries, newest first (kind and state may be empty).
func (c *Client) Deliveries(ctx context.Context, kind, state string, limit int) ([]Delivery, error) {
	q := url.Values{}
	if kind != "" {
		q.Set("kind", kind)
	}
	if state != "" {
		q.Set("state", state)
	}
	q.Set("pageSize", fmt.Sprint(limit))
	var r struct {
		Deliveries []Delivery `json:"deliveries"`
	}
	return r.Deliveries, c.Do(ctx, "GET", "/api/baton/v1/deliveries?"+q.Encode(), nil, &r)
}

// Delivery returns one delivery with its attempts.
func (c *Client) Delivery(ctx context.Context, id int64) (Delivery, error) {
	var d Delivery
	return d, c.Do(ctx, "GET", fmt.Sprintf("/api/baton/v1/deliveries/%d", id), nil, &d)
}

// ReplayDelivery makes a dead delivery pending again.
func (c *Client) ReplayDelivery(ctx context.Context, id int64) error {
	return c.Do(ctx, "POST", fmt.Sprintf("/api/baton/v1/deliveries/%d/replay", id), nil, nil)
}
