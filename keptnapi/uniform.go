package keptnapi

import (
	"net/http"

	"github.com/batonhq/baton/keptn"
)

func (a *API) registerUniform(mux *http.ServeMux) {
	const base = cp + "/uniform/registration"
	mux.Handle("POST "+base, a.authed(a.register))
	mux.Handle("GET "+base, a.authed(a.listIntegrations))
	mux.Handle("DELETE "+base+"/{id}", a.authed(a.unregister))
	mux.Handle("PUT "+base+"/{id}/ping", a.authed(a.ping))
	mux.Handle("GET "+base+"/{id}/subscription", a.authed(a.listSubscriptions))
	mux.Handle("POST "+base+"/{id}/subscription", a.authed(a.createSubscription))
	mux.Handle("GET "+base+"/{id}/subscription/{sid}", a.authed(a.getSubscription))
	mux.Handle("PUT "+base+"/{id}/subscription/{sid}", a.authed(a.updateSubscription))
	mux.Handle("DELETE "+base+"/{id}/subscription/{sid}", a.authed(a.deleteSubscription))
}

// register is POST /uniform/registration: 201 for a new integration, 200 when
// it existed (its subscriptions are merged, never dropped).
func (a *API) register(w http.ResponseWriter, r *http.Request) error {
	var in keptn.Integration
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	id, created, err := a.Uniform.Register(r.Context(), &in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return writeJSON(w, status, map[string]string{"id": id})
}

func (a *API) listIntegrations(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	list, err := a.Store.Integrations(r.Context(), keptn.IntegrationFilter{
		ID: q.Get("id"), Name: q.Get("name"), Project: q.Get("project"), Stage: q.Get("stage"), Service: q.Get("service"),
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list)
}

func (a *API) integration(r *http.Request) (*keptn.Integration, error) {
	list, err := a.Store.Integrations(r.Context(), keptn.IntegrationFilter{ID: r.PathValue("id")})
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, keptn.Errorf(keptn.CodeNotFound, "integration %s not found", r.PathValue("id"))
	}
	return &list[0], nil
}

func (a *API) unregister(w http.ResponseWriter, r *http.Request) error {
	if err := a.Uniform.Unregister(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{})
}

func (a *API) ping(w http.ResponseWriter, r *http.Request) error {
	in, err := a.Uniform.Ping(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, in)
}

func (a *API) listSubscriptions(w http.ResponseWriter, r *http.Request) error {
	in, err := a.integration(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, in.Subscriptions)
}

func (a *API) getSubscription(w http.ResponseWriter, r *http.Request) error {
	in, err := a.integration(r)
	if err != nil {
		return err
	}
	for _, s := range in.Subscriptions {
		if s.ID == r.PathValue("sid") {
			return writeJSON(w, http.StatusOK, s)
		}
	}
	return keptn.Errorf(keptn.CodeNotFound, "subscription %s not found", r.PathValue("sid"))
}

func (a *API) createSubscription(w http.ResponseWriter, r *http.Request) error {
	var s keptn.Subscription
	if err := decodeJSON(r, &s); err != nil {
		return err
	}
	id, err := a.Uniform.Subscribe(r.Context(), r.PathValue("id"), s)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]string{"id": id})
}

func (a *API) updateSubscription(w http.ResponseWriter, r *http.Request) error {
	var s keptn.Subscription
	if err := decodeJSON(r, &s); err != nil {
		return err
	}
	s.ID = r.PathValue("sid")
	if err := a.Uniform.UpdateSubscription(r.Context(), r.PathValue("id"), s); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]string{"id": s.ID})
}

func (a *API) deleteSubscription(w http.ResponseWriter, r *http.Request) error {
	if err := a.Uniform.Unsubscribe(r.Context(), r.PathValue("id"), r.PathValue("sid")); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{})
}
