package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// readStmts caches prepared statements of the read pool for the hot read
// paths (executors polling open events). database/sql prepares a *sql.Stmt
// lazily on each pooled connection and keeps it there, so a cached query is
// parsed once per connection instead of on every call; SQLite's parser was a
// third of the cost of a poll.
type readStmts struct {
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// maxReadStmts bounds the read statement cache; further queries run unprepared.
const maxReadStmts = 128

// readQuery runs query on the read pool through a cached prepared statement.
func (db *DB) readQuery(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := db.readStmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return db.read.QueryContext(ctx, query, args...)
}

// readQueryRow is readQuery for at most one row.
func (db *DB) readQueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := db.readStmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return db.read.QueryRowContext(ctx, query, args...)
}

// readStmt returns the cached statement for query, preparing it; nil when the
// cache is full or preparing failed (the caller then runs the query unprepared
// and gets its error from there).
func (db *DB) readStmt(ctx context.Context, query string) *sql.Stmt {
	c := &db.readCache
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st
	}
	if len(c.stmts) >= maxReadStmts {
		return nil
	}
	st, err := db.read.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	c.stmts[query] = st
	return st
}

// closeReadStmts closes the cached read statements (Close).
func (db *DB) closeReadStmts() {
	c := &db.readCache
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts = nil
}
