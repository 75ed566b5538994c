package appconfigapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

var (
	keysMu sync.Mutex
	keys   = map[string]aws.Credentials{}
)

// sign signs req with SigV4 (service appconfig, as appconfigdata also signs)
// using an access key created on in.
func sign(t testing.TB, in *batontest.Instance, req *http.Request, body string) {
	keysMu.Lock()
	creds, ok := keys[in.URL]
	if !ok {
		id, secret := in.AWSKeys()
		creds = aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}
		keys[in.URL] = creds
	}
	keysMu.Unlock()
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "appconfig", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
}

// raw sends a request signed with SigV4 (service appconfig) and returns
// status, X-Amzn-ErrorType and the decoded JSON body.
func raw(t *testing.T, in *batontest.Instance, method, path, body string, hdr map[string]string) (int, string, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, in.URL+path, strings.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	sign(t, in, req, body)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), m
}

func TestErrorShapes(t *testing.T) {
	in := batontest.Start(t, server.Config{})
	big := strings.Repeat("x", 3<<20)
	_, _, app := raw(t, in, "POST", "/applications", `{"Name":"a"}`, nil)
	appID, _ := app["Id"].(string)
	_, _, prof := raw(t, in, "POST", "/applications/"+appID+"/configurationprofiles", `{"Name":"p","LocationUri":"hosted"}`, nil)
	profID, _ := prof["Id"].(string)
	for _, tc := range []struct {
		name, method, path, body string
		hdr                      map[string]string
		status                   int
		errType                  string
	}{
		{"unknown application", "GET", "/applications/zzzzzzz", "", nil, 404, "ResourceNotFoundException"},
		{"name missing", "POST", "/applications", `{}`, nil, 400, "BadRequestException"},
		{"malformed JSON", "POST", "/applications", `{"Name":`, nil, 400, "BadRequestException"},
		{"max_results too big", "GET", "/applications?max_results=51", "", nil, 400, "BadRequestException"},
		{"bad next_token", "GET", "/applications?next_token=%21", "", nil, 400, "BadRequestException"},
		{"bad strategy", "POST", "/deploymentstrategies", `{"Name":"s","DeploymentDurationInMinutes":1,"GrowthFactor":0}`, nil, 400, "BadRequestException"},
		{"invalid LocationUri", "POST", "/applications/" + appID + "/configurationprofiles", `{"Name":"p","LocationUri":"luri"}`, nil, 400, "BadRequestException"},
		{"bad schema", "POST", "/applications/" + appID + "/configurationprofiles",
			`{"Name":"p","LocationUri":"hosted","Validators":[{"Type":"JSON_SCHEMA","Content":"{\"type\":7}"}]}`, nil, 400, "BadRequestException"},
		{"bad alarm ARN", "POST", "/applications/" + appID + "/environments", `{"Name":"e","Monitors":[{"AlarmArn":"nope"}]}`, nil, 400, "BadRequestException"},
		{"too large", "POST", "/applications/" + appID + "/configurationprofiles/" + profID + "/hostedconfigurationversions", big,
			map[string]string{"Content-Type": "text/plain"}, 413, "PayloadTooLargeException"},
		{"numeric label", "POST", "/applications/" + appID + "/configurationprofiles/" + profID + "/hostedconfigurationversions", "x",
			map[string]string{"Content-Type": "text/plain", "VersionLabel": "123"}, 400, "BadRequestException"},
		{"bad token", "GET", "/configuration?configuration_token=forged", "", nil, 400, "BadRequestException"},
		{"delete predefined", "DELETE", "/deployementstrategies/AppConfig.AllAtOnce", "", nil, 400, "BadRequestException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, typ, body := raw(t, in, tc.method, tc.path, tc.body, tc.hdr)
			if status != tc.status || typ != tc.errType {
				t.Fatalf("got %d %s %v, want %d %s", status, typ, body, tc.status, tc.errType)
			}
			if msg, _ := body["Message"].(string); msg == "" {
				t.Fatalf("no Message in %v", body)
			}
		})
	}
	t.Run("no signature", func(t *testing.T) {
		status, _ := in.DoWith("GET", "/applications", nil, nil)
		if status != http.StatusForbidden {
			t.Fatalf("unsigned request: %d", status)
		}
	})
	t.Run("alarm API needs the admin token", func(t *testing.T) {
		if status, _ := in.DoWith("PUT", "/baton/v1/alarms/a", map[string]string{"State": "ALARM"}, nil); status != 401 {
			t.Fatalf("got %d", status)
		}
		if status, body := in.Do("PUT", "/baton/v1/alarms/a", map[string]string{"State": "RED"}); status != 400 {
			t.Fatalf("bad state: %d %s", status, body)
		}
	})
	t.Run("bad token details", func(t *testing.T) {
		_, _, body := raw(t, in, "GET", "/configuration?configuration_token=forged", "", nil)
		want := `{"InvalidParameters":{"ConfigurationToken":{"Problem":"Corrupted"}}}`
		if got, _ := json.Marshal(body["Details"]); string(got) != want || body["Reason"] != "InvalidParameters" {
			t.Fatalf("got %s %v", got, body["Reason"])
		}
	})
}
