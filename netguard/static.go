package netguard

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// CheckHost reports, without resolving names, whether a call to hostport (a
// host name, IP literal or either with a port) will be refused: allow-listed
// hosts pass, cloud metadata names, "localhost" and IP literals in refused
// ranges do not. A name that resolves to a refused address is only found
// when it is dialed. Used to warn when a configuration is stored.
func (g *Guard) CheckHost(hostport string) error {
	if g.hostAllowed(hostport) {
		return nil
	}
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	for _, m := range metadataHosts {
		if strings.EqualFold(host, m) {
			return fmt.Errorf("%w: %s is a cloud metadata or cluster-internal host", ErrRefused, host)
		}
	}
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		host = "127.0.0.1"
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return g.CheckAddr(ip)
	}
	return nil
}
