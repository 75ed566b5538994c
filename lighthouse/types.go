package lighthouse

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/batonhq/baton/keptn"
)

// Source is the source of the events the evaluator emits, as Keptn's.
const Source = "lighthouse-service"

// Event types the evaluator reads and writes.
const (
	TypeEvaluationTriggered   = "sh.keptn.event.evaluation.triggered"
	TypeEvaluationStarted     = "sh.keptn.event.evaluation.started"
	TypeEvaluationFinished    = "sh.keptn.event.evaluation.finished"
	TypeEvaluationInvalidated = "sh.keptn.event.evaluation.invalidated"
	TypeGetSLITriggered       = "sh.keptn.event.get-sli.triggered"
	TypeGetSLIStarted         = "sh.keptn.event.get-sli.started"
	TypeGetSLIFinished        = "sh.keptn.event.get-sli.finished"
	TypeConfigureMonitoring   = "sh.keptn.event.monitoring.configure"
)

// SLIResult is one indicator value as an SLI provider reports it and as the
// evaluation shows it (go-utils SLIResult).
type SLIResult struct {
	Metric        string  `json:"metric"`
	Value         float64 `json:"value"`
	ComparedValue float64 `json:"comparedValue"`
	Success       bool    `json:"success"`
	Message       string  `json:"message,omitempty"`
}

// UnmarshalJSON reads a value leniently: a number, or a string holding a
// number, is the value; anything else (text, NaN, null) makes the result
// unsuccessful with a message, so that one bad value fails its objective
// instead of the whole evaluation.
func (r *SLIResult) UnmarshalJSON(b []byte) error {
	var raw struct {
		Metric        string          `json:"metric"`
		Value         json.RawMessage `json:"value"`
		ComparedValue float64         `json:"comparedValue"`
		Success       bool            `json:"success"`
		Message       string          `json:"message"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*r = SLIResult{Metric: raw.Metric, ComparedValue: raw.ComparedValue, Success: raw.Success, Message: raw.Message}
	v, err := numeric(raw.Value)
	if err != nil {
		if r.Success {
			r.Success = false
			r.Message = fmt.Sprintf("value of %s %v", raw.Metric, err)
		}
		return nil
	}
	r.Value = v
	return nil
}

// numeric reads a JSON number or a string holding a finite number.
func numeric(raw json.RawMessage) (float64, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return 0, nil
	}
	if s[0] == '"' {
		var str string
		if err := json.Unmarshal(raw, &str); err != nil {
			return 0, fmt.Errorf("is not a number")
		}
		s = strings.TrimSpace(str)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("is not a finite number: %q", excerpt(s))
	}
	return v, nil
}

func excerpt(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// SLITarget is one criterion of an objective with the threshold it was
// computed to and whether the value violated it.
type SLITarget struct {
	Criteria    string  `json:"criteria"`
	TargetValue float64 `json:"targetValue"`
	Violated    bool    `json:"violated"`
}

// IndicatorResult is the evaluation of one objective (go-utils
// SLIEvaluationResult). Status is pass, warning, fail or info.
type IndicatorResult struct {
	Score          float64      `json:"score"`
	Value          *SLIResult   `json:"value"`
	DisplayName    string       `json:"displayName"`
	PassTargets    []*SLITarget `json:"passTargets"`
	WarningTargets []*SLITarget `json:"warningTargets"`
	KeySLI         bool         `json:"keySli"`
	Status         string       `json:"status"`
}

// Details is data.evaluation of an evaluation.finished event (go-utils
// EvaluationDetails). SLOFileContent is the slo.yaml, base64-encoded.
type Details struct {
	TimeStart        string             `json:"timeStart"`
	TimeEnd          string             `json:"timeEnd"`
	Result           string             `json:"result"`
	Score            float64            `json:"score"`
	SLOFileContent   string             `json:"sloFileContent"`
	IndicatorResults []*IndicatorResult `json:"indicatorResults"`
	ComparedEvents   []string           `json:"comparedEvents,omitempty"`
}

// FinishedData is the data of an evaluation.finished event.
type FinishedData struct {
	keptn.EventData
	Evaluation Details `json:"evaluation"`
}

// SLIFilter is a custom filter passed to the SLI provider (slo.yaml filter).
type SLIFilter struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// GetSLI is data.get-sli of a get-sli.triggered event.
type GetSLI struct {
	SLIProvider   string       `json:"sliProvider"`
	Start         string       `json:"start"`
	End           string       `json:"end"`
	Indicators    []string     `json:"indicators,omitempty"`
	CustomFilters []*SLIFilter `json:"customFilters,omitempty"`
}

// GetSLITriggeredData is the data of a get-sli.triggered event.
type GetSLITriggeredData struct {
	keptn.EventData
	GetSLI     GetSLI `json:"get-sli"`
	Deployment string `json:"deployment"`
}

// GetSLIFinished is data.get-sli of a get-sli.finished event.
type GetSLIFinished struct {
	Start           string       `json:"start"`
	End             string       `json:"end"`
	IndicatorValues []*SLIResult `json:"indicatorValues,omitempty"`
}

// GetSLIFinishedData is the data of a get-sli.finished event.
type GetSLIFinishedData struct {
	keptn.EventData
	GetSLI GetSLIFinished `json:"get-sli"`
}
