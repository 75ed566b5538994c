package appconfig

import "context"

// CreateProfile creates configuration profile p of application p.ApplicationID.
func (s *Service) CreateProfile(ctx context.Context, p *ConfigurationProfile, tags map[string]string) error {
	if err := checkName("Name", p.Name, 128); err != nil {
		return err
	}
	if err := checkDescription(p.Description); err != nil {
		return err
	}
	if err := checkLocation(p.LocationURI); err != nil {
		return err
	}
	if p.Type == "" {
		p.Type = TypeFreeform
	}
	if p.Type != TypeFreeform && p.Type != TypeFeatureFlags {
		return Errorf(CodeBadRequest, "Type must be %s or %s", TypeFreeform, TypeFeatureFlags)
	}
	if p.Type == TypeFeatureFlags && p.LocationURI != LocationHosted {
		return Errorf(CodeBadRequest, "%s configuration profiles must have LocationUri \"hosted\"", TypeFeatureFlags)
	}
	if err := checkRetrievalRole(p.RetrievalRoleArn); err != nil {
		return err
	}
	if p.KmsKeyIdentifier != "" {
		if err := checkKmsKey(p.KmsKeyIdentifier, false); err != nil {
			return err
		}
	}
	if err := checkValidators(p.Validators); err != nil {
		return err
	}
	if err := checkTags(tags); err != nil {
		return err
	}
	p.ID = NewID()
	return s.store.Update(ctx, func(tx Tx) error {
		if err := tx.Get(ctx, KindApplication, p.ApplicationID, &Application{}); err != nil {
			return err
		}
		n, err := tx.Count(ctx, KindProfile, p.ApplicationID)
		if err != nil {
			return err
		}
		if n >= MaxProfiles {
			return Errorf(CodeQuotaExceeded, "the maximum number of configuration profiles per application (%d) has been reached", MaxProfiles)
		}
		if err := tx.Put(KindProfile, p.ID, p.ApplicationID, p.Name, p); err != nil {
			return err
		}
		return tx.SetTags(ProfileKey(p.ApplicationID, p.ID), tags)
	})
}

// Profile returns configuration profile id of app.
func (s *Service) Profile(ctx context.Context, app, id string) (*ConfigurationProfile, error) {
	return getProfile(ctx, s.store, app, id)
}

func getProfile(ctx context.Context, r Reader, app, id string) (*ConfigurationProfile, error) {
	if err := r.Get(ctx, KindApplication, app, &Application{}); err != nil {
		return nil, err
	}
	p := &ConfigurationProfile{}
	if err := r.Get(ctx, KindProfile, id, p); err != nil {
		return nil, err
	}
	if p.ApplicationID != app {
		return nil, NotFound("ConfigurationProfile", id)
	}
	return p, nil
}

// Profiles lists the configuration profiles of app, optionally of one type.
// The type filter is applied within the page.
func (s *Service) Profiles(ctx context.Context, app, typ string, p Page) ([]*ConfigurationProfile, int64, error) {
	if err := s.store.Get(ctx, KindApplication, app, &Application{}); err != nil {
		return nil, 0, err
	}
	all, next, err := list[ConfigurationProfile](ctx, s.store, KindProfile, app, p)
	if err != nil || typ == "" {
		return all, next, err
	}
	out := all[:0]
	for _, c := range all {
		if c.Type == typ {
			out = append(out, c)
		}
	}
	return out, next, nil
}

// ProfileUpdate is what UpdateProfile may change; nil fields stay.
type ProfileUpdate struct {
	Name             *string
	Description      *string
	RetrievalRoleArn *string
	Validators       *[]Validator
	KmsKeyIdentifier *string
}

// UpdateProfile changes configuration profile id of app.
func (s *Service) UpdateProfile(ctx context.Context, app, id string, u ProfileUpdate) (*ConfigurationProfile, error) {
	var p *ConfigurationProfile
	err := s.store.Update(ctx, func(tx Tx) error {
		var err error
		if p, err = getProfile(ctx, tx, app, id); err != nil {
			return err
		}
		if u.Name != nil {
			if err := checkName("Name", *u.Name, 128); err != nil {
				return err
			}
			p.Name = *u.Name
		}
		if u.Description != nil {
			if err := checkDescription(*u.Description); err != nil {
				return err
			}
			p.Description = *u.Description
		}
		if u.Validators != nil {
			if err := checkValidators(*u.Validators); err != nil {
				return err
			}
			p.Validators = *u.Validators
		}
		if u.RetrievalRoleArn != nil {
			if err := checkRetrievalRole(*u.RetrievalRoleArn); err != nil {
				return err
			}
			p.RetrievalRoleArn = *u.RetrievalRoleArn
		}
		if u.KmsKeyIdentifier != nil {
			if err := checkKmsKey(*u.KmsKeyIdentifier, true); err != nil {
				return err
			}
			p.KmsKeyIdentifier = *u.KmsKeyIdentifier
		}
		return tx.Put(KindProfile, p.ID, app, p.Name, p)
	})
	return p, err
}

// DeleteProfile deletes configuration profile id of app; it must have no
// hosted versions left (ConflictException otherwise).
func (s *Service) DeleteProfile(ctx context.Context, app, id string) error {
	return s.store.Update(ctx, func(tx Tx) error {
		if _, err := getProfile(ctx, tx, app, id); err != nil {
			return err
		}
		n, err := tx.LatestVersion(ctx, id)
		if err != nil {
			return err
		}
		if n > 0 {
			vs, _, err := tx.Versions(ctx, id, "", Page{Limit: 1})
			if err != nil {
				return err
			}
			if len(vs) > 0 {
				return Errorf(CodeConflict, "configuration profile %s still has hosted configuration versions; delete them first", id)
			}
		}
		if err := untagAll(ctx, tx, ProfileKey(app, id)); err != nil {
			return err
		}
		return tx.Delete(KindProfile, id)
	})
}
