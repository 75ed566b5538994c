package sqs

import (
	"regexp"
	"strings"
	"testing"
)

// The hand-written checks of batch entry ids and message group and
// deduplication ids accept exactly what the documented patterns accept.
func TestIDForms(t *testing.T) {
	batchRE := regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)
	messageRE := regexp.MustCompile(`^[!-~]{1,128}$`)
	cases := []string{"", "a", "Z", "0", "9", "-", "_", "a-b_C9", "a b", "a.b", "a/b", "é", "a\x00", "\x7f", "~", "!", " ",
		"{}", "a\n", strings.Repeat("x", 80), strings.Repeat("x", 81), strings.Repeat("!", 128), strings.Repeat("!", 129)}
	for c := range 256 {
		cases = append(cases, string(rune(c)), string([]byte{byte(c)}))
	}
	for _, id := range cases {
		if got, want := validBatchID(id), batchRE.MatchString(id); got != want {
			t.Errorf("validBatchID(%q) = %v, want %v", id, got, want)
		}
		if got, want := validMessageID(id), messageRE.MatchString(id); got != want {
			t.Errorf("validMessageID(%q) = %v, want %v", id, got, want)
		}
	}
}
