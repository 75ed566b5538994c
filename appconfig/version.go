package appconfig

import (
	"context"
	"errors"
	"mime"
	"regexp"
	"strconv"
)

// kindVersionCounter keeps the last hosted version number a profile handed
// out, so numbers are never reused after a delete.
const kindVersionCounter Kind = "versioncounter"

var labelPattern = regexp.MustCompile(`[^0-9]`)

// NewVersion is a CreateHostedConfigurationVersion request.
type NewVersion struct {
	Application   string
	Profile       string
	Content       []byte
	ContentType   string
	Description   string
	VersionLabel  string
	LatestVersion *int // optimistic lock: must equal the current latest version
}

// CreateVersion validates and stores a new hosted configuration version.
func (s *Service) CreateVersion(ctx context.Context, in NewVersion) (*HostedVersion, error) {
	if err := checkNewVersion(in); err != nil {
		return nil, err
	}
	app, err := s.Application(ctx, in.Application)
	if err != nil {
		return nil, err
	}
	p, err := s.Profile(ctx, in.Application, in.Profile)
	if err != nil {
		return nil, err
	}
	if err := hostedOnly(p); err != nil {
		return nil, err
	}
	v := &HostedVersion{ApplicationID: in.Application, ConfigurationProfileID: in.Profile, Description: in.Description,
		ContentType: in.ContentType, VersionLabel: in.VersionLabel, Content: in.Content}
	if err := s.preCreate(ctx, app, p, v); err != nil {
		return nil, err
	}
	if err := ValidateContent(p, v.Content); err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx Tx) error {
		latest, err := tx.LatestVersion(ctx, p.ID)
		if err != nil {
			return err
		}
		if in.LatestVersion != nil && *in.LatestVersion != latest {
			return Errorf(CodeConflict, "Latest-Version-Number %d does not match the latest version %d", *in.LatestVersion, latest)
		}
		var counter int
		if err := tx.Get(ctx, kindVersionCounter, p.ID, &counter); err != nil && ErrorCode(err) != CodeNotFound {
			return err
		}
		v.VersionNumber = max(counter, latest) + 1
		if err := tx.Put(kindVersionCounter, p.ID, "", "", v.VersionNumber); err != nil {
			return err
		}
		return tx.PutVersion(v)
	})
	return v, err
}

func checkNewVersion(in NewVersion) error {
	if len(in.Content) > MaxContent {
		return &Error{Code: CodePayloadTooLarge, Message: "configuration content is larger than 2 MB"}
	}
	if in.ContentType == "" || len(in.ContentType) > 255 {
		return Errorf(CodeBadRequest, "Content-Type must be 1 to 255 characters")
	}
	if _, _, err := mime.ParseMediaType(in.ContentType); err != nil {
		return Errorf(CodeBadRequest, "Content-Type %q is not a media type", in.ContentType)
	}
	if len(in.Description) > 1024 {
		return Errorf(CodeBadRequest, "Description must be at most 1024 characters")
	}
	if in.VersionLabel != "" && (len(in.VersionLabel) > 64 || !labelPattern.MatchString(in.VersionLabel)) {
		return Errorf(CodeBadRequest, "VersionLabel must be 1 to 64 characters and contain a non-digit")
	}
	return nil
}

// preCreate runs the PRE_CREATE_HOSTED_CONFIGURATION_VERSION action point.
func (s *Service) preCreate(ctx context.Context, app *Application, p *ConfigurationProfile, v *HostedVersion) error {
	in := &PreCreateInput{Application: app, Profile: p, Version: v}
	latest, err := s.store.LatestVersion(ctx, p.ID)
	if err != nil {
		return err
	}
	if latest > 0 {
		if in.Previous, err = s.store.Version(ctx, p.ID, latest); err != nil && ErrorCode(err) != CodeNotFound {
			return err
		}
	}
	return s.hooks.PreCreateHostedVersion(ctx, in)
}

// Version returns hosted version n of profile of app.
func (s *Service) Version(ctx context.Context, app, profile string, n int) (*HostedVersion, error) {
	if _, err := s.Profile(ctx, app, profile); err != nil {
		return nil, err
	}
	return s.store.Version(ctx, profile, n)
}

// Versions lists hosted versions of profile of app, newest first.
func (s *Service) Versions(ctx context.Context, app, profile, label string, p Page) ([]*HostedVersion, int64, error) {
	if _, err := s.Profile(ctx, app, profile); err != nil {
		return nil, 0, err
	}
	return s.store.Versions(ctx, profile, label, p)
}

// DeleteVersion deletes hosted version n of profile of app.
func (s *Service) DeleteVersion(ctx context.Context, app, profile string, n int) error {
	return s.store.Update(ctx, func(tx Tx) error {
		if _, err := getProfile(ctx, tx, app, profile); err != nil {
			return err
		}
		if _, err := tx.Version(ctx, profile, n); err != nil {
			return err
		}
		s.changed(tx)
		return tx.DeleteVersion(profile, n)
	})
}

// resolveVersion finds the hosted version a StartDeployment or
// ValidateConfiguration names: a version number or a VersionLabel.
func resolveVersion(ctx context.Context, r Reader, profile, ref string) (*HostedVersion, error) {
	if n, err := strconv.Atoi(ref); err == nil {
		return r.Version(ctx, profile, n)
	}
	v, err := r.VersionByLabel(ctx, profile, ref)
	var e *Error
	if errors.As(err, &e) && e.Code == CodeNotFound {
		return nil, NotFound("HostedConfigurationVersion", ref)
	}
	return v, err
}

// Validate runs profile's validators on version ref (ValidateConfiguration).
func (s *Service) Validate(ctx context.Context, app, profile, ref string) error {
	p, err := s.Profile(ctx, app, profile)
	if err != nil {
		return err
	}
	if err := hostedOnly(p); err != nil {
		return err
	}
	v, err := resolveVersion(ctx, s.store, profile, ref)
	if err != nil {
		return err
	}
	return ValidateContent(p, v.Content)
}
