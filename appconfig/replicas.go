package appconfig

// Changed tells the service that another process sharing the store changed
// AppConfig state, so what the data plane serves is read again.
func (s *Service) Changed() { s.gen.Add(1) }
