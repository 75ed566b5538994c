package appconfig

import "context"

// AccountSettings is what GetAccountSettings and UpdateAccountSettings
// show (botocore AccountSettings).
type AccountSettings struct {
	DeletionProtection DeletionProtection `json:"DeletionProtection"`
}

// DeletionProtection is the account's deletion protection setting. baton
// stores and shows it; it does not refuse deletions with it (see
// docs/appconfig.md).
type DeletionProtection struct {
	Enabled                   bool `json:"Enabled"`
	ProtectionPeriodInMinutes int  `json:"ProtectionPeriodInMinutes"`
}

// kindSettings keeps the account settings, one document with id "account".
const kindSettings Kind = "settings"

// defaultSettings are an account's settings before any update: protection
// off, a period of 60 minutes (the model's documented default).
func defaultSettings() *AccountSettings {
	return &AccountSettings{DeletionProtection: DeletionProtection{ProtectionPeriodInMinutes: 60}}
}

// Settings returns the account settings.
func (s *Service) Settings(ctx context.Context) (*AccountSettings, error) {
	return readSettings(ctx, s.store)
}

func readSettings(ctx context.Context, r Reader) (*AccountSettings, error) {
	st := defaultSettings()
	if err := r.Get(ctx, kindSettings, "account", st); err != nil && ErrorCode(err) != CodeNotFound {
		return nil, err
	}
	return st, nil
}

// SettingsUpdate is what UpdateAccountSettings may change; nil fields stay.
type SettingsUpdate struct {
	Enabled                   *bool
	ProtectionPeriodInMinutes *int
}

// UpdateSettings changes the account settings.
func (s *Service) UpdateSettings(ctx context.Context, u SettingsUpdate) (*AccountSettings, error) {
	if p := u.ProtectionPeriodInMinutes; p != nil && (*p < 15 || *p > 1440) {
		return nil, Errorf(CodeBadRequest, "ProtectionPeriodInMinutes must be between 15 and 1440")
	}
	var st *AccountSettings
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if st, err = readSettings(ctx, tx); err != nil {
			return err
		}
		if u.Enabled != nil {
			st.DeletionProtection.Enabled = *u.Enabled
		}
		if u.ProtectionPeriodInMinutes != nil {
			st.DeletionProtection.ProtectionPeriodInMinutes = *u.ProtectionPeriodInMinutes
		}
		return tx.Put(kindSettings, "account", "", "", st)
	})
	return st, err
}

// CheckDeletionProtection validates a DeletionProtectionCheck value
// (x-amzn-deletion-protection-check): empty, ACCOUNT_DEFAULT, APPLY or
// BYPASS.
func CheckDeletionProtection(v string) error {
	switch v {
	case "", "ACCOUNT_DEFAULT", "APPLY", "BYPASS":
		return nil
	}
	return Errorf(CodeBadRequest, "DeletionProtectionCheck must be ACCOUNT_DEFAULT, APPLY or BYPASS, not %q", v)
}
