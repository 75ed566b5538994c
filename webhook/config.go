// Package webhook is baton's webhook service: Keptn's webhook/webhook.yaml
// (webhookconfig.keptn.sh v1alpha1 curl strings and v1beta1 requests),
// subscriptions, templating over the event plus secrets, the SSRF-guarded
// HTTP calls made through the outbox, and the .started/.finished events of
// fire-and-forget and fire-and-wait tasks.
package webhook

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/batonhq/baton/keptn"
)

// ConfigURI is where webhook configurations live, at project, stage or service level.
const ConfigURI = "webhook/webhook.yaml"

// API versions of WebhookConfig.
const (
	V1Alpha1 = "webhookconfig.keptn.sh/v1alpha1"
	V1Beta1  = "webhookconfig.keptn.sh/v1beta1"
)

// Config is a parsed webhook.yaml.
type Config struct {
	APIVersion string
	Webhooks   []Webhook
}

// Webhook is one entry of spec.webhooks.
type Webhook struct {
	Type           string      `json:"type"`
	SubscriptionID string      `json:"subscriptionID,omitempty"`
	SendFinished   bool        `json:"sendFinished"`
	SendStarted    bool        `json:"sendStarted"`
	EnvFrom        []EnvSecret `json:"envFrom,omitempty"`
	Requests       []Request   `json:"requests"`
	// Queues are SQS queue ARNs every matched event is sent to (v1beta1).
	Queues []string `json:"queues,omitempty"`
}

// EnvSecret maps a secret key to .env.<Name> in templates.
type EnvSecret struct {
	Name      string `json:"name" yaml:"name"`
	SecretRef struct {
		Name string `json:"name" yaml:"name"`
		Key  string `json:"key" yaml:"key"`
	} `json:"secretRef" yaml:"secretRef"`
}

// Request is an HTTP request template. For v1alpha1 it comes from a curl
// command whose tokens are templated one by one.
type Request struct {
	Method   string   `json:"method"`
	URL      string   `json:"url"`
	Headers  []Header `json:"headers,omitempty"`
	Payload  string   `json:"payload,omitempty"`
	User     string   `json:"user,omitempty"` // basic auth "user:password" (curl -u)
	Insecure bool     `json:"insecure,omitempty"`
	Timeout  float64  `json:"timeout,omitempty"` // seconds (curl --max-time)
	Curl     []string `json:"curl,omitempty"`    // v1alpha1: the tokens, templated at send time
}

// Header is one request header.
type Header struct {
	Key   string `json:"key" yaml:"key"`
	Value string `json:"value" yaml:"value"`
}

type rawConfig struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		Webhooks []struct {
			Type           string      `yaml:"type"`
			SubscriptionID string      `yaml:"subscriptionID"`
			SendFinished   bool        `yaml:"sendFinished"`
			SendStarted    *bool       `yaml:"sendStarted"`
			EnvFrom        []EnvSecret `yaml:"envFrom"`
			Requests       []yaml.Node `yaml:"requests"`
			Queues         []string    `yaml:"queues"`
		} `yaml:"webhooks"`
	} `yaml:"spec"`
}

type rawRequest struct {
	URL     string   `yaml:"url"`
	Method  string   `yaml:"method"`
	Headers []Header `yaml:"headers"`
	Payload string   `yaml:"payload"`
	Options string   `yaml:"options"`
}

// ParseConfig decodes and validates a webhook.yaml.
func ParseConfig(raw []byte) (*Config, error) {
	var rc rawConfig
	if err := keptn.DecodeStrictYAML(raw, &rc); err != nil {
		return nil, fmt.Errorf("invalid webhook config: %v", err)
	}
	if rc.APIVersion != V1Alpha1 && rc.APIVersion != V1Beta1 {
		return nil, fmt.Errorf("invalid webhook config: apiVersion must be %s or %s, not %q", V1Alpha1, V1Beta1, rc.APIVersion)
	}
	if rc.Kind != "WebhookConfig" {
		return nil, fmt.Errorf("invalid webhook config: kind must be WebhookConfig, not %q", rc.Kind)
	}
	c := &Config{APIVersion: rc.APIVersion}
	for i, w := range rc.Spec.Webhooks {
		if w.Type == "" {
			return nil, fmt.Errorf("invalid webhook config: webhooks[%d]: type is required", i)
		}
		if err := checkQueues(rc.APIVersion, w.Queues); err != nil {
			return nil, fmt.Errorf("invalid webhook config: webhooks[%d]: %v", i, err)
		}
		if len(w.Requests) == 0 && len(w.Queues) == 0 {
			return nil, fmt.Errorf("invalid webhook config: webhooks[%d]: at least one request or queue is required", i)
		}
		hook := Webhook{Type: w.Type, SubscriptionID: w.SubscriptionID, SendFinished: w.SendFinished, SendStarted: true, EnvFrom: w.EnvFrom, Queues: w.Queues}
		if w.SendStarted != nil {
			hook.SendStarted = *w.SendStarted
		}
		for _, e := range w.EnvFrom {
			if e.Name == "" || e.SecretRef.Name == "" || e.SecretRef.Key == "" {
				return nil, fmt.Errorf("invalid webhook config: webhooks[%d]: envFrom needs name, secretRef.name and secretRef.key", i)
			}
		}
		for j, node := range w.Requests {
			req, err := parseRequest(rc.APIVersion, &node)
			if err == nil {
				err = checkTemplates(req)
			}
			if err != nil {
				return nil, fmt.Errorf("invalid webhook config: webhooks[%d].requests[%d]: %v", i, j, err)
			}
			hook.Requests = append(hook.Requests, req)
		}
		c.Webhooks = append(c.Webhooks, hook)
	}
	return c, nil
}

func parseRequest(version string, node *yaml.Node) (Request, error) {
	if version == V1Alpha1 {
		var s string
		if err := node.Decode(&s); err != nil {
			return Request{}, fmt.Errorf("v1alpha1 requests are curl command strings")
		}
		return ParseCurl(s)
	}
	if err := checkRequestKeys(node); err != nil {
		return Request{}, err
	}
	var r rawRequest
	if err := node.Decode(&r); err != nil {
		return Request{}, fmt.Errorf("v1beta1 requests need url, method, headers and payload: %v", err)
	}
	if r.URL == "" {
		return Request{}, fmt.Errorf("url is required")
	}
	m := strings.ToUpper(r.Method)
	if m == "" {
		m = "GET"
	}
	switch m {
	case "GET", "POST", "PUT", "HEAD", "PATCH", "DELETE":
	default:
		return Request{}, fmt.Errorf("method %q is not supported (GET, POST, PUT, HEAD, PATCH, DELETE)", r.Method)
	}
	req := Request{Method: m, URL: r.URL, Headers: r.Headers, Payload: r.Payload}
	if r.Options != "" {
		// Keptn passed these as raw extra curl arguments; baton understands the safe ones.
		opts, err := ParseCurl("curl " + r.Options + " " + r.URL)
		if err != nil {
			return Request{}, fmt.Errorf("options: %v", err)
		}
		req.Insecure, req.Timeout, req.User = opts.Insecure, opts.Timeout, opts.User
		req.Headers = append(req.Headers, opts.Headers...)
	}
	if req.Payload != "" && !hasHeader(req.Headers, "Content-Type") {
		// Keptn ran v1beta1 requests as curl --data (webhook-service
		// handler.go buildBetaCurlRequest), which sends this type.
		req.Headers = append(req.Headers, Header{Key: "Content-Type", Value: "application/x-www-form-urlencoded"})
	}
	return req, nil
}

// checkTemplates parses every template of a request, so template errors are
// reported when the configuration is stored.
func checkTemplates(r Request) error {
	if err := checkURL(r.URL); err != nil {
		return err
	}
	texts := append([]string{r.URL, r.Payload}, r.Curl...)
	for _, h := range r.Headers {
		texts = append(texts, h.Key, h.Value)
	}
	for _, t := range texts {
		if err := checkTemplate(t); err != nil {
			return err
		}
	}
	return nil
}
