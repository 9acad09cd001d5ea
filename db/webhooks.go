package db

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"
)

// Webhook event states.
const (
	EventPending = "pending"
	EventDone    = "done"
	EventFailed  = "failed"
)

// WebhookEvent is one callback received from Efí, stored raw on arrival.
type WebhookEvent struct {
	ID            int64
	OrgID         int64
	OrgName       string
	Source        string
	ReceivedAt    time.Time
	RemoteAddr    string
	ContentType   string
	Raw           string
	Token         string
	State         string
	Attempts      int
	NextAttemptAt time.Time
	Fetched       string // what GET /notification/:token returned (JSON)
	Outcome       string // what the portal did with it, in words
	ProcessedAt   string
}

// CallbackSecret returns the organisation's callback secret, creating it on
// first use. The secret is 32 random bytes, URL-safe.
func (d *DB) CallbackSecret(ctx context.Context, orgID int64) (string, error) {
	var s string
	err := d.Read.QueryRowContext(ctx, `SELECT secret FROM org_callbacks WHERE org_id = ?`, orgID).Scan(&s)
	if err == nil {
		return s, nil
	}
	var b [32]byte
	rand.Read(b[:])
	s = base64.RawURLEncoding.EncodeToString(b[:])
	err = d.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO org_callbacks (org_id, secret, created_at) VALUES (?, ?, ?) ON CONFLICT (org_id) DO NOTHING`,
			orgID, s, FormatTime(tx.Now()))
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT secret FROM org_callbacks WHERE org_id = ?`, orgID).Scan(&s)
	})
	return s, err
}

// OrgByCallbackSecret finds the organisation a callback URL belongs to.
func (d *DB) OrgByCallbackSecret(ctx context.Context, secret string) (int64, error) {
	var id int64
	err := d.Read.QueryRowContext(ctx, `SELECT org_id FROM org_callbacks WHERE secret = ?`, secret).Scan(&id)
	return id, MapError(err)
}

// InsertWebhookEvent stores a callback as it arrived, due for processing now.
func (d *DB) InsertWebhookEvent(ctx context.Context, e *WebhookEvent) error {
	return d.WithTx(ctx, func(tx *Tx) error {
		now := FormatTime(tx.Now())
		res, err := tx.ExecContext(ctx, `INSERT INTO webhook_events (org_id, source, received_at, remote_addr, content_type, raw, token, state, next_attempt_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)`, e.OrgID, e.Source, now, e.RemoteAddr, e.ContentType, e.Raw, e.Token, now)
		if err != nil {
			return fmt.Errorf("insert webhook event: %w", err)
		}
		e.ID, _ = res.LastInsertId()
		e.State = EventPending
		e.ReceivedAt = tx.Now()
		return nil
	})
}

const eventColumns = `e.id, e.org_id, COALESCE(o.name, ''), e.source, e.received_at, e.remote_addr, e.content_type, e.raw, e.token,
	e.state, e.attempts, e.next_attempt_at, e.fetched, e.outcome, e.processed_at`

func scanEvent(s scanner) (WebhookEvent, error) {
	var e WebhookEvent
	var received, next string
	err := s.Scan(&e.ID, &e.OrgID, &e.OrgName, &e.Source, &received, &e.RemoteAddr, &e.ContentType, &e.Raw, &e.Token,
		&e.State, &e.Attempts, &next, &e.Fetched, &e.Outcome, &e.ProcessedAt)
	e.ReceivedAt, _ = ParseTime(received)
	e.NextAttemptAt, _ = ParseTime(next)
	return e, err
}

// DueWebhookEvents lists pending events whose next attempt is due, oldest first.
func (d *DB) DueWebhookEvents(ctx context.Context, now time.Time, limit int) ([]WebhookEvent, error) {
	rows, err := d.Read.QueryContext(ctx, `SELECT `+eventColumns+` FROM webhook_events e LEFT JOIN organisations o ON o.id = e.org_id
		WHERE e.state = 'pending' AND e.next_attempt_at <= ? ORDER BY e.next_attempt_at, e.id LIMIT ?`, FormatTime(now), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []WebhookEvent
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// WebhookEvent reads one event within the scope.
func (d *DB) WebhookEvent(ctx context.Context, s Scope, id int64) (WebhookEvent, error) {
	q := `SELECT ` + eventColumns + ` FROM webhook_events e LEFT JOIN organisations o ON o.id = e.org_id WHERE e.id = ?`
	args := []any{id}
	if s.OrgID != 0 {
		q += ` AND e.org_id = ?`
		args = append(args, s.OrgID)
	}
	e, err := scanEvent(d.Read.QueryRowContext(ctx, q, args...))
	return e, MapError(err)
}

// EventFilter selects events for the event log.
type EventFilter struct {
	Scope   Scope
	State   string
	AfterID int64 // keyset: events with a smaller id
	Limit   int
}

// ListWebhookEvents lists events newest first.
func (d *DB) ListWebhookEvents(ctx context.Context, f EventFilter) ([]WebhookEvent, bool, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	q := `SELECT ` + eventColumns + ` FROM webhook_events e LEFT JOIN organisations o ON o.id = e.org_id WHERE 1 = 1`
	var args []any
	if f.Scope.OrgID != 0 {
		q += ` AND e.org_id = ?`
		args = append(args, f.Scope.OrgID)
	}
	if f.State != "" {
		q += ` AND e.state = ?`
		args = append(args, f.State)
	}
	if f.AfterID > 0 {
		q += ` AND e.id < ?`
		args = append(args, f.AfterID)
	}
	q += ` ORDER BY e.id DESC LIMIT ?`
	args = append(args, f.Limit+1)
	rows, err := d.Read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var out []WebhookEvent
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, false, err
		}
		out = append(out, e)
	}
	more := len(out) > f.Limit
	if more {
		out = out[:f.Limit]
	}
	return out, more, rows.Err()
}

// FinishWebhookEvent records the outcome of one processing attempt: done,
// failed for good, or pending again at retryAt.
func FinishWebhookEvent(ctx context.Context, tx *Tx, id int64, state, fetched, outcome string, retryAt time.Time) error {
	processed := ""
	if state != EventPending {
		processed = FormatTime(tx.Now())
	}
	next := FormatTime(retryAt)
	if retryAt.IsZero() {
		next = FormatTime(tx.Now())
	}
	_, err := tx.ExecContext(ctx, `UPDATE webhook_events SET state = ?, attempts = attempts + 1, fetched = ?, outcome = ?,
		processed_at = ?, next_attempt_at = ? WHERE id = ?`, state, fetched, outcome, processed, next, id)
	return err
}

// RequeueWebhookEvent makes an event due again now ("process again").
func (d *DB) RequeueWebhookEvent(ctx context.Context, s Scope, id int64) error {
	return d.WithTx(ctx, func(tx *Tx) error {
		q := `UPDATE webhook_events SET state = 'pending', next_attempt_at = ? WHERE id = ?`
		args := []any{FormatTime(tx.Now()), id}
		if s.OrgID != 0 {
			q += ` AND org_id = ?`
			args = append(args, s.OrgID)
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
}
