package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/batonhq/baton/postgres"
	"github.com/batonhq/baton/sqlite"
)

func newStoreCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "store", Short: "Work on baton's store"}
	var from, to string
	cp := &cobra.Command{
		Use:   "copy --from DATA-DIR --to postgres://…",
		Short: "Copy a SQLite store into an empty PostgreSQL database",
		Long: `Copy the SQLite store of a stopped baton (its data directory) into an empty
PostgreSQL database, table by table, and check that every table holds as many
rows as the source. Then run replicas with --database and the data
directory's secret key (BATON_SECRET_KEY=$(cat DATA-DIR/secret.key)).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return copyStore(cmd.Context(), cmd.OutOrStdout(), from, to)
		},
	}
	cp.Flags().StringVar(&from, "from", "", "data directory of the SQLite store (baton must not be running)")
	cp.Flags().StringVar(&to, "to", "", "URL of an empty PostgreSQL database (postgres://…)")
	cp.MarkFlagRequired("from")
	cp.MarkFlagRequired("to")
	cmd.AddCommand(cp)
	return cmd
}

// copyBatch is how many rows one COPY carries.
const copyBatch = 2000

func copyStore(ctx context.Context, out io.Writer, from, to string) error {
	path := filepath.Join(from, "baton.db")
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no baton store in %s: %w", from, err)
	}
	src, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, to, postgres.Options{})
	if err != nil {
		return err
	}
	defer dst.Close()
	tables, err := dst.Tables(ctx)
	if err != nil {
		return err
	}
	for _, t := range tables {
		if n, err := dst.Count(ctx, t); err != nil || n > 0 {
			return fmt.Errorf("the target database is not empty (table %s has %d rows, %v)", t, n, err)
		}
	}
	have, err := src.Tables(ctx)
	if err != nil {
		return err
	}
	for _, t := range tables {
		if !slices.Contains(have, t) {
			continue // a table the source's version does not have
		}
		n, err := copyTable(ctx, src, dst, t)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%-24s %d rows\n", t, n)
	}
	if err := dst.ResetIdentities(ctx); err != nil {
		return err
	}
	return verifyCopy(ctx, src, dst, tables, have)
}

func copyTable(ctx context.Context, src *sqlite.DB, dst *postgres.DB, table string) (int64, error) {
	var columns []string
	var batch [][]any
	var n int64
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := dst.Load(ctx, table, columns, batch)
		n += int64(len(batch))
		batch = batch[:0]
		return err
	}
	err := src.Rows(ctx, table, func(cols []string, row []any) error {
		columns = cols
		batch = append(batch, row)
		if len(batch) == copyBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	return n, err
}

// verifyCopy compares the row counts of every copied table.
func verifyCopy(ctx context.Context, src *sqlite.DB, dst *postgres.DB, tables, have []string) error {
	for _, t := range tables {
		if !slices.Contains(have, t) {
			continue
		}
		a, err := src.Count(ctx, t)
		if err != nil {
			return err
		}
		b, err := dst.Count(ctx, t)
		if err != nil {
			return err
		}
		if a != b {
			return fmt.Errorf("table %s: %d rows in SQLite, %d in PostgreSQL", t, a, b)
		}
	}
	return nil
}
