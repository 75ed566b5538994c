package webhook

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/batonhq/baton/netguard"
)

// Warnings lists what in a valid webhook.yaml will fail when it runs
// although it can be stored: request URLs that the SSRF guard refuses (a
// loopback, private or metadata target not on the allow-list). Templated
// hosts and names that only resolve to such addresses are not judged here.
func Warnings(content []byte, guard *netguard.Guard) []string {
	cfg, err := ParseConfig(content)
	if err != nil || guard == nil {
		return nil
	}
	var out []string
	for i, w := range cfg.Webhooks {
		for j, r := range w.Requests {
			u, err := url.Parse(r.URL)
			if err != nil || u.Host == "" || strings.Contains(u.Host, "{{") {
				continue
			}
			if err := guard.CheckHost(u.Host); err != nil {
				why := strings.TrimPrefix(err.Error(), netguard.ErrRefused.Error()+": ")
				why, _, _ = strings.Cut(why, " (allow")
				out = append(out, fmt.Sprintf("webhooks[%d].requests[%d]: the SSRF guard will refuse calls to %s (%s); "+
					"allow the target with --allow-webhook-target %s (or BATON_ALLOW_WEBHOOK_TARGETS)", i, j, u.Redacted(), why, u.Hostname()))
			}
		}
	}
	return out
}
