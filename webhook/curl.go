package webhook

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ParseCurl turns a curl command line into a Request without running a shell
// or curl. The command is split into words with shell quoting rules first;
// templates are rendered inside each word at send time, so a value from an
// event can never add options. Options that read or write files or change
// curl's configuration are refused.
func ParseCurl(cmd string) (Request, error) {
	words, err := splitWords(cmd)
	if err != nil {
		return Request{}, err
	}
	if len(words) == 0 || words[0] != "curl" {
		return Request{}, errors.New(`a curl request must start with "curl"`)
	}
	req := Request{Curl: words}
	if err := applyCurl(&req, words[1:]); err != nil {
		return Request{}, err
	}
	return req, nil
}

// applyCurl fills req from curl arguments (already templated, or not).
func applyCurl(req *Request, args []string) error {
	var data []string
	req.Method, req.URL, req.Headers, req.Payload = "", "", nil, ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := func() (string, error) {
			if i+1 >= len(args) {
				return "", fmt.Errorf("option %s needs a value", a)
			}
			i++
			return args[i], nil
		}
		name, inline, hasInline := strings.Cut(a, "=")
		if !strings.HasPrefix(a, "--") || !hasInline {
			name, inline, hasInline = a, "", false
		}
		value := func() (string, error) {
			if hasInline {
				return inline, nil
			}
			return next()
		}
		switch name {
		case "-X", "--request":
			v, err := value()
			if err != nil {
				return err
			}
			req.Method = strings.ToUpper(v)
		case "-H", "--header":
			v, err := value()
			if err != nil {
				return err
			}
			k, val, ok := strings.Cut(v, ":")
			if !ok {
				return fmt.Errorf("header %q must be \"Name: value\"", v)
			}
			req.Headers = append(req.Headers, Header{Key: strings.TrimSpace(k), Value: strings.TrimSpace(val)})
		case "-d", "--data", "--data-raw", "--data-binary", "--data-ascii", "--json":
			v, err := value()
			if err != nil {
				return err
			}
			if strings.HasPrefix(v, "@") && name != "--data-raw" {
				return fmt.Errorf("%s @file is not allowed: webhooks cannot read files", name)
			}
			if name == "--json" {
				req.Headers = append(req.Headers, Header{Key: "Content-Type", Value: "application/json"}, Header{Key: "Accept", Value: "application/json"})
			}
			data = append(data, v)
		case "-u", "--user":
			v, err := value()
			if err != nil {
				return err
			}
			req.User = v
		case "--url":
			v, err := value()
			if err != nil {
				return err
			}
			req.URL = v
		case "-m", "--max-time", "--connect-timeout":
			v, err := value()
			if err != nil {
				return err
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f <= 0 {
				return fmt.Errorf("%s needs a positive number of seconds", name)
			}
			if name != "--connect-timeout" {
				req.Timeout = f
			}
		case "-k", "--insecure":
			req.Insecure = true
		case "-s", "--silent", "-S", "--show-error", "-f", "--fail", "--fail-with-body", "-L", "--location", "-v", "--verbose", "-i", "--include", "--compressed":
			// Harmless or implied: baton fails on non-2xx like --fail-with-body and does not follow redirects.
		case "-o", "--output", "-O", "--remote-name", "-F", "--form", "-T", "--upload-file", "-K", "--config", "-x", "--proxy",
			"--unix-socket", "-D", "--dump-header", "-c", "--cookie-jar", "-b", "--cookie", "--trace", "--trace-ascii", "-w", "--write-out":
			return fmt.Errorf("curl option %s is not allowed in webhooks", name)
		default:
			if strings.HasPrefix(a, "-") {
				return fmt.Errorf("curl option %s is not supported", a)
			}
			if req.URL != "" {
				return fmt.Errorf("more than one URL (%q and %q)", req.URL, a)
			}
			req.URL = a
		}
	}
	if req.URL == "" {
		return errors.New("the curl command has no URL")
	}
	if len(data) > 0 {
		req.Payload = strings.Join(data, "&")
		if req.Method == "" {
			req.Method = "POST"
		}
		if !hasHeader(req.Headers, "Content-Type") {
			req.Headers = append(req.Headers, Header{Key: "Content-Type", Value: "application/x-www-form-urlencoded"})
		}
	}
	if req.Method == "" {
		req.Method = "GET"
	}
	return nil
}

func hasHeader(hs []Header, key string) bool {
	for _, h := range hs {
		if strings.EqualFold(h.Key, key) {
			return true
		}
	}
	return false
}

// splitWords splits s into words the way a POSIX shell does for quoting
// (single quotes, double quotes with backslash escapes, backslashes), with no
// expansion of any kind.
func splitWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("unterminated single quote in curl command")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`\n", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, errors.New("unterminated double quote in curl command")
			}
			inWord = true
		case c == '\\' && i+1 < len(s):
			i++
			if s[i] != '\n' {
				cur.WriteByte(s[i])
				inWord = true
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
