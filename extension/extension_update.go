package extension

import (
	"context"
	"strconv"

	"github.com/batonhq/baton/appconfig"
)

// UpdateExtension changes version (0 = latest) of an extension in place.
func (s *Service) UpdateExtension(ctx context.Context, ident string, version int, description *string,
	actions map[appconfig.ActionPoint][]Action, params map[string]Parameter) (*Extension, error) {
	if builtin(ident) != nil {
		return nil, appconfig.Errorf(appconfig.CodeBadRequest, "%s is AWS-authored and cannot be changed", ident)
	}
	var out *Extension
	err := s.store.Update(ctx, func(tx appconfig.Tx) error {
		doc, arnVersion, err := resolve(ctx, tx, ident)
		if err != nil {
			return err
		}
		if version == 0 {
			version = arnVersion
		}
		out = doc.latest()
		if version != 0 {
			if out = doc.version(version); out == nil {
				return appconfig.NotFound("Extension", ident+" version "+strconv.Itoa(version))
			}
		}
		if description != nil {
			out.Description = *description
		}
		if actions != nil {
			out.Actions = actions
		}
		if params != nil {
			out.Parameters = params
		}
		if err := s.validateDefinition(out.Actions, out.Parameters); err != nil {
			return err
		}
		return tx.Put(KindExtension, doc.ID, "", doc.Name, doc)
	})
	if err != nil {
		return nil, err
	}
	return s.shown(out), nil
}

// DeleteExtension deletes version (0 = every version) of an extension. It
// is refused while an association uses it.
func (s *Service) DeleteExtension(ctx context.Context, ident string, version int) error {
	if builtin(ident) != nil {
		return appconfig.Errorf(appconfig.CodeBadRequest, "%s is AWS-authored and cannot be deleted", ident)
	}
	return s.store.Update(ctx, func(tx appconfig.Tx) error {
		doc, arnVersion, err := resolve(ctx, tx, ident)
		if err != nil {
			return err
		}
		if version == 0 {
			version = arnVersion
		}
		assocs, err := associations(ctx, tx, "")
		if err != nil {
			return err
		}
		for _, a := range assocs {
			if a.ExtensionID == doc.ID && (version == 0 || a.ExtensionVersionNumber == version) {
				return appconfig.Errorf(appconfig.CodeBadRequest,
					"extension %s is associated with %s (association %s); delete its associations before the extension", doc.Name, a.ResourceArn, a.ID)
			}
		}
		var keep []*Extension
		for _, v := range doc.Versions {
			if version != 0 && v.VersionNumber != version {
				keep = append(keep, v)
			} else if err := untagAll(ctx, tx, extensionKey(doc.ID, v.VersionNumber)); err != nil {
				return err
			}
		}
		if len(keep) == len(doc.Versions) {
			return appconfig.NotFound("Extension", ident+" version "+strconv.Itoa(version))
		}
		if doc.Versions = keep; len(keep) == 0 {
			return tx.Delete(KindExtension, doc.ID)
		}
		return tx.Put(KindExtension, doc.ID, "", doc.Name, doc)
	})
}
