package server

import "github.com/batonhq/baton/postgres"

// listenReplicas turns the commit notifications of every replica sharing a
// PostgreSQL store into this process's wake-ups: SQS long polls, waiters on
// open .triggered events, and the AppConfig data plane's cache. (The outbox
// store subscribes itself.) On SQLite there is one process and nothing to do.
func (s *Server) listenReplicas() {
	if s.store.subscribe == nil {
		return
	}
	s.store.subscribe(postgres.ChannelSQS, func(payload string) {
		if payload == postgres.PayloadQueues || payload == "" {
			s.SQS.ForgetQueues()
		}
		s.SQS.WakeNotified(payload)
	})
	s.store.subscribe(postgres.ChannelKeptn, func(payload string) {
		if payload != postgres.PayloadEvent {
			s.Sequences.SignalOpen()
		}
	})
	s.store.subscribe(postgres.ChannelAppConfig, func(string) { s.AppConfig.Changed() })
}
