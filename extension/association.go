package extension

import (
	"context"
	"encoding/json"

	"github.com/batonhq/baton/appconfig"
)

// AssociationInput is a CreateExtensionAssociation request.
type AssociationInput struct {
	ExtensionIdentifier string
	ExtensionVersion    int // 0 = latest
	ResourceIdentifier  string
	Parameters          map[string]string
	Tags                map[string]string
}

// associations returns the associations on the resource key ("" = all),
// oldest first. Their ARNs are as stored: see shownAssociation.
func associations(ctx context.Context, r appconfig.Reader, resource string) ([]*Association, error) {
	var out []*Association
	p := appconfig.Page{Limit: 1000}
	for {
		raw, next, err := r.List(ctx, KindAssociation, resource, p)
		if err != nil {
			return nil, err
		}
		for _, b := range raw {
			a, err := decodeAssociation(b)
			if err != nil {
				return nil, err
			}
			out = append(out, a)
		}
		if next == 0 {
			return out, nil
		}
		p.After = next
	}
}

func decodeAssociation(b []byte) (*Association, error) {
	a := &Association{}
	if err := json.Unmarshal(b, &storedAssociation{Association: a, ExtensionID: &a.ExtensionID}); err != nil {
		return nil, err
	}
	return a, nil
}

// putAssociation stores a under the resource part of its ResourceArn, so
// associations follow the configured region and account.
func putAssociation(tx appconfig.Tx, a *Association) error {
	ref, err := appconfig.ParseArn(a.ResourceArn)
	if err != nil {
		return err
	}
	return tx.Put(KindAssociation, a.ID, ref.Key, a.ExtensionID, storedAssociation{Association: a, ExtensionID: &a.ExtensionID})
}

// shownAssociation returns a copy of a with the ARNs of the configured
// region and account, as the API shows it.
func (s *Service) shownAssociation(a *Association) *Association {
	c := *a
	c.Arn = s.arns.For(associationKey(a.ID))
	c.ExtensionArn = s.arn(&Extension{ID: a.ExtensionID, VersionNumber: a.ExtensionVersionNumber})
	if ref, err := appconfig.ParseArn(a.ResourceArn); err == nil {
		c.ResourceArn = s.arns.For(ref.Key)
	}
	return &c
}

// checkResource verifies that arn names an existing application,
// environment or configuration profile of this account.
func (s *Service) checkResource(ctx context.Context, r appconfig.Reader, arn string) (appconfig.ResourceRef, error) {
	ref, err := s.arns.Resolve(arn)
	if err != nil {
		return ref, err
	}
	var doc json.RawMessage
	switch ref.Kind {
	case "application":
		return ref, r.Get(ctx, appconfig.KindApplication, ref.ID, &doc)
	case "environment", "configurationprofile":
		if err := r.Get(ctx, appconfig.KindApplication, ref.App, &doc); err != nil {
			return ref, err
		}
		return ref, r.Get(ctx, appconfig.Kind(ref.Kind), ref.ID, &doc)
	}
	return ref, appconfig.Errorf(appconfig.CodeBadRequest, "ResourceIdentifier must be the ARN of an application, an environment or a configuration profile")
}

func checkParameters(ext *Extension, params map[string]string) error {
	if len(params) > MaxParameters {
		return appconfig.Errorf(appconfig.CodeBadRequest, "at most %d parameters are allowed", MaxParameters)
	}
	for name, v := range params {
		p, ok := ext.Parameters[name]
		if !ok {
			return appconfig.Errorf(appconfig.CodeBadRequest, "extension %s has no parameter %s", ext.Name, name)
		}
		if p.Dynamic {
			return appconfig.Errorf(appconfig.CodeBadRequest, "parameter %s is dynamic: give it to StartDeployment, not to the association", name)
		}
		if v == "" || len(v) > MaxParamValue {
			return appconfig.Errorf(appconfig.CodeBadRequest, "parameter %s must be 1 to %d characters", name, MaxParamValue)
		}
	}
	for name, p := range ext.Parameters {
		if _, ok := params[name]; p.Required && !ok {
			return appconfig.Errorf(appconfig.CodeBadRequest, "the required parameter %s of extension %s is missing", name, ext.Name)
		}
	}
	if ext.ID == SQSNotifications {
		if _, err := targetKind(params["queueArn"]); err != nil || params["queueArn"][:4] != "arn:" {
			return appconfig.Errorf(appconfig.CodeBadRequest, "queueArn %q is not an SQS queue ARN (arn:aws:sqs:<region>:<account>:<name>)", params["queueArn"])
		}
	}
	return nil
}

// CreateAssociation associates an extension version with a resource.
func (s *Service) CreateAssociation(ctx context.Context, in AssociationInput) (*Association, error) {
	if in.ExtensionIdentifier == "" || in.ResourceIdentifier == "" {
		return nil, appconfig.Errorf(appconfig.CodeBadRequest, "ExtensionIdentifier and ResourceIdentifier are required")
	}
	var a *Association
	err := s.store.Update(ctx, func(tx appconfig.Tx) error {
		ext, err := lookup(ctx, tx, in.ExtensionIdentifier, in.ExtensionVersion)
		if err != nil {
			return err
		}
		if err := usable(ext); err != nil {
			return err
		}
		ref, err := s.checkResource(ctx, tx, in.ResourceIdentifier)
		if err != nil {
			return err
		}
		if err := checkParameters(ext, in.Parameters); err != nil {
			return err
		}
		if in.Parameters == nil {
			in.Parameters = map[string]string{}
		}
		id := appconfig.NewID()
		a = &Association{ID: id, ResourceArn: s.arns.For(ref.Key),
			Parameters: in.Parameters, ExtensionVersionNumber: ext.VersionNumber, ExtensionID: ext.ID}
		if err := tx.SetTags(associationKey(id), in.Tags); err != nil {
			return err
		}
		return putAssociation(tx, a)
	})
	if err != nil {
		return nil, err
	}
	return s.shownAssociation(a), nil
}

// Association returns the association id.
func (s *Service) Association(ctx context.Context, id string) (*Association, error) {
	var raw json.RawMessage
	if err := s.store.Get(ctx, KindAssociation, id, &raw); err != nil {
		if appconfig.ErrorCode(err) == appconfig.CodeNotFound {
			return nil, appconfig.NotFound("ExtensionAssociation", id)
		}
		return nil, err
	}
	a, err := decodeAssociation(raw)
	if err != nil {
		return nil, err
	}
	return s.shownAssociation(a), nil
}

// AssociationFilter narrows ListExtensionAssociations.
type AssociationFilter struct {
	ResourceArn string
	Extension   string // name, id or ARN
	Version     int
}

// Associations lists associations matching f.
func (s *Service) Associations(ctx context.Context, f AssociationFilter) ([]*Association, error) {
	key := ""
	if f.ResourceArn != "" {
		ref, err := appconfig.ParseArn(f.ResourceArn)
		if err != nil {
			return nil, err
		}
		if ref.Account != s.arns.Account {
			return []*Association{}, nil
		}
		key = ref.Key
	}
	all, err := associations(ctx, s.store, key)
	if err != nil {
		return nil, err
	}
	extID := ""
	if f.Extension != "" {
		ext, err := lookup(ctx, s.store, f.Extension, 0)
		if appconfig.ErrorCode(err) == appconfig.CodeNotFound {
			return []*Association{}, nil
		}
		if err != nil {
			return nil, err
		}
		extID = ext.ID
	}
	out := []*Association{}
	for _, a := range all {
		if (extID == "" || a.ExtensionID == extID) && (f.Version == 0 || a.ExtensionVersionNumber == f.Version) {
			out = append(out, s.shownAssociation(a))
		}
	}
	return out, nil
}

// UpdateAssociation replaces the parameters of association id.
func (s *Service) UpdateAssociation(ctx context.Context, id string, params map[string]string) (*Association, error) {
	var a *Association
	err := s.store.Update(ctx, func(tx appconfig.Tx) error {
		var raw json.RawMessage
		if err := tx.Get(ctx, KindAssociation, id, &raw); err != nil {
			if appconfig.ErrorCode(err) == appconfig.CodeNotFound {
				return appconfig.NotFound("ExtensionAssociation", id)
			}
			return err
		}
		var err error
		if a, err = decodeAssociation(raw); err != nil {
			return err
		}
		ext, err := lookup(ctx, tx, a.ExtensionID, a.ExtensionVersionNumber)
		if err != nil {
			return err
		}
		if params != nil {
			if err := checkParameters(ext, params); err != nil {
				return err
			}
			a.Parameters = params
		}
		return putAssociation(tx, a)
	})
	if err != nil {
		return nil, err
	}
	return s.shownAssociation(a), nil
}

// DeleteAssociation deletes association id.
func (s *Service) DeleteAssociation(ctx context.Context, id string) error {
	return s.store.Update(ctx, func(tx appconfig.Tx) error {
		var raw json.RawMessage
		if err := tx.Get(ctx, KindAssociation, id, &raw); err != nil {
			if appconfig.ErrorCode(err) == appconfig.CodeNotFound {
				return appconfig.NotFound("ExtensionAssociation", id)
			}
			return err
		}
		if err := untagAll(ctx, tx, associationKey(id)); err != nil {
			return err
		}
		return tx.Delete(KindAssociation, id)
	})
}

// untagAll drops every tag of the resource key.
func untagAll(ctx context.Context, tx appconfig.Tx, key string) error {
	tags, err := tx.Tags(ctx, key)
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	return tx.RemoveTags(key, keys)
}
