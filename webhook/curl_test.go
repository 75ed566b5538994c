package webhook

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseCurl(t *testing.T) {
	cases := []struct {
		cmd  string
		want Request
	}{
		{`curl https://x.example.com/a`, Request{Method: "GET", URL: "https://x.example.com/a"}},
		{`curl -X POST -H 'Content-Type: application/json' -d '{"a": "b c"}' https://x/y`,
			Request{Method: "POST", URL: "https://x/y", Headers: []Header{{"Content-Type", "application/json"}}, Payload: `{"a": "b c"}`}},
		{`curl --request=PUT --header "x-token: {{.env.t}}" --data "a=\"1\"" --url https://x`,
			Request{Method: "PUT", URL: "https://x", Headers: []Header{{"x-token", "{{.env.t}}"}, {"Content-Type", "application/x-www-form-urlencoded"}}, Payload: `a="1"`}},
		{`curl -s -k --max-time 5 -u bot:pw https://x`, Request{Method: "GET", URL: "https://x", Insecure: true, Timeout: 5, User: "bot:pw"}},
		{"curl \\\n  https://x", Request{Method: "GET", URL: "https://x"}},
	}
	for _, c := range cases {
		got, err := ParseCurl(c.cmd)
		if err != nil {
			t.Errorf("%s: %v", c.cmd, err)
			continue
		}
		got.Curl = nil
		if d := cmp.Diff(got, c.want); d != "" {
			t.Errorf("%s (-got +want):\n%s", c.cmd, d)
		}
	}
	for _, bad := range []string{
		"wget https://x", "curl", "curl -o out https://x", "curl --output=out https://x", "curl -F a=@/etc/passwd https://x",
		"curl -d @/etc/passwd https://x", "curl -K cfg https://x", "curl --proxy http://p https://x", "curl 'unterminated https://x",
		"curl https://a https://b", "curl --weird https://x", "curl -H https://x",
	} {
		if _, err := ParseCurl(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// A value rendered into one word cannot become a new option: words are split
// before templates run.
func TestTemplateCannotInjectOptions(t *testing.T) {
	req, err := ParseCurl(`curl -d '{{.data.msg}}' https://x/{{.data.path}}`)
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]any{"data": map[string]any{"msg": "x' -o /tmp/pwned '", "path": "a -o /tmp/p"}}
	out, err := renderRequest(req, data)
	if err != nil {
		t.Fatal(err)
	}
	if out.Payload != "x' -o /tmp/pwned '" || out.URL != "https://x/a -o /tmp/p" {
		t.Errorf("rendered %+v", out)
	}
	if _, err := renderRequest(Request{URL: "{{.missing}}", Method: "GET"}, data); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing key: %v", err)
	}
}

func TestEndlessTemplatesRefused(t *testing.T) {
	for _, tpl := range []string{
		`{{range 9223372036854775807}}{{end}}`,
		`x{{if .id}}{{range $i := 1000000000000}}{{end}}{{end}}`,
		`{{define "a"}}{{range 99999999999}}{{end}}{{end}}{{template "a"}}`,
	} {
		if _, err := render(tpl, map[string]any{"id": "x"}); err == nil || !strings.Contains(err.Error(), "range over a number") {
			t.Errorf("%s: %v", tpl, err)
		}
	}
	// Ranging over event data is fine.
	out, err := render(`{{range $k, $v := .data.labels}}{{$k}}={{$v}};{{end}}`, map[string]any{"data": map[string]any{"labels": map[string]any{"a": "1"}}})
	if err != nil || out != "a=1;" {
		t.Errorf("range over labels: %q %v", out, err)
	}
	cfg := "apiVersion: webhookconfig.keptn.sh/v1beta1\nkind: WebhookConfig\nspec:\n  webhooks:\n    - type: a\n      requests: [{url: 'http://x/{{range 99999999999}}{{end}}', method: GET}]\n"
	if _, err := ParseConfig([]byte(cfg)); err == nil {
		t.Error("config with an endless template accepted")
	}
	if _, err := ParseConfig([]byte(strings.Replace(cfg, "{{range 99999999999}}{{end}}", "{{.data.project", 1))); err == nil {
		t.Error("config with an unparsable template accepted")
	}
}
