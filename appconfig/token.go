package appconfig

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash"
)

// token is the state of a configuration session, carried by the client.
type token struct {
	Session string
	App     string
	Env     string
	Profile string
	Seq     uint64 // position in the session; each token is good once
	Have    int    // hosted version the client has (0: none)
	Poll    int    // poll interval, seconds
	Bucket  int    // in [0,10000): hundredths of a percent; sees a gradual deployment once PercentageComplete passes it
	NotTil  int64  // unix ms before which the next poll is too early
	Expires int64  // unix ms
}

const tokenVersion = 1

var errTokenFormat = errors.New("malformed token")

func (t *token) marshal(b []byte) []byte {
	b = append(b, tokenVersion)
	for _, s := range []string{t.Session, t.App, t.Env, t.Profile} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, t.Seq)
	b = binary.AppendVarint(b, int64(t.Have))
	b = binary.AppendVarint(b, int64(t.Poll))
	b = binary.AppendVarint(b, int64(t.Bucket))
	b = binary.AppendVarint(b, t.NotTil)
	return binary.AppendVarint(b, t.Expires)
}

func (t *token) unmarshal(b []byte) error {
	if len(b) == 0 || b[0] != tokenVersion {
		return errTokenFormat
	}
	b = b[1:]
	for _, dst := range []*string{&t.Session, &t.App, &t.Env, &t.Profile} {
		n, k := binary.Uvarint(b)
		if k <= 0 || uint64(len(b)-k) < n {
			return errTokenFormat
		}
		*dst, b = string(b[k:k+int(n)]), b[k+int(n):]
	}
	var k int
	if t.Seq, k = binary.Uvarint(b); k <= 0 {
		return errTokenFormat
	}
	b = b[k:]
	var ints [5]int64
	for i := range ints {
		if ints[i], k = binary.Varint(b); k <= 0 {
			return errTokenFormat
		}
		b = b[k:]
	}
	if len(b) != 0 {
		return errTokenFormat
	}
	t.Have, t.Poll, t.Bucket, t.NotTil, t.Expires = int(ints[0]), int(ints[1]), int(ints[2]), ints[3], ints[4]
	return nil
}

func (d *Data) mac() hash.Hash {
	if m, ok := d.macs.Get().(hash.Hash); ok {
		m.Reset()
		return m
	}
	return hmac.New(sha256.New, d.key)
}

// sign encodes t and appends its HMAC-SHA256.
func (d *Data) sign(t token) string {
	body := t.marshal(make([]byte, 0, 128))
	m := d.mac()
	m.Write(body)
	body = m.Sum(body)
	d.macs.Put(m)
	return base64.RawURLEncoding.EncodeToString(body)
}

func (d *Data) verify(s string) (token, error) {
	var t token
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) <= sha256.Size {
		return t, tokenError("Corrupted", "the configuration token is malformed")
	}
	body, sig := raw[:len(raw)-sha256.Size], raw[len(raw)-sha256.Size:]
	m := d.mac()
	m.Write(body)
	ok := hmac.Equal(sig, m.Sum(nil))
	d.macs.Put(m)
	if !ok || t.unmarshal(body) != nil {
		return t, tokenError("Corrupted", "the configuration token is not valid")
	}
	return t, nil
}
