package appconfig

import (
	"context"
)

// servedVersion is a configuration version as clients receive it.
type servedVersion struct {
	version     int
	contentType string
	label       string
	content     []byte
}

// served is what an environment serves for a profile: the stable version
// (latest COMPLETE deployment) and, during a deployment, the new one for the
// first PercentageComplete percent of sessions.
type served struct {
	gen      uint64
	stable   *servedVersion
	inflight *servedVersion
	percent  float64
}

func (s *served) pick(bucket float64) *servedVersion {
	if s.inflight != nil && bucket < s.percent {
		return s.inflight
	}
	return s.stable
}

func (d *Data) served(ctx context.Context, env, profile string) (*served, error) {
	key := env + "/" + profile
	gen := d.svc.gen.Load()
	if v, ok := d.cache.Load(key); ok && v.(*served).gen == gen {
		return v.(*served), nil
	}
	sv, err := d.load(ctx, env, profile)
	if err != nil {
		return nil, err
	}
	sv.gen = gen
	d.cache.Store(key, sv)
	return sv, nil
}

func (d *Data) load(ctx context.Context, env, profile string) (*served, error) {
	st := d.svc.store
	sv := &served{}
	p := Page{Limit: 50}
	for {
		deps, next, err := st.Deployments(ctx, env, p)
		if err != nil {
			return nil, err
		}
		for _, dep := range deps {
			if dep.ConfigurationProfileID != profile {
				continue
			}
			if dep.Active() && sv.inflight == nil && sv.stable == nil {
				if sv.inflight, err = d.version(ctx, profile, dep); err != nil {
					return nil, err
				}
				sv.percent = dep.PercentageComplete
			}
			if dep.State == StateComplete {
				sv.stable, err = d.version(ctx, profile, dep)
				return sv, err
			}
		}
		if next == 0 {
			return sv, nil
		}
		p.After = next
	}
}

func (d *Data) version(ctx context.Context, profile string, dep *Deployment) (*servedVersion, error) {
	v, err := d.svc.store.Version(ctx, profile, dep.Engine.HostedVersion)
	if ErrorCode(err) == CodeNotFound {
		return nil, nil // deleted after it was deployed: nothing to serve
	}
	if err != nil {
		return nil, err
	}
	out := &servedVersion{version: v.VersionNumber, contentType: v.ContentType, label: v.VersionLabel, content: v.Content}
	if dep.Engine.Content != nil {
		out.content = dep.Engine.Content // rewritten by a PRE_START_DEPLOYMENT extension
	}
	var p ConfigurationProfile
	if err := d.svc.store.Get(ctx, KindProfile, profile, &p); err == nil && p.Type == TypeFeatureFlags {
		if out.content, err = TransformFlags(out.content); err != nil {
			return nil, err
		}
		out.contentType = "application/json"
	}
	return out, nil
}
