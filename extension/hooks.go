package extension

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/batonhq/baton/appconfig"
)

var _ appconfig.Hooks = (*Service)(nil)

func jsonMarshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// applying returns the associations on the application, the environment
// (if env is not "") and the profile, in that order.
func applying(ctx context.Context, r appconfig.Reader, app, env, profile string) ([]*Association, error) {
	keys := []string{appconfig.ApplicationKey(app)}
	if env != "" {
		keys = append(keys, appconfig.EnvironmentKey(app, env))
	}
	keys = append(keys, appconfig.ProfileKey(app, profile))
	var out []*Association
	for _, key := range keys {
		list, err := associations(ctx, r, key)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	return out, nil
}

// AppliedExtensions implements appconfig.Hooks: the associations in force.
func (s *Service) AppliedExtensions(tx appconfig.Tx, app, env, profile string) ([]appconfig.AppliedExtension, error) {
	list, err := applying(context.Background(), tx, app, env, profile)
	if err != nil {
		return nil, err
	}
	out := make([]appconfig.AppliedExtension, 0, len(list))
	for _, a := range list {
		out = append(out, appconfig.AppliedExtension{ExtensionID: a.ExtensionID, ExtensionAssociationID: a.ID,
			VersionNumber: a.ExtensionVersionNumber, Parameters: a.Parameters})
	}
	return out, nil
}

// deploymentNames reads the names a deployment's messages carry.
func deploymentNames(ctx context.Context, r appconfig.Reader, d *appconfig.Deployment) (names, error) {
	var app appconfig.Application
	var env appconfig.Environment
	var prof appconfig.ConfigurationProfile
	if err := r.Get(ctx, appconfig.KindApplication, d.ApplicationID, &app); err != nil {
		return names{}, err
	}
	if err := r.Get(ctx, appconfig.KindEnvironment, d.EnvironmentID, &env); err != nil {
		return names{}, err
	}
	if err := r.Get(ctx, appconfig.KindProfile, d.ConfigurationProfileID, &prof); err != nil {
		return names{}, err
	}
	return names{app: Ref{app.ID, app.Name}, env: &Ref{env.ID, env.Name}, profile: Ref{prof.ID, prof.Name}}, nil
}

// OnDeployment implements appconfig.Hooks: it runs the ON_* actions of the
// deployment's applied extensions for point, recording each invocation in
// ev. Queue messages baton hosts are enqueued in tx; others go to the outbox.
func (s *Service) OnDeployment(tx appconfig.Tx, point appconfig.ActionPoint, d *appconfig.Deployment, ev *appconfig.DeploymentEvent) error {
	if len(d.AppliedExtensions) == 0 {
		return nil
	}
	ctx := context.Background()
	var n *names
	for _, ae := range d.AppliedExtensions {
		ext, err := lookup(ctx, tx, ae.ExtensionID, ae.VersionNumber)
		if appconfig.ErrorCode(err) == appconfig.CodeNotFound {
			continue // deleted since the deployment started: nothing to run
		}
		if err != nil {
			return err
		}
		acts := ext.Actions[point]
		if len(acts) == 0 {
			continue
		}
		if n == nil {
			got, err := deploymentNames(ctx, tx, d)
			if err != nil {
				return err
			}
			n = &got
		}
		msg := deploymentMessage(*n, d, point, ae.Parameters)
		uri := actionURI(acts[0], ae.Parameters)
		inv := appconfig.ActionInvocation{ExtensionIdentifier: ext.ID, ActionName: acts[0].Name, URI: uri,
			RoleArn: acts[0].RoleArn, InvocationID: msg.InvocationID}
		body, err := jsonMarshal(msg)
		if err != nil {
			return err
		}
		cond := map[string]string{"aws:SourceAccount": s.arns.Account, "aws:SourceArn": s.arns.For(associationKey(ae.ExtensionAssociationID))}
		if err := s.dispatch(tx, uri, cond, body, d, &inv); err != nil {
			return err
		}
		ev.ActionInvocations = append(ev.ActionInvocations, inv)
	}
	return nil
}

// syncAction is one PRE_* or AT_DEPLOYMENT_TICK action to call.
type syncAction struct {
	ext    *Extension
	action Action
	params map[string]string
}

// syncActions returns the actions at point of the associations list.
func (s *Service) syncActions(ctx context.Context, list []appconfig.AppliedExtension, point appconfig.ActionPoint) ([]syncAction, error) {
	var out []syncAction
	for _, ae := range list {
		ext, err := lookup(ctx, s.store, ae.ExtensionID, ae.VersionNumber)
		if appconfig.ErrorCode(err) == appconfig.CodeNotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		if acts := ext.Actions[point]; len(acts) > 0 {
			params := map[string]string{}
			for k, v := range ae.Parameters {
				params[k] = v
			}
			out = append(out, syncAction{ext: ext, action: acts[0], params: params})
		}
	}
	return out, nil
}

func (s *Service) appliedNow(ctx context.Context, app, env, profile string) ([]appconfig.AppliedExtension, error) {
	list, err := applying(ctx, s.store, app, env, profile)
	if err != nil {
		return nil, err
	}
	out := make([]appconfig.AppliedExtension, 0, len(list))
	for _, a := range list {
		out = append(out, appconfig.AppliedExtension{ExtensionID: a.ExtensionID, ExtensionAssociationID: a.ID,
			VersionNumber: a.ExtensionVersionNumber, Parameters: a.Parameters})
	}
	return out, nil
}

// refusal is the BadRequestException a PRE_* function's answer causes.
func refusal(a syncAction, point appconfig.ActionPoint, resp *Response, err error) error {
	if err != nil {
		return appconfig.Errorf(appconfig.CodeBadRequest, "extension %s action %s at %s failed: %v", a.ext.Name, a.action.Name, point, err)
	}
	msg := resp.Message
	if msg == "" {
		msg = resp.Error
	}
	return appconfig.Errorf(appconfig.CodeBadRequest, "%s", msg)
}

// PreCreateHostedVersion implements appconfig.Hooks: the
// PRE_CREATE_HOSTED_CONFIGURATION_VERSION functions run in order; each may
// replace the content or refuse.
func (s *Service) PreCreateHostedVersion(ctx context.Context, in *appconfig.PreCreateInput) error {
	applied, err := s.appliedNow(ctx, in.Application.ID, "", in.Profile.ID)
	if err != nil || len(applied) == 0 {
		return err
	}
	acts, err := s.syncActions(ctx, applied, appconfig.PreCreateHostedConfigurationVersion)
	if err != nil {
		return err
	}
	for _, a := range acts {
		msg := Message{InvocationID: appconfig.NewID(), Parameters: a.params,
			Application:          Ref{in.Application.ID, in.Application.Name},
			ConfigurationProfile: Ref{in.Profile.ID, in.Profile.Name},
			Type:                 typeOf(appconfig.PreCreateHostedConfigurationVersion),
			ContentType:          in.Version.ContentType, ContentVersion: "1", Content: in.Version.Content}
		if p := in.Previous; p != nil {
			msg.ContentVersion = strconv.Itoa(p.VersionNumber + 1) // a forecast: the number is given out on commit
			msg.PreviousContent = &Content{ContentType: p.ContentType, ContentVersion: strconv.Itoa(p.VersionNumber), Content: p.Content}
		}
		resp, err := s.call(ctx, actionURI(a.action, a.params), &msg)
		if err != nil || resp.Error != "" {
			return refusal(a, appconfig.PreCreateHostedConfigurationVersion, resp, err)
		}
		if err := replaceContent(&in.Version.Content, resp); err != nil {
			return err
		}
	}
	return nil
}

// PreStartDeployment implements appconfig.Hooks: the PRE_START_DEPLOYMENT
// functions run in order, with the deployment's dynamic parameters; each may
// refuse the deployment.
func (s *Service) PreStartDeployment(ctx context.Context, in *appconfig.PreStartInput) error {
	applied, err := s.appliedNow(ctx, in.Application.ID, in.Environment.ID, in.Profile.ID)
	if err != nil || len(applied) == 0 {
		return err
	}
	acts, err := s.syncActions(ctx, applied, appconfig.PreStartDeployment)
	if err != nil {
		return err
	}
	n := names{app: Ref{in.Application.ID, in.Application.Name}, env: &Ref{in.Environment.ID, in.Environment.Name},
		profile: Ref{in.Profile.ID, in.Profile.Name}}
	for _, a := range acts {
		for k, v := range in.DynamicParameters {
			ident, param, ok := strings.Cut(k, "#")
			if ok && (ident == a.ext.ID || ident == a.ext.Name || ident == s.arn(a.ext)) {
				a.params[param] = v
			}
		}
		msg := deploymentMessage(n, in.Deployment, appconfig.PreStartDeployment, a.params)
		msg.ContentType, msg.ContentVersion, msg.Content = in.Deployment.Engine.ContentType, in.Deployment.ConfigurationVersion, in.Content
		uri := actionURI(a.action, a.params)
		resp, err := s.call(ctx, uri, &msg)
		if err != nil || resp.Error != "" {
			return refusal(a, appconfig.PreStartDeployment, resp, err)
		}
		if err := replaceContent(&in.Content, resp); err != nil {
			return err
		}
		in.Invocations = append(in.Invocations, appconfig.ActionInvocation{ExtensionIdentifier: a.ext.ID,
			ActionName: a.action.Name, URI: uri, RoleArn: a.action.RoleArn, InvocationID: msg.InvocationID})
	}
	return nil
}

// replaceContent takes the content a PRE_* function answered, if any.
func replaceContent(content *[]byte, resp *Response) error {
	if resp.Content == nil {
		return nil
	}
	if len(resp.Content) > appconfig.MaxContent {
		return &appconfig.Error{Code: appconfig.CodePayloadTooLarge, Message: "content returned by the extension is larger than 2 MB"}
	}
	*content = resp.Content
	return nil
}

// AtDeploymentTick implements appconfig.Hooks: every AT_DEPLOYMENT_TICK
// function of the deployment is asked; the first ROLL_BACK (or error) wins.
func (s *Service) AtDeploymentTick(ctx context.Context, d *appconfig.Deployment) (appconfig.Directive, error) {
	if len(d.AppliedExtensions) == 0 {
		return appconfig.Directive{}, nil
	}
	acts, err := s.syncActions(ctx, d.AppliedExtensions, appconfig.AtDeploymentTick)
	if err != nil || len(acts) == 0 {
		return appconfig.Directive{}, err
	}
	n, err := deploymentNames(ctx, s.store, d)
	if err != nil {
		return appconfig.Directive{}, err
	}
	for _, a := range acts {
		msg := deploymentMessage(n, d, appconfig.AtDeploymentTick, a.params)
		uri := actionURI(a.action, a.params)
		inv := appconfig.ActionInvocation{ExtensionIdentifier: a.ext.ID, ActionName: a.action.Name, URI: uri,
			RoleArn: a.action.RoleArn, InvocationID: msg.InvocationID}
		resp, err := s.call(ctx, uri, &msg)
		if err != nil {
			inv.ErrorCode, inv.ErrorMessage = "InvocationFailed", err.Error()
			return appconfig.Directive{Invocations: []appconfig.ActionInvocation{inv}}, fmt.Errorf("extension %s: %w", a.ext.Name, err)
		}
		if resp.Error != "" || resp.Directive == "ROLL_BACK" {
			desc := resp.Description
			if desc == "" {
				desc = resp.Message
			}
			if desc == "" {
				desc = fmt.Sprintf("Rollback initiated by extension %s", a.ext.Name)
			}
			inv.ErrorCode, inv.ErrorMessage = resp.Error, resp.Message
			return appconfig.Directive{RollBack: true, Description: desc, Invocations: []appconfig.ActionInvocation{inv}}, nil
		}
	}
	return appconfig.Directive{}, nil
}
