package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/batonhq/baton/appconfig"
)

func (r acReader) Deployment(ctx context.Context, env string, n int) (*appconfig.Deployment, error) {
	var body []byte
	err := r.q.QueryRowContext(ctx, `SELECT body FROM appconfig_deployments WHERE env_id = ? AND number = ?`, env, n).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
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
	rows, err := r.q.QueryContext(ctx, `SELECT number, body FROM appconfig_deployments WHERE env_id = ? AND number < ?
		ORDER BY number DESC LIMIT ?`, env, after, p.Limit+1)
	if err != nil {
		return nil, 0, fmt.Errorf("list deployments: %w", err)
	}
	return scanDeployments(rows, p.Limit)
}

func (r acReader) ActiveDeployments(ctx context.Context) ([]*appconfig.Deployment, error) {
	rows, err := r.q.QueryContext(ctx, `SELECT number, body FROM appconfig_deployments WHERE state IN (?, ?, ?)`,
		appconfig.StateDeploying, appconfig.StateBaking, appconfig.StateValidating)
	if err != nil {
		return nil, fmt.Errorf("active deployments: %w", err)
	}
	out, _, err := scanDeployments(rows, 1<<30)
	return out, err
}

func scanDeployments(rows *sql.Rows, limit int) ([]*appconfig.Deployment, int64, error) {
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
	_, err = t.tx.Exec(`INSERT INTO appconfig_deployments (env_id, number, app_id, profile_id, state, body) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (env_id, number) DO UPDATE SET state = excluded.state, body = excluded.body`,
		d.EnvironmentID, d.DeploymentNumber, d.ApplicationID, d.ConfigurationProfileID, d.State, body)
	if err != nil {
		return fmt.Errorf("put deployment: %w", err)
	}
	return nil
}

func (r acReader) Version(ctx context.Context, profile string, n int) (*appconfig.HostedVersion, error) {
	v := &appconfig.HostedVersion{ConfigurationProfileID: profile, VersionNumber: n}
	err := r.q.QueryRowContext(ctx, `SELECT app_id, label, content_type, description, content FROM appconfig_versions
		WHERE profile_id = ? AND version = ?`, profile, n).Scan(&v.ApplicationID, &v.VersionLabel, &v.ContentType, &v.Description, &v.Content)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, appconfig.NotFound("HostedConfigurationVersion", strconv.Itoa(n))
	}
	if err != nil {
		return nil, fmt.Errorf("get hosted version: %w", err)
	}
	return v, nil
}

func (r acReader) VersionByLabel(ctx context.Context, profile, label string) (*appconfig.HostedVersion, error) {
	var n int
	err := r.q.QueryRowContext(ctx, `SELECT max(version) FROM appconfig_versions WHERE profile_id = ? AND label = ?`, profile, label).Scan(&n)
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
	rows, err := r.q.QueryContext(ctx, `SELECT version, app_id, label, content_type, description FROM appconfig_versions
		WHERE profile_id = ? AND (? = '' OR label = ?) AND (? = '' OR substr(label, 1, ?) = ?)
		AND version < ? ORDER BY version DESC LIMIT ?`,
		profile, exact, exact, label, utf8.RuneCountInString(prefix), prefix, after, p.Limit+1)
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
	var n sql.NullInt64
	if err := r.q.QueryRowContext(ctx, `SELECT max(version) FROM appconfig_versions WHERE profile_id = ?`, profile).Scan(&n); err != nil {
		return 0, fmt.Errorf("latest hosted version: %w", err)
	}
	return int(n.Int64), nil
}

func (t *acTx) PutVersion(v *appconfig.HostedVersion) error {
	_, err := t.tx.Exec(`INSERT INTO appconfig_versions (profile_id, version, app_id, label, content_type, description, content)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, v.ConfigurationProfileID, v.VersionNumber, v.ApplicationID, v.VersionLabel,
		v.ContentType, v.Description, v.Content)
	if isUniqueViolation(err) {
		return appconfig.Errorf(appconfig.CodeConflict, "hosted configuration version %d already exists", v.VersionNumber)
	}
	if err != nil {
		return fmt.Errorf("put hosted version: %w", err)
	}
	return nil
}

func (t *acTx) DeleteVersion(profile string, n int) error {
	if _, err := t.tx.Exec(`DELETE FROM appconfig_versions WHERE profile_id = ? AND version = ?`, profile, n); err != nil {
		return fmt.Errorf("delete hosted version: %w", err)
	}
	return nil
}
