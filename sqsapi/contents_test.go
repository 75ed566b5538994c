package sqsapi

import (
	"strconv"
	"testing"
)

func TestLoneSurrogate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want rune
		bad  bool
	}{
		{``, 0, false},
		{`{"MessageBody":"plain"}`, 0, false},
		{`"\ud83d\ude00"`, 0, false},
		{`"\uD83D\uDE00"`, 0, false},
		{`"a\u0041\n\\\""`, 0, false},
		{`"\\ud800"`, 0, false}, // an escaped backslash, then text
		{`"\\\ud800"`, 0xD800, true},
		{`"\ud83d"`, 0xD83D, true},
		{`"\ude00"`, 0xDE00, true},
		{`"\ud83dx"`, 0xD83D, true},
		{`"\ud83d\u0041"`, 0xD83D, true},
		{`"\ud83d\ud83d\ude00"`, 0xD83D, true},
		{`\ud83d`, 0xD83D, true},
		{`\ud8`, 0, false},
		{`"\uzzzz\ud800"`, 0xD800, true},
	} {
		got, bad := loneSurrogate([]byte(tc.in))
		if got != tc.want || bad != tc.bad {
			t.Errorf("loneSurrogate(%s) = %X, %v; want %X, %v", tc.in, got, bad, tc.want, tc.bad)
		}
		ref, refBad := loneSurrogateRef([]byte(tc.in))
		if got != ref || bad != refBad {
			t.Errorf("loneSurrogate(%s) = %X, %v; the plain scan says %X, %v", tc.in, got, bad, ref, refBad)
		}
	}
}

// FuzzLoneSurrogate checks the scan that skips to backslashes against a
// plain scan of every byte.
func FuzzLoneSurrogate(f *testing.F) {
	for _, s := range []string{`"\ud83d\ude00"`, `"\\\ud800"`, `x\ud83d\u0041`, `\\\\u`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, bad := loneSurrogate([]byte(s))
		want, wantBad := loneSurrogateRef([]byte(s))
		if got != want || bad != wantBad {
			t.Fatalf("loneSurrogate(%q) = %X, %v; want %X, %v", s, got, bad, want, wantBad)
		}
	})
}

// loneSurrogateRef is loneSurrogate looking at every byte, with strconv.
func loneSurrogateRef(b []byte) (rune, bool) {
	escape := func(i int) (rune, bool) {
		if i+6 > len(b) || b[i] != '\\' || b[i+1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(string(b[i+2:i+6]), 16, 32)
		return rune(v), err == nil
	}
	high, lowAt := rune(0), -1
	for i := 0; i < len(b); i++ {
		r, isEscape := escape(i)
		if lowAt == i {
			if !isEscape || r < 0xDC00 || r > 0xDFFF {
				return high, true
			}
			lowAt = -1
			i += 5
			continue
		}
		switch {
		case !isEscape:
			if b[i] == '\\' {
				i++
			}
		case r >= 0xD800 && r <= 0xDBFF:
			high, lowAt = r, i+6
			i += 5
		case r >= 0xDC00 && r <= 0xDFFF:
			return r, true
		default:
			i += 5
		}
	}
	if lowAt >= 0 {
		return high, true
	}
	return 0, false
}
