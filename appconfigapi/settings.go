package appconfigapi

import (
	"net/http"

	"github.com/batonhq/baton/appconfig"
)

func (a *API) registerSettings(aws route) {
	aws("GET /settings", a.getSettings)
	aws("PATCH /settings", a.updateSettings)
}

func (a *API) getSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := a.Service.Settings(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, st)
}

func (a *API) updateSettings(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		DeletionProtection *struct {
			Enabled                   *bool
			ProtectionPeriodInMinutes *int
		}
	}
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	var u appconfig.SettingsUpdate
	if dp := in.DeletionProtection; dp != nil {
		u.Enabled, u.ProtectionPeriodInMinutes = dp.Enabled, dp.ProtectionPeriodInMinutes
	}
	st, err := a.Service.UpdateSettings(r.Context(), u)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, st)
}
