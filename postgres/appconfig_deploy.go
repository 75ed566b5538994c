package postgres

import (
	"context"
	"errors"
	"fmt"
	"github.com/jackc/pgx/v5"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/batonhq/baton/appconfig"
)

func (r acReader) Deployment(ctx context.Context, env string, n int) (*appconfig.Deployment, error) {
	var body []byte
	err := r.q.QueryRow(ctx, `SELECT body FROM appconfig_deployments WHERE env_id = $1 AND number = $2`+r.lock, env, n).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, appconfig.NotFound("Deployment", strconv.Itoa(n))
	}
	if err != nil {
		return nil, fmt.Errorf("get deployment: %w", err)
	}
	return appconfig.DecodeDeployment(body)
}

func (r acReader) Deployments(ctx context.Context, env string, p appconfig.Page) ([]*appconfig.Deployment, int64, error) {
	after := p.After
	if after == 0 {
		after = 1 << 62
	}
	rows, err := r.q.Query(ctx, `SELECT number, body FROM appconfig_deployments WHERE env_id = $1 AND number < $2::bigint
		ORDER BY number DESC LIMIT $3`, env, after, p.Limit+1)
	if err != nil {
		return nil, 0, fmt.Errorf("list deployments: %w", err)
	}
	return scanDeployments(rows, p.Limit)
}

func (r acReader) ActiveDeployments(ctx context.Context) ([]*appconfig.Deployment, error) {
	rows, err := r.q.Query(ctx, `SELECT number, body FROM appconfig_deployments WHERE state IN ($1, $2, $3)`,
		appconfig.StateDeploying, appconfig.StateBaking, appconfig.StateValidating)
	if err != nil {
		return nil, fmt.Errorf("active deployments: %w", err)
	}
	out, _, err := scanDeployments(rows, 1<<30)
	return out, err
}

func scanDeployments(rows pgx.Rows, limit int) ([]*appconfig.Deployment, int64, error) {
	defer rows.Close()
	out := []*appconfig.Deployment{}
	var next int64
	for rows.Next() {
		var n int64
		var body []byte
		if err := rows.Scan(&n, &body); err != nil {
			return nil, 0, err
		}
		if len(out) == limit {
			return out, next, rows.Err()
		}
		d, err := appconfig.DecodeDeployment(body)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, d)
		next = n
	}
	return out, 0, rows.Err()
}

func (t *acTx) PutDeployment(d *appconfig.Deployment) error {
	body, err := appconfig.EncodeDeployment(d)
	if err != nil {
		return err
	}
	_, err = t.tx.Exec(`INSERT INTO appconfig_deployments (env_id, number, app_id, profile_id, state, body) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (env_id, number) DO UPDATE SET state = excluded.state, body = excluded.body`,
		d.EnvironmentID, d.DeploymentNumber, d.ApplicationID, d.ConfigurationProfileID, d.State, body)
	if err != nil {
		return fmt.Errorf("put deployment: %w", err)
	}
	return nil
}

func (r acReader) Version(ctx context.Context, profile string, n int) (*appconfig.HostedVersion, error) {
	v := &appconfig.HostedVersion{ConfigurationProfileID: profile, VersionNumber: n}
	err := r.q.QueryRow(ctx, `SELECT app_id, label, content_type, description, content FROM appconfig_versions
		WHERE profile_id = $1 AND version = $2`, profile, n).Scan(&v.ApplicationID, &v.VersionLabel, &v.ContentType, &v.Description, &v.Content)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, appconfig.NotFound("HostedConfigurationVersion", strconv.Itoa(n))
	}
	if err != nil {
		return nil, fmt.Errorf("get hosted version: %w", err)
	}
	return v, nil
}

func (r acReader) VersionByLabel(ctx context.Context, profile, label string) (*appconfig.HostedVersion, error) {
	var n int
	err := r.q.QueryRow(ctx, `SELECT max(version) FROM appconfig_versions WHERE profile_id = $1 AND label = $2`, profile, label).Scan(&n)
	if err != nil {
		// max() of no rows is NULL, which does not scan into int.
		return nil, appconfig.NotFound("HostedConfigurationVersion", label)
	}
	return r.Version(ctx, profile, n)
}

func (r acReader) Versions(ctx context.Context, profile, label string, p appconfig.Page) ([]*appconfig.HostedVersion, int64, error) {
	after := p.After
	if after == 0 {
		after = 1 << 62
	}
	// "v2*" matches labels starting with "v2" (ListHostedConfigurationVersions).
	exact, prefix := label, ""
	if strings.HasSuffix(label, "*") {
		exact, prefix = "", strings.TrimSuffix(label, "*")
	}
	rows, err := r.q.Query(ctx, `SELECT version, app_id, label, content_type, description FROM appconfig_versions
		WHERE profile_id = $1 AND ($2 = '' OR label = $2) AND ($3 = '' OR left(label, $4) = $5)
		AND version < $6::bigint ORDER BY version DESC LIMIT $7`,
		profile, exact, label, utf8.RuneCountInString(prefix), prefix, after, p.Limit+1)
	if err != nil {
		return nil, 0, fmt.Errorf("list hosted versions: %w", err)
	}
	defer rows.Close()
	out := []*appconfig.HostedVersion{}
	for rows.Next() {
		v := &appconfig.HostedVersion{ConfigurationProfileID: profile}
		if err := rows.Scan(&v.VersionNumber, &v.ApplicationID, &v.VersionLabel, &v.ContentType, &v.Description); err != nil {
			return nil, 0, err
		}
		if len(out) == p.Limit {
			return out, int64(out[len(out)-1].VersionNumber), rows.Err()
		}
		out = append(out, v)
	}
	return out, 0, rows.Err()
}

func (r acReader) LatestVersion(ctx context.Context, profile string) (int, error) {
	var n *int
	if err := r.q.QueryRow(ctx, `SELECT max(version) FROM appconfig_versions WHERE profile_id = $1`, profile).Scan(&n); err != nil {
		return 0, fmt.Errorf("latest hosted version: %w", err)
	}
	if n == nil {
		return 0, nil
	}
	return *n, nil
}

func (t *acTx) PutVersion(v *appconfig.HostedVersion) error {
	res, err := t.tx.Exec(`INSERT INTO appconfig_versions (profile_id, version, app_id, label, content_type, description, content)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`, v.ConfigurationProfileID, v.VersionNumber, v.ApplicationID, v.VersionLabel,
		v.ContentType, v.Description, v.Content)
	if err == nil && res.RowsAffected() == 0 {
		return appconfig.Errorf(appconfig.CodeConflict, "hosted configuration version %d already exists", v.VersionNumber)
	}
	if err != nil {
		return fmt.Errorf("put hosted version: %w", err)
	}
	return nil
}

func (t *acTx) DeleteVersion(profile string, n int) error {
	if _, err := t.tx.Exec(`DELETE FROM appconfig_versions WHERE profile_id = $1 AND version = $2`, profile, n); err != nil {
		return fmt.Errorf("delete hosted version: %w", err)
	}
	return nil
}
