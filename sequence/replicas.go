package sequence

// SignalOpenEvents wakes the waiters of OpenEventsChanged: another process
// sharing the store opened .triggered events.
func (en *Engine) SignalOpenEvents() { en.opened.signal() }
