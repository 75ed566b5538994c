package netguard

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestBlockedRanges(t *testing.T) {
	g, err := New(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"127.0.0.1", "10.1.2.3", "172.20.0.1", "192.168.1.1", "169.254.169.254", "100.64.1.1",
		"0.0.0.0", "::1", "fd00:ec2::254", "fe80::1", "::ffff:127.0.0.1", "224.0.0.1", "64:ff9b::7f00:1", "2002:7f00:1::1"} {
		if err := g.CheckAddr(netip.MustParseAddr(a)); !errors.Is(err, ErrRefused) {
			t.Errorf("%s allowed", a)
		}
	}
	for _, a := range []string{"8.8.8.8", "1.1.1.1", "2606:4700::1111", "172.32.0.1"} {
		if err := g.CheckAddr(netip.MustParseAddr(a)); err != nil {
			t.Errorf("%s refused: %v", a, err)
		}
	}
}

func TestDialRefusesLoopbackUnlessAllowed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) }))
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	_, port, _ := net.SplitHostPort(addr)

	get := func(g *Guard, url string) error {
		c := &http.Client{Transport: &http.Transport{DialContext: g.DialContext}}
		resp, err := c.Get(url)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	deny, _ := New(nil)
	for _, u := range []string{"http://" + addr, "http://localhost:" + port, "http://[::1]:" + port} {
		if err := get(deny, u); !errors.Is(err, ErrRefused) {
			t.Errorf("%s: got %v, want refused", u, err)
		}
	}
	for _, allow := range [][]string{{"127.0.0.1"}, {"127.0.0.0/8"}, {addr}, {"localhost"}} {
		g, err := New(allow)
		if err != nil {
			t.Fatal(err)
		}
		u := "http://" + addr
		if allow[0] == "localhost" {
			u = "http://localhost:" + port
		}
		if err := get(g, u); err != nil {
			t.Errorf("allow %v: %s: %v", allow, u, err)
		}
	}
	// host:port allows only that port.
	g, _ := New([]string{"127.0.0.1:1"})
	if err := get(g, "http://"+addr); !errors.Is(err, ErrRefused) {
		t.Errorf("port-scoped allow: %v", err)
	}
	if _, err := deny.DialContext(context.Background(), "tcp", "metadata.google.internal:80"); !errors.Is(err, ErrRefused) {
		t.Errorf("metadata host: %v", err)
	}
	if _, err := New([]string{"bad entry/x y"}); err == nil {
		t.Error("malformed allow entry accepted")
	}
}

func TestListed(t *testing.T) {
	g, err := New([]string{"127.0.0.1", "hooks.internal", "10.1.0.0/16"})
	if err != nil {
		t.Fatal(err)
	}
	for hp, want := range map[string]bool{
		"127.0.0.1:8080": true, "127.0.0.1": true, "hooks.internal:443": true, "10.1.2.3:80": true,
		"example.com": false, "8.8.8.8:80": false, "127.0.0.2:80": false,
	} {
		if got := g.Listed(hp); got != want {
			t.Errorf("Listed(%q) = %v, want %v", hp, got, want)
		}
	}
}
