package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

// Tables returns the names of baton's tables, schema_migrations excluded,
// in an order in which rows can be loaded (referenced tables first).
func (db *DB) Tables(ctx context.Context) ([]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'
		ORDER BY table_name`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	first := []string{"projects", "integrations"} // referenced by stages, services, subscriptions
	slices.SortStableFunc(names, func(a, b string) int {
		ia, ib := slices.Contains(first, a), slices.Contains(first, b)
		switch {
		case ia && !ib:
			return -1
		case ib && !ia:
			return 1
		}
		return 0
	})
	return names, nil
}

func (db *DB) knownTable(ctx context.Context, table string) error {
	tables, err := db.Tables(ctx)
	if err != nil {
		return err
	}
	if !slices.Contains(tables, table) {
		return fmt.Errorf("postgres: no table %q", table)
	}
	return nil
}

// Count returns the number of rows of table.
func (db *DB) Count(ctx context.Context, table string) (int64, error) {
	if err := db.knownTable(ctx, table); err != nil {
		return 0, err
	}
	var n int64
	err := db.pool.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{table}.Sanitize()).Scan(&n)
	return n, err
}

// Load appends rows (values in the order of cols) to table with COPY.
// Text given for a bytea column is stored as its bytes.
func (db *DB) Load(ctx context.Context, table string, cols []string, rows [][]any) error {
	if err := db.knownTable(ctx, table); err != nil {
		return err
	}
	types, err := db.columnTypes(ctx, table)
	if err != nil {
		return err
	}
	for _, row := range rows {
		for i, v := range row {
			if s, ok := v.(string); ok && types[cols[i]] == "bytea" {
				row[i] = []byte(s)
			}
		}
	}
	if _, err := db.pool.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("load %s: %w", table, err)
	}
	return nil
}

func (db *DB) columnTypes(ctx context.Context, table string) (map[string]string, error) {
	rows, err := db.pool.Query(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1`, table)
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var c, t string
		if err := rows.Scan(&c, &t); err != nil {
			return nil, err
		}
		out[c] = t
	}
	return out, rows.Err()
}

// ResetIdentities moves every identity column past the largest value
// loaded, so new rows get new numbers.
func (db *DB) ResetIdentities(ctx context.Context) error {
	rows, err := db.pool.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND is_identity = 'YES'`)
	if err != nil {
		return fmt.Errorf("identity columns: %w", err)
	}
	type col struct{ table, name string }
	cols, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (col, error) {
		var c col
		return c, r.Scan(&c.table, &c.name)
	})
	if err != nil {
		return fmt.Errorf("identity columns: %w", err)
	}
	for _, c := range cols {
		t, n := pgx.Identifier{c.table}.Sanitize(), pgx.Identifier{c.name}.Sanitize()
		if _, err := db.pool.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(`+n+`) FROM `+t+`), 0) + 1, false)`,
			c.table, c.name); err != nil {
			return fmt.Errorf("reset identity of %s: %w", c.table, err)
		}
	}
	return nil
}
