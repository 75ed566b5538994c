package keptnapi

import (
	"encoding/json"
	"mime"
	"net/http"

	"github.com/batonhq/baton/auth"
	"github.com/batonhq/baton/keptn"
)

// handleAuth is POST /api/v1/auth: 200 empty for a valid token, 401 otherwise,
// 429 once a client has failed too often (the bucket resets on success).
func (a *API) handleAuth(w http.ResponseWriter, r *http.Request) {
	if a.Auth.Valid(auth.FromRequest(r)) {
		a.Limiter.Reset(r)
		w.WriteHeader(http.StatusOK)
		return
	}
	if !a.Limiter.Allow(r) {
		WriteError(w, a.Log, r, keptn.Errorf(keptn.CodeTooManyRequests, "too many requests"))
		return
	}
	WriteError(w, a.Log, r, keptn.Errorf(keptn.CodeUnauthorized, "unauthenticated or invalid credentials"))
}

type metadata struct {
	Namespace             string `json:"namespace"`
	KeptnLabel            string `json:"keptnlabel"`
	KeptnVersion          string `json:"keptnversion"`
	ShipyardVersion       string `json:"shipyardversion"`
	BridgeVersion         string `json:"bridgeversion"`
	AutomaticProvisioning bool   `json:"automaticprovisioning"`
}

func (a *API) metadata(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, metadata{
		Namespace:       "baton",
		KeptnLabel:      "keptn",
		KeptnVersion:    KeptnVersion,
		ShipyardVersion: "0.2.0",
		BridgeVersion:   "baton-" + a.BatonVersion,
		// baton keeps project files itself and needs no git upstream, as a
		// Keptn with automatic provisioning: keptn create project then asks
		// for no --git-remote-url (cli/internal/projectcreator).
		AutomaticProvisioning: true,
	})
}

// postEvent is POST /api/v1/event.
func (a *API) postEvent(w http.ResponseWriter, r *http.Request) error {
	// The exact type most clients send skips the parse (and its map).
	if ct := r.Header.Get("Content-Type"); ct != "" && ct != "application/json" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && mt != "application/cloudevents+json") {
			return &statusError{status: http.StatusUnsupportedMediaType,
				msg: "content type must be application/json or application/cloudevents+json"}
		}
	}
	var ev keptn.Event
	if err := decodeEvent(r, &ev); err != nil {
		return err
	}
	kc, err := a.Events.IngestDecoded(r.Context(), &ev) // decodeEvent checked the data
	if err != nil {
		return err
	}
	return writeContextReply(w, kc)
}

// keptnContextReply is Keptn's answer to a posted event: its context.
type keptnContextReply struct {
	KeptnContext string `json:"keptnContext"`
}

// writeContextReply writes the 200 reply to a posted event, byte for byte
// what writeJSON writes for keptnContextReply{kc}, without an encoder and
// its reflection on the ingest path: a context is a UUID, which the encoder
// writes as it is; anything else it quotes.
func writeContextReply(w http.ResponseWriter, kc string) error {
	b := make([]byte, 0, len(`{"keptnContext":""}`)+len(kc)+1)
	b = append(b, `{"keptnContext":`...)
	if keptn.PlainString(kc) {
		b = append(b, '"')
		b = append(b, kc...)
		b = append(b, '"')
	} else {
		q, err := json.Marshal(kc)
		if err != nil {
			return err
		}
		b = append(b, q...)
	}
	b = append(b, "}\n"...)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(b)
	return err
}
