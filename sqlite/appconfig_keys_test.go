package sqlite

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Migration 0301 rewrites tags and association parents stored under the old
// fixed ARNs (us-east-1, 000000000000) to resource keys, and leaves keys
// alone.
func TestMigrationResourceKeys(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	const old = "arn:aws:appconfig:us-east-1:000000000000:"
	err := db.Write(ctx, func(tx *Tx) error {
		for _, arn := range []string{old + "application/abc1234", old + "extension/ext1234/2", "application/new1234"} {
			if _, err := tx.Exec(`INSERT INTO appconfig_tags (arn, key, value) VALUES (?, 'k', 'v')`, arn); err != nil {
				return err
			}
		}
		_, err := tx.Exec(`INSERT INTO appconfig_docs (kind, id, parent, name, body) VALUES ('extensionassociation', 'as12345', ?, 'x', '{}')`,
			old+"application/abc1234/environment/env1234")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	body, err := migrations.ReadFile("migrations/0301_appconfig_resource_keys.sql")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Write(ctx, func(tx *Tx) error { _, err := tx.Exec(string(body)); return err }); err != nil {
		t.Fatal(err)
	}
	var got []string
	rows, err := db.Reader().QueryContext(ctx, `SELECT arn FROM appconfig_tags UNION ALL
		SELECT parent FROM appconfig_docs WHERE kind = 'extensionassociation' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		rows.Scan(&s)
		got = append(got, s)
	}
	want := []string{"application/abc1234", "application/abc1234/environment/env1234", "application/new1234", "extension/ext1234/2"}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("keys (-got +want):\n%s", diff)
	}
}
