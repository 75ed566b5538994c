// Package apprunner is a small service that stands in for an AWS App Runner
// service in baton's walkthrough. It shows the three ways such a service
// works with baton:
//
//  1. Fire-and-forget: baton calls POST /deploy from a webhook with
//     sendFinished: true; the service answers at once and baton reports the
//     task finished with the answer under data.<task>.responses.
//  2. Fire-and-wait: baton calls POST /deploy-async with sendFinished: false;
//     the service answers 202, then reports progress with
//     sh.keptn.event.<task>.status.changed and its own result and data with
//     sh.keptn.event.<task>.finished, correlated by triggeredid.
//  3. Triggering: POST /notify-deployed makes the service post
//     sh.keptn.event.<stage>.<sequence>.triggered to baton with its x-token,
//     starting a sequence (as an App Runner deployment notification would).
package apprunner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Service is the stand-in App Runner service.
type Service struct {
	// Baton is baton's URL, e.g. http://127.0.0.1:8080.
	Baton string
	// Token is baton's API token.
	Token string
	// Log receives what happens.
	Log *slog.Logger
	// Client calls baton (default http.DefaultClient).
	Client *http.Client

	mu       sync.Mutex
	deployed map[string]string // service -> image
	wg       sync.WaitGroup
}

// Handler returns the service's HTTP routes.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /deploy", s.deploy)
	mux.HandleFunc("POST /deploy-async", s.deployAsync)
	mux.HandleFunc("POST /notify-deployed", s.notifyDeployed)
	return mux
}

// Wait waits for background reports to baton to finish.
func (s *Service) Wait() { s.wg.Wait() }

// Deployed returns the image last deployed for a service.
func (s *Service) Deployed(service string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deployed[service]
}

// deployRequest is what the walkthrough's webhooks send (see README.md).
type deployRequest struct {
	Image        string `json:"image"`
	Project      string `json:"project"`
	Stage        string `json:"stage"`
	Service      string `json:"service"`
	TriggeredID  string `json:"triggeredid"`
	KeptnContext string `json:"shkeptncontext"`
}

func (s *Service) record(r deployRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.deployed == nil {
		s.deployed = map[string]string{}
	}
	s.deployed[r.Service] = r.Image
}

func decode(w http.ResponseWriter, r *http.Request) (deployRequest, bool) {
	var d deployRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&d); err != nil || d.Image == "" || d.Service == "" {
		http.Error(w, `{"message":"send JSON with image and service"}`, http.StatusBadRequest)
		return d, false
	}
	return d, true
}

// deploy is style 1: deploy synchronously and answer with the result.
func (s *Service) deploy(w http.ResponseWriter, r *http.Request) {
	d, ok := decode(w, r)
	if !ok {
		return
	}
	s.record(d)
	s.Log.Info("deployed", "service", d.Service, "image", d.Image)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{
		"status": "RUNNING", "image": d.Image, "serviceUrl": "https://" + d.Service + ".example.awsapprunner.com",
	})
}

// deployAsync is style 2: accept, then report progress and the result to baton.
func (s *Service) deployAsync(w http.ResponseWriter, r *http.Request) {
	d, ok := decode(w, r)
	if !ok {
		return
	}
	if d.TriggeredID == "" || d.KeptnContext == "" {
		http.Error(w, `{"message":"fire-and-wait needs triggeredid and shkeptncontext"}`, http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusAccepted)
	json.NewEncoder(w).Encode(map[string]string{"operationId": "op-" + d.TriggeredID})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		scope := map[string]any{"project": d.Project, "stage": d.Stage, "service": d.Service}
		progress := merge(scope, map[string]any{"message": "deployment of " + d.Image + " in progress"})
		if err := s.send(ctx, "sh.keptn.event.deployment.status.changed", d, progress); err != nil {
			s.Log.Error("report progress", "err", err)
			return
		}
		s.record(d)
		done := merge(scope, map[string]any{"result": "pass", "status": "succeeded",
			"deployment": map[string]any{"image": d.Image, "serviceUrl": "https://" + d.Service + ".example.awsapprunner.com"}})
		if err := s.send(ctx, "sh.keptn.event.deployment.finished", d, done); err != nil {
			s.Log.Error("report result", "err", err)
		}
	}()
}

// notifyDeployed is style 3: trigger a sequence in baton.
func (s *Service) notifyDeployed(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Project  string `json:"project"`
		Stage    string `json:"stage"`
		Sequence string `json:"sequence"`
		Service  string `json:"service"`
		Image    string `json:"image"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&in); err != nil || in.Project == "" || in.Stage == "" || in.Sequence == "" || in.Service == "" {
		http.Error(w, `{"message":"send project, stage, sequence and service"}`, http.StatusBadRequest)
		return
	}
	kc, err := s.TriggerSequence(r.Context(), in.Project, in.Stage, in.Sequence, in.Service, in.Image)
	if err != nil {
		http.Error(w, `{"message":"`+err.Error()+`"}`, http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"keptnContext": kc})
}

// TriggerSequence posts sh.keptn.event.<stage>.<sequence>.triggered to baton
// exactly as the README's curl does and returns the keptnContext.
func (s *Service) TriggerSequence(ctx context.Context, project, stage, sequence, service, image string) (string, error) {
	data := map[string]any{"project": project, "stage": stage, "service": service}
	if image != "" {
		data["configurationChange"] = map[string]any{"values": map[string]any{"image": image}}
	}
	ev := map[string]any{"specversion": "1.0", "contenttype": "application/json", "source": "aws-app-runner",
		"type": "sh.keptn.event." + stage + "." + sequence + ".triggered", "data": data}
	var out struct {
		KeptnContext string `json:"keptnContext"`
	}
	return out.KeptnContext, s.post(ctx, ev, &out)
}

func (s *Service) send(ctx context.Context, typ string, d deployRequest, data map[string]any) error {
	ev := map[string]any{"specversion": "1.0", "source": "aws-app-runner", "type": typ,
		"shkeptncontext": d.KeptnContext, "triggeredid": d.TriggeredID, "data": data}
	return s.post(ctx, ev, nil)
}

func (s *Service) post(ctx context.Context, ev map[string]any, out any) error {
	body, _ := json.Marshal(ev)
	req, err := http.NewRequestWithContext(ctx, "POST", s.Baton+"/api/v1/event", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-token", s.Token)
	c := s.Client
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("baton answered %d: %s", resp.StatusCode, bytes.TrimSpace(b))
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func merge(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}
