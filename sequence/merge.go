package sequence

import (
	"maps"
)

// merge deep-merges later into earlier the way Keptn's shipyard-controller
// merges event payloads (internal/common/utils.go Merge), with one deliberate
// change:
//
//   - maps merge key by key, recursively (kept);
//   - arrays concatenate with the later array first (kept, Keptn #7627);
//   - any other pair: the later value wins. Keptn lets later strings win but
//     keeps the earlier number or boolean ("first wins"); baton treats every
//     scalar alike, so a task that reports a new number is heard.
//
// merge never modifies its arguments.
func merge(earlier, later any) any {
	switch e := earlier.(type) {
	case map[string]any:
		l, ok := later.(map[string]any)
		if !ok {
			return later
		}
		out := maps.Clone(e)
		for k, lv := range l {
			if ev, ok := out[k]; ok {
				out[k] = merge(ev, lv)
			} else {
				out[k] = lv
			}
		}
		return out
	case []any:
		l, ok := later.([]any)
		if !ok {
			return later
		}
		out := make([]any, 0, len(l)+len(e))
		return append(append(out, l...), e...)
	}
	return later
}

// mergeMaps merges later into earlier and returns a map (never nil).
func mergeMaps(earlier, later map[string]any) map[string]any {
	if earlier == nil {
		earlier = map[string]any{}
	}
	if later == nil {
		return maps.Clone(earlier)
	}
	return merge(earlier, later).(map[string]any)
}

// str returns m[key] if it is a string.
func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// labels returns m["labels"] as a string map (non-string values dropped).
func labels(m map[string]any) map[string]string {
	raw, ok := m["labels"].(map[string]any)
	if !ok || len(raw) == 0 {
		return nil
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

// path returns the value at m[k1][k2]..., or nil.
func path(m map[string]any, keys ...string) any {
	var cur any = m
	for _, k := range keys {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[k]
	}
	return cur
}
