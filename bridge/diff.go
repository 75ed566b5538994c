package bridge

import (
	"errors"
	"strings"

	"github.com/batonhq/baton/appconfig"
)

// diffLine is one line of a unified-style diff: Op is ' ', '+' or '-'.
type diffLine struct {
	Op   string
	Text string
}

// maxDiffLines bounds the quadratic diff; larger contents are shown whole.
const maxDiffLines = 2000

// lineDiff diffs old and cur by lines with a longest-common-subsequence
// table (contents are small: AppConfig caps hosted versions at 2 MB, and
// beyond maxDiffLines lines the new content is listed as added).
func lineDiff(old, cur string) []diffLine {
	a, b := splitLines(old), splitLines(cur)
	if len(a)*len(b) > maxDiffLines*maxDiffLines/4 {
		out := make([]diffLine, 0, len(a)+len(b))
		for _, l := range a {
			out = append(out, diffLine{"-", l})
		}
		for _, l := range b {
			out = append(out, diffLine{"+", l})
		}
		return out
	}
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []diffLine
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			out = append(out, diffLine{" ", a[i]})
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, diffLine{"-", a[i]})
			i++
		default:
			out = append(out, diffLine{"+", b[j]})
			j++
		}
	}
	for ; i < len(a); i++ {
		out = append(out, diffLine{"-", a[i]})
	}
	for ; j < len(b); j++ {
		out = append(out, diffLine{"+", b[j]})
	}
	return out
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

func appconfigNotFound(err error) bool {
	var ae *appconfig.Error
	return errors.As(err, &ae) && ae.Code == appconfig.CodeNotFound
}
