package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/batonhq/baton/awsauth"
)

// AWSKeys: keys are kept with their sealed secret, listed oldest first and
// deleted once.
func testAWSKeys(t *testing.T, e Engine) {
	s := e.Open(t)
	ctx := context.Background()
	for i, id := range []string{"AKIDB", "AKIDA"} {
		k := awsauth.Key{ID: id, Description: "key " + id, Created: t0.Add(time.Duration(i) * time.Second), SealedSecret: []byte{byte(i), 0, 255}}
		if err := s.AWSKeys.InsertKey(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	keys, err := s.AWSKeys.Keys(ctx)
	if err != nil || len(keys) != 2 || keys[0].ID != "AKIDB" || !keys[1].Created.Equal(t0.Add(time.Second)) {
		t.Fatalf("Keys: %v %+v", err, keys)
	}
	k, err := s.AWSKeys.Key(ctx, "AKIDA")
	if err != nil || string(k.SealedSecret) != string([]byte{1, 0, 255}) || k.Description != "key AKIDA" {
		t.Errorf("Key: %v %+v", err, k)
	}
	if err := s.AWSKeys.DeleteKey(ctx, "AKIDA"); err != nil {
		t.Fatal(err)
	}
	if err := s.AWSKeys.DeleteKey(ctx, "AKIDA"); !errors.Is(err, awsauth.ErrUnknownKey) {
		t.Errorf("second delete: %v", err)
	}
	if _, err := s.AWSKeys.Key(ctx, "AKIDA"); !errors.Is(err, awsauth.ErrUnknownKey) {
		t.Errorf("deleted key: %v", err)
	}
}
