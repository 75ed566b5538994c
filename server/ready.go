package server

import (
	"encoding/json"
	"net/http"
	"time"
)

// readiness is the body of GET /readyz. It names conditions, never paths or
// the details of damage (those go to the log).
type readiness struct {
	Status string `json:"status"` // "ready" or "unavailable"
	// IntegrityCheck is "running" while the background integrity check of a
	// large database has not finished, else "done".
	IntegrityCheck string   `json:"integrityCheck"`
	Problems       []string `json:"problems,omitempty"`
}

// ready is GET /readyz: 200 when baton can accept writes, 503 with the
// problems otherwise (a damaged database, a full disk). Like /healthz it
// needs no token.
func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	body := readiness{Status: "ready", IntegrityCheck: "done", Problems: s.store.problems(r.Context())}
	if s.store.checking() {
		body.IntegrityCheck = "running"
	}
	status := http.StatusOK
	if len(body.Problems) > 0 {
		body.Status, status = "unavailable", http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// onCheckpoint observes the SQLite store's background checkpoints.
func (s *Server) onCheckpoint(frames, copied int, took time.Duration, err error) {
	if err != nil {
		s.metrics.checkpointErrors.Inc()
		s.log.Warn("background checkpoint failed; the writer's own checkpoint still bounds the log", "error", err)
		return
	}
	s.metrics.checkpointTime.Observe(took.Seconds())
	s.metrics.checkpointPages.Observe(float64(copied))
}

// onCorrupt logs damage the store found after start.
func (s *Server) onCorrupt(detail string) {
	s.log.Error("DATABASE DAMAGED: baton now refuses writes; stop it and restore the data directory from a backup",
		"detail", detail)
}
