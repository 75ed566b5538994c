// Package netguard keeps outbound calls made on users' behalf (webhooks,
// extension endpoints) away from addresses they must not reach: loopback,
// private, link-local, carrier-grade NAT, unspecified and multicast ranges and
// cloud metadata endpoints, unless an operator allows a host explicitly.
//
// The check runs at dial time on the addresses the name actually resolved to,
// so DNS rebinding between a check and the connection cannot slip through.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
)

// ErrRefused is wrapped by every refusal.
var ErrRefused = errors.New("netguard: target refused")

var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this" network
	netip.MustParsePrefix("10.0.0.0/8"),     // private
	netip.MustParsePrefix("100.64.0.0/10"),  // carrier-grade NAT
	netip.MustParsePrefix("127.0.0.0/8"),    // loopback
	netip.MustParsePrefix("169.254.0.0/16"), // link-local, incl. 169.254.169.254 metadata
	netip.MustParsePrefix("172.16.0.0/12"),  // private
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments
	netip.MustParsePrefix("192.168.0.0/16"), // private
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking
	netip.MustParsePrefix("224.0.0.0/4"),    // multicast
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, broadcast
	netip.MustParsePrefix("::/128"),         // unspecified
	netip.MustParsePrefix("::1/128"),        // loopback
	netip.MustParsePrefix("64:ff9b::/96"),   // NAT64: embeds an IPv4 address
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
	netip.MustParsePrefix("2002::/16"),      // 6to4: embeds an IPv4 address
	netip.MustParsePrefix("fc00::/7"),       // unique local, incl. fd00:ec2::254 metadata
	netip.MustParsePrefix("fe80::/10"),      // link-local
	netip.MustParsePrefix("ff00::/8"),       // multicast
}

// metadataHosts are refused by name as well, whatever they resolve to.
var metadataHosts = []string{"metadata.google.internal", "metadata", "instance-data", "kubernetes.default.svc"}

// Guard decides which targets may be dialed.
type Guard struct {
	hosts    map[string]bool // allowed host names (lower case) and host:port
	prefixes []netip.Prefix  // allowed address ranges
	resolver *net.Resolver
	dialer   net.Dialer
}

// New returns a guard that allows, beyond public addresses, the entries of
// allow: host names ("hooks.internal"), host:port ("127.0.0.1:9000"), IP
// addresses or CIDR ranges ("10.1.0.0/16").
func New(allow []string) (*Guard, error) {
	g := &Guard{hosts: map[string]bool{}, resolver: net.DefaultResolver, dialer: net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}}
	for _, a := range allow {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == "" {
			continue
		}
		if p, err := netip.ParsePrefix(a); err == nil {
			g.prefixes = append(g.prefixes, p.Masked())
			continue
		}
		if ip, err := netip.ParseAddr(a); err == nil {
			g.prefixes = append(g.prefixes, netip.PrefixFrom(ip, ip.BitLen()))
			continue
		}
		if strings.ContainsAny(a, "/ ") {
			return nil, fmt.Errorf("netguard: allow-list entry %q is not a host, host:port, IP or CIDR", a)
		}
		g.hosts[a] = true
	}
	return g, nil
}

// hostAllowed reports whether host (or host:port) is allow-listed by name.
func (g *Guard) hostAllowed(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	return g.hosts[strings.ToLower(hostport)] || g.hosts[strings.ToLower(host)]
}

func (g *Guard) addrAllowed(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range g.prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	for _, p := range blocked {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// CheckAddr returns an error if the IP address may not be dialed.
func (g *Guard) CheckAddr(ip netip.Addr) error {
	if !g.addrAllowed(ip) {
		return fmt.Errorf("%w: %s is a loopback, private, link-local or metadata address (allow it with --allow-webhook-target)", ErrRefused, ip.Unmap())
	}
	return nil
}

// DialContext dials addr ("host:port") if the guard allows it: allow-listed
// host names are dialed as they are; otherwise every resolved address must be
// allowed, and the connection goes to a checked address.
func (g *Guard) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if g.hostAllowed(addr) {
		return g.dialer.DialContext(ctx, network, addr)
	}
	for _, m := range metadataHosts {
		if strings.EqualFold(strings.TrimSuffix(host, "."), m) {
			return nil, fmt.Errorf("%w: %s is a cloud metadata or cluster-internal host", ErrRefused, host)
		}
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		ips, err = g.resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", host, err)
		}
	}
	for _, ip := range ips {
		if err := g.CheckAddr(ip); err != nil {
			return nil, fmt.Errorf("%s: %w", host, err)
		}
	}
	var lastErr error
	for _, ip := range ips {
		c, err := g.dialer.DialContext(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return c, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

// Listed reports whether hostport (a host name, host:port or IP literal,
// with or without port) is on the allow-list itself, not merely public.
// Callers use it to allow plain http only to targets the operator named.
func (g *Guard) Listed(hostport string) bool {
	if g.hostAllowed(hostport) {
		return true
	}
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	if err != nil {
		return false
	}
	for _, p := range g.prefixes {
		if p.Contains(ip.Unmap()) {
			return true
		}
	}
	return false
}
