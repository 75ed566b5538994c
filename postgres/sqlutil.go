package postgres

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// where builds a WHERE clause with numbered parameters.
type where struct {
	conds []string
	args  []any
}

// arg adds a parameter and returns its placeholder.
func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

// add appends a condition in which "?" stands for the placeholder of v.
func (w *where) add(cond string, v any) {
	w.conds = append(w.conds, strings.Replace(cond, "?", w.arg(v), 1))
}

// raw appends a condition without parameters.
func (w *where) raw(cond string) { w.conds = append(w.conds, cond) }

// String returns " WHERE …" or "" when there is no condition.
func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

func scanBodies(rows pgx.Rows, err error) ([]json.RawMessage, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []json.RawMessage{}
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		out = append(out, json.RawMessage(b))
	}
	return out, rows.Err()
}
