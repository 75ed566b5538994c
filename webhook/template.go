package webhook

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/template"
)

// maxRendered caps what one template may produce.
const maxRendered = 1 << 20

var funcs = template.FuncMap{
	"toJson": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	"b64enc": func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
	"lower":  strings.ToLower,
	"upper":  strings.ToUpper,
	"default": func(def, v any) any {
		if v == nil || v == "" {
			return def
		}
		return v
	},
}

// limitedBuilder fails once more than maxRendered bytes are written.
type limitedBuilder struct{ strings.Builder }

var errTooLarge = errors.New("rendered template is larger than 1 MiB")

func (b *limitedBuilder) Write(p []byte) (int, error) {
	if b.Len()+len(p) > maxRendered {
		return 0, errTooLarge
	}
	return b.Builder.Write(p)
}

// render executes text as a Go template over data with missingkey=error.
func render(text string, data map[string]any) (string, error) {
	if !strings.Contains(text, "{{") {
		return text, nil
	}
	t, err := template.New("webhook").Option("missingkey=error").Funcs(funcs).Parse(text)
	if err != nil {
		return "", fmt.Errorf("template %q: %w", text, err)
	}
	var b limitedBuilder
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("template %q: %w", text, err)
	}
	return b.String(), nil
}

// renderRequest produces the request to send from a template request.
func renderRequest(r Request, data map[string]any) (Request, error) {
	if r.Curl != nil {
		words := make([]string, len(r.Curl))
		for i, w := range r.Curl {
			s, err := render(w, data)
			if err != nil {
				return Request{}, err
			}
			words[i] = s
		}
		out := Request{}
		if err := applyCurl(&out, words[1:]); err != nil {
			return Request{}, err
		}
		return out, nil
	}
	out := Request{Method: r.Method, User: r.User, Insecure: r.Insecure, Timeout: r.Timeout}
	var err error
	if out.URL, err = render(r.URL, data); err != nil {
		return Request{}, err
	}
	if out.Payload, err = render(r.Payload, data); err != nil {
		return Request{}, err
	}
	for _, h := range r.Headers {
		k, err := render(h.Key, data)
		if err != nil {
			return Request{}, err
		}
		v, err := render(h.Value, data)
		if err != nil {
			return Request{}, err
		}
		out.Headers = append(out.Headers, Header{Key: k, Value: v})
	}
	return out, nil
}
