package sqlite

import (
	"context"
	"fmt"
)

// Tables returns the names of baton's tables in this database.
func (db *DB) Tables(ctx context.Context) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// knownTable reports whether table exists, so its name can go into SQL.
func (db *DB) knownTable(ctx context.Context, table string) error {
	tables, err := db.Tables(ctx)
	if err != nil {
		return err
	}
	for _, t := range tables {
		if t == table {
			return nil
		}
	}
	return fmt.Errorf("sqlite: no table %q", table)
}

// Count returns the number of rows of table.
func (db *DB) Count(ctx context.Context, table string) (int64, error) {
	if err := db.knownTable(ctx, table); err != nil {
		return 0, err
	}
	var n int64
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM "`+table+`"`).Scan(&n)
	return n, err
}

// Rows calls fn with the column names of table and then with every row, in
// rowid order, as the driver returns the values (int64, float64, string,
// []byte or nil). It reads one consistent snapshot.
func (db *DB) Rows(ctx context.Context, table string, fn func(cols []string, row []any) error) error {
	if err := db.knownTable(ctx, table); err != nil {
		return err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT * FROM "`+table+`"`)
	if err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read %s: %w", table, err)
		}
		if err := fn(cols, vals); err != nil {
			return err
		}
	}
	return rows.Err()
}
