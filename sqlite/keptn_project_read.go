package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/batonhq/baton/keptn"
)

// Project implements keptn.ProjectStore.
func (s *KeptnStore) Project(ctx context.Context, name string) (*keptn.Project, error) {
	ps, err := s.loadProjects(ctx, `WHERE name = ?`, name)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, keptn.Errorf(keptn.CodeNotFound, "project %s not found", name)
	}
	return ps[0], nil
}

// Projects implements keptn.ProjectStore.
func (s *KeptnStore) Projects(ctx context.Context, offset, limit int) ([]*keptn.Project, int, error) {
	var total int
	if err := s.db.read.QueryRowContext(ctx, `SELECT count(*) FROM projects`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count projects: %w", err)
	}
	ps, err := s.loadProjects(ctx, `ORDER BY name LIMIT ? OFFSET ?`, limit, offset)
	return ps, total, err
}

func (s *KeptnStore) loadProjects(ctx context.Context, tail string, args ...any) ([]*keptn.Project, error) {
	// A project's last event is read from the events (as PostgreSQL does)
	// rather than kept in projects.last_event_*: updating the project's row
	// was a statement and a page on every ingested event, on the writer.
	rows, err := s.db.read.QueryContext(ctx, `SELECT name, shipyard, shipyard_version, created_ns, git_public,
		coalesce(e.id, ''), coalesce(e.keptn_context, ''), coalesce(e.time_ns, 0) FROM projects
		LEFT JOIN events e ON e.seq = (SELECT seq FROM events
			WHERE events.project = projects.name AND events.time_ns >= projects.created_ns
			ORDER BY time_ns DESC, seq DESC LIMIT 1) `+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("query projects: %w", err)
	}
	var out []*keptn.Project
	for rows.Next() {
		p := &keptn.Project{}
		var created, lastNS int64
		var gitPublic string
		if err := rows.Scan(&p.Name, &p.Shipyard, &p.ShipyardVersion, &created, &gitPublic,
			&p.LastEvent.EventID, &p.LastEvent.KeptnContext, &lastNS); err != nil {
			rows.Close()
			return nil, err
		}
		p.Created = time.Unix(0, created)
		if lastNS > 0 {
			p.LastEvent.Time = time.Unix(0, lastNS)
		}
		if gitPublic != "" {
			_ = json.Unmarshal([]byte(gitPublic), &p.Git)
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, p := range out {
		if err := s.loadStages(ctx, p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// loadStages fills p.Stages with services, their last events and images.
func (s *KeptnStore) loadStages(ctx context.Context, p *keptn.Project) error {
	rows, err := s.db.read.QueryContext(ctx, `SELECT name, parents FROM stages WHERE project = ? ORDER BY position`, p.Name)
	if err != nil {
		return fmt.Errorf("query stages: %w", err)
	}
	for rows.Next() {
		var st keptn.ProjectStage
		var parents string
		if err := rows.Scan(&st.Name, &parents); err != nil {
			rows.Close()
			return err
		}
		_ = json.Unmarshal([]byte(parents), &st.Parents)
		p.Stages = append(p.Stages, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	type svc struct {
		name    string
		created int64
	}
	var services []svc
	rows, err = s.db.read.QueryContext(ctx, `SELECT name, created_ns FROM services WHERE project = ? ORDER BY name`, p.Name)
	if err != nil {
		return fmt.Errorf("query services: %w", err)
	}
	for rows.Next() {
		var v svc
		if err := rows.Scan(&v.name, &v.created); err != nil {
			rows.Close()
			return err
		}
		services = append(services, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	states, images, err := s.serviceStates(ctx, p.Name)
	if err != nil {
		return err
	}
	for i := range p.Stages {
		st := &p.Stages[i]
		for _, v := range services {
			key := st.Name + "/" + v.name
			ss := keptn.ServiceState{Name: v.name, Created: time.Unix(0, v.created), DeployedImage: images[key],
				LastEventTypes: states[key]}
			if ss.LastEventTypes == nil {
				ss.LastEventTypes = map[string]keptn.EventRef{}
			}
			for _, ref := range ss.LastEventTypes {
				if ref.Time.After(st.LastEvent.Time) {
					st.LastEvent = ref
				}
			}
			st.Services = append(st.Services, ss)
		}
	}
	return nil
}

// lastEventTypes finds, for each stage, service and event type of a project,
// its latest event since the service was created: the newest of the key's
// row of service_last_events and the key's events stored after the table's
// bound (keptn_last_events.go), if it is not older than the service. The
// events after the bound are read by seq (NOT INDEXED still lets SQLite seek
// the rowid), where SQLite would rather read all of the project's.
const lastEventTypes = `SELECT l.stage, l.service, l.type, e.id, e.keptn_context, l.time_ns
FROM (
	SELECT stage, service, type, seq, time_ns,
		row_number() OVER (PARTITION BY stage, service, type ORDER BY time_ns DESC, seq DESC) AS n
	FROM (
		SELECT stage, service, type, seq, time_ns FROM service_last_events WHERE project = ?1
		UNION ALL
		SELECT stage, service, type, seq, time_ns FROM events NOT INDEXED
		WHERE seq > (SELECT seq FROM service_last_events_covered) AND project = ?1 AND stage != '' AND service != ''
	)
) l
CROSS JOIN services sv ON sv.project = ?1 AND sv.name = l.service
JOIN events e ON e.seq = l.seq
WHERE l.n = 1 AND l.time_ns >= sv.created_ns`

func (s *KeptnStore) serviceStates(ctx context.Context, project string) (map[string]map[string]keptn.EventRef, map[string]string, error) {
	states := map[string]map[string]keptn.EventRef{}
	rows, err := s.db.readQuery(ctx, lastEventTypes, project)
	if err != nil {
		return nil, nil, fmt.Errorf("query service state: %w", err)
	}
	for rows.Next() {
		var stage, service, typ string
		var ref keptn.EventRef
		var ns int64
		if err := rows.Scan(&stage, &service, &typ, &ref.EventID, &ref.KeptnContext, &ns); err != nil {
			rows.Close()
			return nil, nil, err
		}
		ref.Time = time.Unix(0, ns)
		key := stage + "/" + service
		if states[key] == nil {
			states[key] = map[string]keptn.EventRef{}
		}
		states[key][typ] = ref
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	images := map[string]string{}
	rows, err = s.db.read.QueryContext(ctx, `SELECT stage, service, image FROM service_images WHERE project = ?`, project)
	if err != nil {
		return nil, nil, fmt.Errorf("query images: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var stage, service, img string
		if err := rows.Scan(&stage, &service, &img); err != nil {
			return nil, nil, err
		}
		images[stage+"/"+service] = img
	}
	return states, images, rows.Err()
}

// SecretSealed implements keptn.ProjectStore.
func (s *KeptnStore) SecretSealed(ctx context.Context, scope, name string) ([]byte, error) {
	var b []byte
	err := s.db.read.QueryRowContext(ctx, `SELECT sealed FROM secrets WHERE scope = ? AND name = ?`, scope, name).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, keptn.Errorf(keptn.CodeNotFound, "secret %s not found in scope %s", name, scope)
	}
	return b, err
}

// Secrets implements keptn.ProjectStore.
func (s *KeptnStore) Secrets(ctx context.Context, name, scope string) ([]keptn.SecretMeta, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT name, scope, keys FROM secrets
		WHERE (? = '' OR name = ?) AND (? = '' OR scope = ?) ORDER BY scope, name`, name, name, scope, scope)
	if err != nil {
		return nil, fmt.Errorf("query secrets: %w", err)
	}
	defer rows.Close()
	out := []keptn.SecretMeta{}
	for rows.Next() {
		var m keptn.SecretMeta
		var keys string
		if err := rows.Scan(&m.Name, &m.Scope, &keys); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(keys), &m.Keys)
		out = append(out, m)
	}
	return out, rows.Err()
}
