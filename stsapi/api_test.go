package stsapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

const account = "123456789012"

func newClient(url, id, secret string) *sts.Client {
	return sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, "")})
}

// TestGetCallerIdentityQuery calls GetCallerIdentity with aws-sdk-go-v2's STS
// client (query protocol, SigV4 scope sts).
func TestGetCallerIdentityQuery(t *testing.T) {
	in := batontest.Start(t, server.Config{AWSAccount: account, Out: io.Discard})
	id, secret := in.AWSKeys()
	ctx := context.Background()
	out, err := newClient(in.URL, id, secret).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(out.Account)+" "+aws.ToString(out.Arn)+" "+aws.ToString(out.UserId),
		account+" arn:aws:iam::"+account+":user/"+id+" "+id; got != want {
		t.Errorf("identity = %s, want %s", got, want)
	}
	for name, c := range map[string]*sts.Client{
		"wrong secret": newClient(in.URL, id, secret+"x"),
		"unknown key":  newClient(in.URL, "AKIAUNKNOWN", secret),
	} {
		_, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		var ae smithy.APIError
		if !errors.As(err, &ae) || (ae.ErrorCode() != "SignatureDoesNotMatch" && ae.ErrorCode() != "InvalidClientTokenId") {
			t.Errorf("%s: %v, want an authentication error", name, err)
		}
	}
	_, err = newClient(in.URL, id, secret).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidAction" {
		t.Errorf("GetSessionToken: %v, want InvalidAction", err)
	}
}

// TestGetCallerIdentityJSON calls GetCallerIdentity in the JSON protocol
// with a request signed by the SDK's SigV4 signer.
func TestGetCallerIdentityJSON(t *testing.T) {
	in := batontest.Start(t, server.Config{AWSAccount: account, Out: io.Discard})
	id, secret := in.AWSKeys()
	do := func(secret string) (*http.Response, string) {
		body := "{}"
		req, _ := http.NewRequest(http.MethodPost, in.URL+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		req.Header.Set("X-Amz-Target", "AWSSecurityTokenServiceV20110615.GetCallerIdentity")
		sum := sha256.Sum256([]byte(body))
		creds := aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "sts", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, body := do(secret)
	var got map[string]string
	if err := json.Unmarshal([]byte(body), &got); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	if got["Account"] != account || got["UserId"] != id || got["Arn"] != "arn:aws:iam::"+account+":user/"+id {
		t.Errorf("identity = %v", got)
	}
	resp, body = do(secret + "x")
	if resp.StatusCode != 403 || resp.Header.Get("x-amzn-query-error") != "SignatureDoesNotMatch;Sender" || !strings.Contains(body, `"__type":"SignatureDoesNotMatch"`) {
		t.Errorf("bad signature: %d %v %s", resp.StatusCode, resp.Header, body)
	}
}
