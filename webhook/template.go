package webhook

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"text/template"
	"text/template/parse"
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

// parseTemplate parses text and refuses constructs that could run without
// end: Go templates cannot be stopped once executing, and "range" over an
// integer literal iterates that many times while writing nothing. (Event
// data decodes to floats, which range refuses, so literals are the only
// unbounded source; len of an input is bounded by the body limit.)
func parseTemplate(text string) (*template.Template, error) {
	t, err := template.New("webhook").Option("missingkey=error").Funcs(funcs).Parse(text)
	if err != nil {
		return nil, fmt.Errorf("template %q: %w", text, err)
	}
	for _, tt := range t.Templates() {
		if tt.Tree != nil && rangesOverNumber(tt.Tree.Root) {
			return nil, fmt.Errorf("template %q: range over a number is not allowed", text)
		}
	}
	return t, nil
}

// rangesOverNumber reports whether the tree has a range whose pipeline
// contains a number literal.
func rangesOverNumber(n parse.Node) bool {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return false
		}
		for _, c := range n.Nodes {
			if rangesOverNumber(c) {
				return true
			}
		}
	case *parse.RangeNode:
		for _, cmd := range n.Pipe.Cmds {
			for _, arg := range cmd.Args {
				if _, ok := arg.(*parse.NumberNode); ok {
					return true
				}
			}
		}
		return rangesOverNumber(n.List) || rangesOverNumber(n.ElseList)
	case *parse.IfNode:
		return rangesOverNumber(n.List) || rangesOverNumber(n.ElseList)
	case *parse.WithNode:
		return rangesOverNumber(n.List) || rangesOverNumber(n.ElseList)
	}
	return false
}

// checkTemplate validates text as a template (used when a config is stored).
func checkTemplate(text string) error {
	if !strings.Contains(text, "{{") {
		return nil
	}
	_, err := parseTemplate(text)
	return err
}

// render executes text as a Go template over data with missingkey=error.
func render(text string, data map[string]any) (string, error) {
	if !strings.Contains(text, "{{") {
		return text, nil
	}
	t, err := parsed(text)
	if err != nil {
		return "", err
	}
	var b limitedBuilder
	if err := t.Execute(&b, data); err != nil {
		return "", fmt.Errorf("template %q: %w", text, err)
	}
	return b.String(), nil
}

// templates caches parsed templates by text: a webhook's templates are
// rendered once per call, and parsing one costs more than executing it.
// (A template may be executed by several goroutines at once.)
var templates struct {
	sync.Mutex
	m map[string]*template.Template
}

// parsed is parseTemplate, cached.
func parsed(text string) (*template.Template, error) {
	templates.Lock()
	t, ok := templates.m[text]
	templates.Unlock()
	if ok {
		return t, nil
	}
	t, err := parseTemplate(text)
	if err != nil {
		return nil, err
	}
	templates.Lock()
	if templates.m == nil || len(templates.m) >= 4096 {
		templates.m = map[string]*template.Template{}
	}
	templates.m[text] = t
	templates.Unlock()
	return t, nil
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
