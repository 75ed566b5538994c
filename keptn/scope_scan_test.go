package keptn

import (
	"encoding/json"
	"strings"
	"testing"
)

// scopeSeeds are data that scopeOfValid must read as json.Unmarshal does.
var scopeSeeds = []string{
	`{"project":"bench","stage":"dev","service":"svc","pad":"xxxx"}`,
	` { "project" : "p" , "stage":"s" ,"service" : "v" } `,
	`{}`, `[]`, `null`, `"project"`, `1`, `[{"project":"p"}]`,
	`{"Project":"p","STAGE":"s","sErViCe":"v"}`,
	`{"ſtage":"long s","ſervice":"folds"}`,
	`{"proj\u0065ct":"escaped name","st\"age":"x"}`,
	`{"project":"p","project":"q"}`,
	`{"project":"p","project":null}`,
	`{"project":"p","project":1}`,
	`{"project":"p","project":1e400}`,
	`{"project":"p","project":-1e400,"stage":"s","stage":true}`,
	`{"project":{"project":"inner"},"stage":["s"],"service":false}`,
	`{"a":{"b":[1,{"c":"}]\"{["}],"d":"\\"},"project":"after nesting"}`,
	`{"project":"a\u00e9\ud83d\ude00\n\"\\\/","stage":"bad \ud800 surrogate"}`,
	"{\"project\":\"invalid \xff utf-8\",\"stage\":\"\xe2\x80\xa8\"}",
	"{\"proj\xffect\":\"p\",\"service\":\"\u2028\"}",
	`{"x":1.5e-3,"y":-0,"z":[true,false,null],"project":"p"}`,
	"\t\r\n{\"service\":\"s\"}\n",
}

func TestScopeOfValid(t *testing.T) {
	for _, data := range scopeSeeds {
		checkScopeOfValid(t, []byte(data))
	}
	checkScopeOfValid(t, []byte(`{"pad":"`+strings.Repeat("x", 5000)+`","service":"s"}`))
}

// FuzzScopeOfValid holds scopeOfValid to Scope's json.Unmarshal on every
// valid JSON value.
func FuzzScopeOfValid(f *testing.F) {
	for _, s := range scopeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		checkScopeOfValid(t, data)
	})
}

func checkScopeOfValid(t *testing.T, data []byte) {
	t.Helper()
	if !json.Valid(data) {
		t.Fatalf("seed %q is not valid JSON", data)
	}
	p, s, v := scopeOfValid(data)
	ev := Event{Data: data}
	wp, ws, wv := ev.Scope()
	if p != wp || s != ws || v != wv {
		t.Errorf("scopeOfValid(%q) = %q %q %q; json.Unmarshal reads %q %q %q", data, p, s, v, wp, ws, wv)
	}
}
