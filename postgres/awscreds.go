package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/batonhq/baton/awsauth"
)

// AWSKeyStore implements awsauth.Store on a DB.
type AWSKeyStore struct{ db *DB }

// NewAWSKeyStore returns the access key store of db.
func NewAWSKeyStore(db *DB) *AWSKeyStore { return &AWSKeyStore{db: db} }

var _ awsauth.Store = (*AWSKeyStore)(nil)

// InsertKey implements awsauth.Store.
func (s *AWSKeyStore) InsertKey(ctx context.Context, k awsauth.Key) error {
	_, err := s.db.pool.Exec(ctx, `INSERT INTO aws_credentials (access_key_id, secret_sealed, description, created_at) VALUES ($1, $2, $3, $4)`,
		k.ID, k.SealedSecret, k.Description, k.Created.UnixMilli())
	if err != nil {
		return fmt.Errorf("insert access key: %w", err)
	}
	return nil
}

// Keys implements awsauth.Store.
func (s *AWSKeyStore) Keys(ctx context.Context) ([]awsauth.Key, error) {
	rows, err := s.db.pool.Query(ctx, `SELECT access_key_id, secret_sealed, description, created_at FROM aws_credentials ORDER BY created_at, access_key_id`)
	if err != nil {
		return nil, fmt.Errorf("list access keys: %w", err)
	}
	defer rows.Close()
	var out []awsauth.Key
	for rows.Next() {
		var k awsauth.Key
		var created int64
		if err := rows.Scan(&k.ID, &k.SealedSecret, &k.Description, &created); err != nil {
			return nil, fmt.Errorf("scan access key: %w", err)
		}
		k.Created = time.UnixMilli(created).UTC()
		out = append(out, k)
	}
	return out, rows.Err()
}

// Key implements awsauth.Store.
func (s *AWSKeyStore) Key(ctx context.Context, id string) (awsauth.Key, error) {
	var k awsauth.Key
	var created int64
	err := s.db.pool.QueryRow(ctx, `SELECT access_key_id, secret_sealed, description, created_at FROM aws_credentials WHERE access_key_id = $1`, id).
		Scan(&k.ID, &k.SealedSecret, &k.Description, &created)
	if errors.Is(err, pgx.ErrNoRows) {
		return k, awsauth.ErrUnknownKey
	}
	if err != nil {
		return k, fmt.Errorf("look up access key: %w", err)
	}
	k.Created = time.UnixMilli(created).UTC()
	return k, nil
}

// DeleteKey implements awsauth.Store.
func (s *AWSKeyStore) DeleteKey(ctx context.Context, id string) error {
	tag, err := s.db.pool.Exec(ctx, `DELETE FROM aws_credentials WHERE access_key_id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete access key: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return awsauth.ErrUnknownKey
	}
	return nil
}
