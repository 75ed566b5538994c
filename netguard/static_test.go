package netguard

import (
	"errors"
	"testing"
)

// CheckHost judges a target without DNS: refused IP literals, localhost and
// metadata names, unless allow-listed; other names pass (checked at dial).
func TestCheckHost(t *testing.T) {
	g, err := New([]string{"10.0.0.0/8", "hooks.internal", "127.0.0.1:9000"})
	if err != nil {
		t.Fatal(err)
	}
	for host, refused := range map[string]bool{
		"127.0.0.1": true, "127.0.0.1:8080": true, "[::1]:80": true, "localhost:3000": true, "api.localhost": true,
		"169.254.169.254": true, "metadata.google.internal": true, "192.168.1.10:80": true,
		"127.0.0.1:9000": false, "10.1.2.3:443": false, "hooks.internal:8443": false, "example.com": false, "93.184.215.14": false,
	} {
		if err := g.CheckHost(host); errors.Is(err, ErrRefused) != refused {
			t.Errorf("CheckHost(%q) = %v, want refused=%v", host, err, refused)
		}
	}
}
