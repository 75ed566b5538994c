package keptn

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// filler sets every field of a value reachable by reflection: strings,
// numbers, times, maps, slices, pointers and payload values (any) of every
// kind the engine stores, sometimes nil or empty unless full is set.
type filler struct {
	r    *rand.Rand
	full bool // every map, slice and pointer non-nil and non-empty
	// exotic adds what DecodedCopy declines: times with offsets and
	// payload values of other types.
	exotic bool
}

var (
	timeType = reflect.TypeFor[time.Time]()
	anyType  = reflect.TypeFor[any]()
)

func (f *filler) fill(v reflect.Value, depth int) {
	if v.Type() == timeType {
		if !f.full && f.r.IntN(4) == 0 {
			return // zero
		}
		t := time.Unix(f.r.Int64N(4e9), f.r.Int64N(1e9))
		switch {
		case f.exotic && f.r.IntN(3) == 0:
			t = t.In(time.FixedZone("X", (f.r.IntN(48)-24)*1800))
		case f.r.IntN(2) == 0:
			t = t.UTC()
		default:
			t = t.In(time.FixedZone("", 0)) // offset 0 in another location
		}
		v.Set(reflect.ValueOf(t))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(f.str())
	case reflect.Int, reflect.Int64:
		v.SetInt(f.r.Int64N(1000) + 1)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Float64:
		v.SetFloat([]float64{0.1, 1e21, -3, 1e-7, 123456.789, math.SmallestNonzeroFloat64}[f.r.IntN(6)])
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).Tag.Get("json") != "-" {
				f.fill(v.Field(i), depth)
			}
		}
	case reflect.Pointer:
		if !f.full && f.r.IntN(3) == 0 {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		f.fill(v.Elem(), depth)
	case reflect.Slice:
		if f.empty(v) {
			return
		}
		n := f.r.IntN(3) + 1
		v.Set(reflect.MakeSlice(v.Type(), n, n))
		for i := range n {
			f.fill(v.Index(i), depth)
		}
	case reflect.Map:
		if f.empty(v) {
			return
		}
		v.Set(reflect.MakeMap(v.Type()))
		for range f.r.IntN(3) + 1 {
			val := reflect.New(v.Type().Elem()).Elem()
			f.fill(val, depth)
			v.SetMapIndex(reflect.ValueOf(f.str()), val)
		}
	case reflect.Interface:
		if v.Type() != anyType {
			panic("unexpected interface " + v.Type().String())
		}
		if x := f.payload(depth); x != nil {
			v.Set(reflect.ValueOf(x))
		}
	default:
		panic("filler: unexpected kind " + v.Kind().String())
	}
}

// empty leaves a map or slice nil, or makes it empty, some of the time.
func (f *filler) empty(v reflect.Value) bool {
	if f.full {
		return false
	}
	switch f.r.IntN(4) {
	case 0:
		return true // nil
	case 1:
		if v.Kind() == reflect.Map {
			v.Set(reflect.MakeMap(v.Type()))
		} else {
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		}
		return true
	}
	return false
}

func (f *filler) str() string {
	return []string{"a", "deployment", "<&>\"\\", "ünï\u2028", "tab\there", ""}[f.r.IntN(6)] + strconv.Itoa(f.r.IntN(100))
}

// payload is a value of a decoded event's data, or of the values the engine
// itself puts there.
func (f *filler) payload(depth int) any {
	k := f.r.IntN(12)
	if depth > 3 && k >= 8 {
		k = 0
	}
	if f.exotic && f.r.IntN(6) == 0 {
		return []any{EventData{Project: "p<"}, map[string]string{"a": "b"}, uint8(7), float32(0.1), 1e300, []string{"x"}}[f.r.IntN(6)]
	}
	switch k {
	case 0:
		return f.str()
	case 1:
		return json.Number([]string{"1", "-2.5e10", "0.000", "12345678901234567890", ""}[f.r.IntN(5)])
	case 2:
		return f.r.IntN(2) == 0
	case 3:
		return nil
	case 4:
		return f.r.IntN(1000)
	case 5:
		return []float64{1, 0.1, 1e21, 1e-7, math.Copysign(0, -1)}[f.r.IntN(5)]
	case 6:
		return map[string]any(nil)
	case 7:
		return []any(nil)
	case 8, 9:
		m := map[string]any{}
		for range f.r.IntN(3) {
			m[f.str()] = f.payload(depth + 1)
		}
		return m
	default:
		s := []any{}
		for range f.r.IntN(3) {
			s = append(s, f.payload(depth+1))
		}
		return s
	}
}

// DecodedCopy gives exactly what DecodeExecution gives for the execution's
// encoding, field by field (reflect.DeepEqual: nil against empty maps and
// slices, time locations and json.Number against float64 all count), for
// executions with every field set and with fields left nil, empty or zero.
func TestDecodedCopy(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		f := &filler{r: r, full: i%4 == 0}
		e := &SequenceExecution{}
		f.fill(reflect.ValueOf(e).Elem(), 0)
		e.Seq = int64(i + 1)
		body, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		want, err := DecodeExecution(e.Seq, body)
		if err != nil {
			t.Fatal(err)
		}
		got := DecodedCopy(e)
		if got == nil {
			t.Fatalf("execution %d: no copy of %s", i, body)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("execution %d: copy differs from decoding %s (-got +want):\n%s", i, body, cmp.Diff(got, want))
		}
		// The copy shares nothing with e: changing it leaves e's encoding.
		f.fill(reflect.ValueOf(got).Elem(), 0)
		if again, _ := json.Marshal(e); string(again) != string(body) {
			t.Fatalf("execution %d: changing the copy changed the original", i)
		}
	}
}

// DecodedCopy declines what it cannot copy as the encoding decodes.
func TestDecodedCopyDeclines(t *testing.T) {
	for name, change := range map[string]func(e *SequenceExecution){
		"invalid UTF-8":             func(e *SequenceExecution) { e.Scope.Service = "a\xffb" },
		"invalid UTF-8 key":         func(e *SequenceExecution) { e.InputProperties["\xff"] = "x" },
		"invalid UTF-8 in a value":  func(e *SequenceExecution) { e.InputProperties["x"] = []any{"\xfe"} },
		"time with an offset":       func(e *SequenceExecution) { e.TriggeredAt = time.Now().In(time.FixedZone("", 3600)) },
		"deadline with an offset":   func(e *SequenceExecution) { e.Baton.Deadline = time.Now().In(time.FixedZone("X", -7200)) },
		"a struct in a payload":     func(e *SequenceExecution) { e.InputProperties["x"] = EventData{Project: "p"} },
		"a string map in a payload": func(e *SequenceExecution) { e.InputProperties["x"] = map[string]string{"a": "b"} },
		"a uint in a payload":       func(e *SequenceExecution) { e.InputProperties["x"] = uint(1) },
		"a payload in itself":       func(e *SequenceExecution) { e.InputProperties["x"] = cyclic() },
		"a payload too deep":        func(e *SequenceExecution) { e.InputProperties["x"] = nested(maxPayloadDepth + 1) },
	} {
		t.Run(name, func(t *testing.T) {
			e := &SequenceExecution{ID: "a", InputProperties: map[string]any{"project": "p"}, TriggeredAt: time.Now().UTC()}
			if DecodedCopy(e) == nil {
				t.Fatal("the plain execution was not copied")
			}
			change(e)
			if c := DecodedCopy(e); c != nil {
				t.Fatalf("copied: %+v", c)
			}
		})
	}
}

// EncodeExecution writes exactly json.Marshal's bytes, for executions with
// every field set and with fields left nil, empty or zero, with strings
// json.Marshal escapes, numbers, times in other zones and payload values of
// any type.
func TestEncodeExecution(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 3000 {
		f := &filler{r: r, full: i%4 == 0, exotic: i%2 == 0}
		e := &SequenceExecution{}
		f.fill(reflect.ValueOf(e).Elem(), 0)
		want, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := EncodeExecution(e)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Fatalf("execution %d:\n got %s\nwant %s", i, got, want)
		}
		if w := (execWriter{ok: true}); !f.exotic {
			if w.execution(nil, e); !w.ok {
				t.Fatalf("execution %d went to json.Marshal: %s", i, want)
			}
		}
	}
}

// EncodeExecution fails where json.Marshal fails.
func TestEncodeExecutionErrors(t *testing.T) {
	for name, e := range map[string]*SequenceExecution{
		"year 10000":       {TriggeredAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		"deadline year -1": {Baton: ExecutionExtra{Deadline: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)}},
		"offset of 25h":    {TriggeredAt: time.Now().In(time.FixedZone("", 25*3600))},
		"NaN score":        {Baton: ExecutionExtra{LatestEvaluation: &EvalBrief{Score: math.NaN()}}},
		"invalid number":   {InputProperties: map[string]any{"n": json.Number("1x")}},
		"a channel":        {InputProperties: map[string]any{"c": make(chan int)}},
		"a cycle":          {InputProperties: map[string]any{"c": cyclic()}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := json.Marshal(e); err == nil {
				t.Fatal("json.Marshal did not fail")
			}
			if b, err := EncodeExecution(e); err == nil {
				t.Fatalf("encoded %s", b)
			}
		})
	}
}

// A payload nested deeper than EncodeExecution follows is still encoded as
// json.Marshal encodes it.
func TestEncodeExecutionDeep(t *testing.T) {
	e := &SequenceExecution{InputProperties: map[string]any{"deep": nested(maxPayloadDepth + 5)}}
	want, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := EncodeExecution(e); err != nil || string(got) != string(want) {
		t.Fatalf("EncodeExecution: %v, equal to json.Marshal: %v", err, string(got) == string(want))
	}
}

// cyclic returns a payload map that contains itself, inside a list.
func cyclic() map[string]any {
	m := map[string]any{}
	m["self"] = []any{m}
	return m
}

// nested returns depth levels of alternating maps and lists.
func nested(depth int) any {
	var v any = "bottom"
	for i := range depth {
		if i%2 == 0 {
			v = []any{v}
		} else {
			v = map[string]any{"v": v}
		}
	}
	return v
}

// benchExecution is an execution as the sequence benchmark stores it in the
// middle of its second task.
func benchExecution() *SequenceExecution {
	now := time.Now().UTC()
	data := map[string]any{"project": "bench1x2y3z", "stage": "dev", "service": "svc7", "result": "pass", "status": "succeeded"}
	return &SequenceExecution{
		ID:       "019ad3f2-7c1e-7b8a-9c3d-4e5f60718293",
		Sequence: Sequence{Name: "bench", Tasks: []Task{{Name: "bench1"}, {Name: "bench2"}, {Name: "bench3"}}},
		Status: SequenceStatus{State: StateStarted, PreviousTasks: []TaskResult{{Name: "bench1", TriggeredID: "019ad3f2-7c1f-7b8a-9c3d-4e5f60718294",
			Result: "pass", Status: "succeeded", Properties: data}},
			CurrentTask: TaskState{Name: "bench2", TriggeredID: "019ad3f2-7c20-7b8a-9c3d-4e5f60718295", Events: []TaskEvent{
				{EventType: "sh.keptn.event.bench2.started", Source: "baton-bench-executor", Time: FormatTime(now)}}}},
		Scope: SequenceScope{Project: "bench1x2y3z", Stage: "dev", Service: "svc7", KeptnContext: "5f1c2d3e-4b5a-4978-8695-a4b3c2d1e0f9",
			TriggeredID: "019ad3f2-7c1e-7b8a-9c3d-4e5f60718293", EventType: "sh.keptn.event.dev.bench.triggered"},
		InputProperties: map[string]any{"project": "bench1x2y3z", "stage": "dev", "service": "svc7"},
		TriggeredAt:     now,
		Baton: ExecutionExtra{TaskIndex: 1, Started: 1, Deadline: now.Add(time.Hour).Truncate(time.Millisecond), TimerDue: now.Add(10 * time.Minute).Truncate(time.Millisecond),
			LatestEvent: &SequenceEventRef{Type: "sh.keptn.event.bench2.started", ID: "019ad3f2-7c21-7b8a-9c3d-4e5f60718296", Time: FormatTime(now)}},
		Seq: 42,
	}
}

// BenchmarkExecutionStore compares what a store does with an execution on
// the writer: encoding it (json.Marshal, EncodeExecution) and getting it
// back for the next load (DecodeExecution, DecodedCopy).
func BenchmarkExecutionStore(b *testing.B) {
	e := benchExecution()
	body, _ := json.Marshal(e)
	b.Run("json.Marshal", func(b *testing.B) {
		for b.Loop() {
			_, _ = json.Marshal(e)
		}
	})
	b.Run("EncodeExecution", func(b *testing.B) {
		for b.Loop() {
			_, _ = EncodeExecution(e)
		}
	})
	b.Run("DecodeExecution", func(b *testing.B) {
		for b.Loop() {
			_, _ = DecodeExecution(e.Seq, body)
		}
	})
	b.Run("DecodedCopy", func(b *testing.B) {
		for b.Loop() {
			DecodedCopy(e)
		}
	})
}
