package bridge

import (
	"net/http"
	"strconv"
	"time"

	"github.com/batonhq/baton/appconfig"
)

func (b *Bridge) routeAppConfig(mux *http.ServeMux) {
	const p = "/bridge/appconfig"
	b.authed(mux, "GET "+p, b.applications)
	b.authed(mux, "GET "+p+"/{app}", b.application)
	b.authed(mux, "GET "+p+"/{app}/{env}", b.deployments)
	b.authed(mux, "GET "+p+"/{app}/{env}/{n}", b.deployment)
}

// applications is GET /bridge/appconfig.
func (b *Bridge) applications(w http.ResponseWriter, r *http.Request) error {
	apps, _, err := b.cfg.AppConfig.Applications(r.Context(), appconfig.Page{Limit: 200})
	if err != nil {
		return err
	}
	return b.renderView(w, r, http.StatusOK, "applications", &view{Title: "AppConfig", Section: "appconfig", Data: apps})
}

type appView struct {
	App      *appconfig.Application
	Envs     []*appconfig.Environment
	Profiles []*appconfig.ConfigurationProfile
}

// application is GET /bridge/appconfig/{app}: environments and profiles.
func (b *Bridge) application(w http.ResponseWriter, r *http.Request) error {
	app, err := b.cfg.AppConfig.Application(r.Context(), r.PathValue("app"))
	if err != nil {
		return err
	}
	envs, _, err := b.cfg.AppConfig.Environments(r.Context(), app.ID, appconfig.Page{Limit: 200})
	if err != nil {
		return err
	}
	profiles, _, err := b.cfg.AppConfig.Profiles(r.Context(), app.ID, "", appconfig.Page{Limit: 200})
	if err != nil {
		return err
	}
	return b.renderView(w, r, http.StatusOK, "application", &view{Title: app.Name, Section: "appconfig",
		Data: appView{App: app, Envs: envs, Profiles: profiles}})
}

type deploymentsView struct {
	App         *appconfig.Application
	Env         *appconfig.Environment
	Deployments []*progressView
	Next        string
}

// progressView is a deployment with what its progress bar shows.
type progressView struct {
	*appconfig.Deployment
	// Phase is "growth", "bake" or "" when it ended.
	Phase    string
	TimeLeft time.Duration
}

func (b *Bridge) progress(d *appconfig.Deployment) *progressView {
	p := &progressView{Deployment: d}
	now := b.cfg.Clock.Now()
	switch d.State {
	case appconfig.StateDeploying:
		p.Phase = "growth"
		p.TimeLeft = max(d.StartedAt.Add(time.Duration(d.DeploymentDurationInMinutes)*time.Minute).Sub(now), 0)
	case appconfig.StateBaking:
		p.Phase = "bake"
		start := d.Engine.BakeStart
		if start.IsZero() {
			start = now
		}
		p.TimeLeft = max(start.Add(time.Duration(d.FinalBakeTimeInMinutes)*time.Minute).Sub(now), 0)
	}
	return p
}

// deployments is GET /bridge/appconfig/{app}/{env}: deployments newest
// first with live progress bars.
func (b *Bridge) deployments(w http.ResponseWriter, r *http.Request) error {
	app, err := b.cfg.AppConfig.Application(r.Context(), r.PathValue("app"))
	if err != nil {
		return err
	}
	env, err := b.cfg.AppConfig.Environment(r.Context(), app.ID, r.PathValue("env"))
	if err != nil {
		return err
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	list, next, err := b.cfg.AppConfig.Deployments(r.Context(), app.ID, env.ID, appconfig.Page{After: after, Limit: 25, Desc: true})
	if err != nil {
		return err
	}
	v := deploymentsView{App: app, Env: env}
	for _, d := range list {
		v.Deployments = append(v.Deployments, b.progress(d))
	}
	if next > 0 {
		v.Next = r.URL.Path + "?after=" + strconv.FormatInt(next, 10)
	}
	return b.renderView(w, r, http.StatusOK, "deployments", &view{Title: env.Name + " · " + app.Name, Section: "appconfig", Data: v})
}

type deploymentView struct {
	App      *appconfig.Application
	Env      *appconfig.Environment
	D        *progressView
	Replaced *appconfig.Deployment
	Diff     []diffLine
	DiffNote string
}

// deployment is GET /bridge/appconfig/{app}/{env}/{n}: progress, event log
// with extension invocations, and the diff against the version it replaced.
func (b *Bridge) deployment(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	app, err := b.cfg.AppConfig.Application(ctx, r.PathValue("app"))
	if err != nil {
		return err
	}
	env, err := b.cfg.AppConfig.Environment(ctx, app.ID, r.PathValue("env"))
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		return userErrorf(http.StatusBadRequest, "A deployment number is a number.")
	}
	d, err := b.cfg.AppConfig.Deployment(ctx, app.ID, env.ID, n)
	if err != nil {
		return err
	}
	v := deploymentView{App: app, Env: env, D: b.progress(d)}
	if !isLive(r) {
		if err := b.diffReplaced(r, &v); err != nil {
			return err
		}
	}
	return b.renderView(w, r, http.StatusOK, "deployment", &view{Title: "Deployment " + r.PathValue("n"), Section: "appconfig", Data: v})
}

// diffReplaced finds the newest earlier COMPLETE deployment of the same
// profile in the environment (within the last 50) and diffs the content.
func (b *Bridge) diffReplaced(r *http.Request, v *deploymentView) error {
	ctx := r.Context()
	d := v.D.Deployment
	earlier, _, err := b.cfg.AppConfig.Deployments(ctx, v.App.ID, v.Env.ID, appconfig.Page{After: int64(d.DeploymentNumber), Limit: 50, Desc: true})
	if err != nil {
		return err
	}
	for _, e := range earlier {
		if e.ConfigurationProfileID == d.ConfigurationProfileID && e.State == appconfig.StateComplete {
			v.Replaced = e
			break
		}
	}
	cur, err := b.hostedContent(r, d)
	if err != nil || cur == nil {
		v.DiffNote = "The deployed configuration is not a hosted version, so there is nothing to compare."
		return nil
	}
	var old []byte
	if v.Replaced != nil {
		if old, err = b.hostedContent(r, v.Replaced); err != nil {
			return err
		}
	} else {
		v.DiffNote = "No earlier complete deployment of this profile in this environment: everything is new."
	}
	v.Diff = lineDiff(string(old), string(cur))
	return nil
}

func (b *Bridge) hostedContent(r *http.Request, d *appconfig.Deployment) ([]byte, error) {
	num, err := strconv.Atoi(d.ConfigurationVersion)
	if err != nil {
		return nil, nil
	}
	hv, err := b.cfg.AppConfig.Version(r.Context(), d.ApplicationID, d.ConfigurationProfileID, num)
	if err != nil {
		if appconfigNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	return hv.Content, nil
}
