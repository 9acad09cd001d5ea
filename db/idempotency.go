package db

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// ReserveIdempotencyKey claims key for the organisation. It returns
// reserved=true when this caller owns the key now; otherwise chargeID is
// the charge an earlier request created with it (0 while that request is
// still in flight or failed before saving), and since is when the key was
// first reserved.
func (d *DB) ReserveIdempotencyKey(ctx context.Context, orgID int64, key string) (reserved bool, chargeID int64, since time.Time, err error) {
	err = d.WithTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (org_id, key, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
			orgID, key, FormatTime(tx.Now()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			reserved, since = true, tx.Now()
			return nil
		}
		var id sql.NullInt64
		var at string
		if err := tx.QueryRowContext(ctx, `SELECT charge_id, created_at FROM idempotency_keys WHERE org_id = ? AND key = ?`, orgID, key).Scan(&id, &at); err != nil {
			return err
		}
		chargeID = id.Int64
		since, _ = ParseTime(at)
		return nil
	})
	return reserved, chargeID, since, err
}

// CompleteIdempotencyKey records the charge a reserved key created.
func CompleteIdempotencyKey(ctx context.Context, tx *Tx, orgID int64, key string, chargeID int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET charge_id = ? WHERE org_id = ? AND key = ?`, chargeID, orgID, key)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errors.New("idempotency key not reserved")
	}
	return nil
}

// ReleaseIdempotencyKey frees a key whose request definitely created
// nothing upstream (the API refused it), so the corrected form can be sent again.
func (d *DB) ReleaseIdempotencyKey(ctx context.Context, orgID int64, key string) error {
	return d.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE org_id = ? AND key = ? AND charge_id IS NULL`, orgID, key)
		return err
	})
}
