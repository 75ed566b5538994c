package server

import "github.com/batonhq/baton/postgres"

// listenReplicas turns the commit notifications of every replica sharing a
// PostgreSQL store into this process's wake-ups: SQS long polls, waiters on
// open .triggered events, the AppConfig data plane's cache and the Bridge's
// live pages. (The outbox store subscribes itself.) On SQLite there is one process and nothing to do.
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
	// The Bridge's live pages re-render on other replicas' commits too (not
	// on the slow poll's empty wake-ups, which would re-render every page).
	for _, ch := range []string{postgres.ChannelOutbox, postgres.ChannelSQS, postgres.ChannelKeptn, postgres.ChannelAppConfig} {
		s.store.subscribe(ch, func(payload string) {
			if payload != "" {
				s.live.Notify()
			}
		})
	}
}
