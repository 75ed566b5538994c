package server_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/batonhq/baton/batontest"
	"github.com/batonhq/baton/server"
)

// smallDisk mounts a tmpfs of size bytes and returns its path; the test is
// skipped where that is not possible (not root, no mount permission).
func smallDisk(t *testing.T, size int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	dir := filepath.Join(t.TempDir(), "disk")
	os.Mkdir(dir, 0o700)
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fill writes a file taking all but keep bytes of the filesystem at dir.
func fill(t *testing.T, dir string, keep int64) string {
	t.Helper()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	free := int64(st.Bavail) * st.Bsize
	path := filepath.Join(dir, "filler")
	if err := os.WriteFile(path, make([]byte, max(free-keep, 0)), 0o600); err != nil && !errors.Is(err, syscall.ENOSPC) {
		t.Fatal(err)
	}
	return path
}

// A full disk is answered 503 with a clear message on every face (SQS:
// ServiceUnavailable, which SDKs back off from), reported on /readyz, and
// clears once space is free again.
func TestDiskFull(t *testing.T) {
	batontest.SQLiteOnly(t)
	dir := smallDisk(t, 16<<20)
	in := batontest.Start(t, server.Config{DataDir: filepath.Join(dir, "data"), Out: io.Discard})
	id, secret := in.AWSKeys()
	client := sqs.New(sqs.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(in.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, ""),
	})
	ctx := context.Background()
	q, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q")})
	if err != nil {
		t.Fatal(err)
	}
	filler := fill(t, dir, 64<<10)

	event := fmt.Sprintf(`{"type":"sh.keptn.event.x.triggered","source":"s","data":{"pad":%q}}`, strings.Repeat("x", 32<<10))
	var st int
	var body []byte
	for range 100 {
		if st, body = in.Do("POST", "/api/v1/event", event); st != 200 {
			break
		}
	}
	if st != http.StatusServiceUnavailable || !strings.Contains(string(body), "disk") {
		t.Fatalf("event on a full disk: %d %s", st, body)
	}
	_, err = client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String(strings.Repeat("m", 64<<10))})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ServiceUnavailable" || !strings.Contains(ae.ErrorMessage(), "disk") {
		t.Errorf("SQS send on a full disk: %v", err)
	}
	if st, b := in.DoWith("GET", "/readyz", nil, nil); st != http.StatusServiceUnavailable || !strings.Contains(string(b), `"disk: `) {
		t.Errorf("readyz on a full disk: %d %s", st, b)
	}

	os.Remove(filler)
	if st, b := in.Do("POST", "/api/v1/event", event); st != 200 {
		t.Fatalf("event once space is free: %d %s", st, b)
	}
	if st, b := in.DoWith("GET", "/readyz", nil, nil); st != 200 {
		t.Errorf("readyz once space is free: %d %s", st, b)
	}
}
