package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// User is a person who signs in.
type User struct {
	ID                int64
	OrgID             int64 // 0 for staff without an organisation
	OrgName           string
	Name              string
	Email             string
	PasswordHash      string
	Role              string
	Active            bool
	Locale            string
	CreatedAt         time.Time
	PasswordChangedAt time.Time
}

const userColumns = `u.id, COALESCE(u.org_id, 0), COALESCE(o.name, ''), u.name, u.email, u.password_hash, u.role, u.active, u.locale, u.created_at, u.password_changed_at`

func scanUser(s scanner) (User, error) {
	var u User
	var created, changed string
	err := s.Scan(&u.ID, &u.OrgID, &u.OrgName, &u.Name, &u.Email, &u.PasswordHash, &u.Role, &u.Active, &u.Locale, &created, &changed)
	u.CreatedAt, _ = ParseTime(created)
	u.PasswordChangedAt, _ = ParseTime(changed)
	return u, err
}

// InsertUser creates a user; a taken e-mail is ErrConflict.
func InsertUser(ctx context.Context, tx *Tx, u *User) error {
	var org any
	if u.OrgID != 0 {
		org = u.OrgID
	}
	now := FormatTime(tx.Now())
	res, err := tx.ExecContext(ctx, `INSERT INTO users (org_id, name, email, password_hash, role, active, locale, created_at, password_changed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, org, u.Name, u.Email, u.PasswordHash, u.Role, u.Active, u.Locale, now, now)
	if err != nil {
		return MapError(fmt.Errorf("insert user: %w", err))
	}
	u.ID, _ = res.LastInsertId()
	return nil
}

// UserByEmail finds a user by e-mail (any case).
func (d *DB) UserByEmail(ctx context.Context, email string) (User, error) {
	u, err := scanUser(d.Read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u LEFT JOIN organisations o ON o.id = u.org_id WHERE u.email = ?`, email))
	return u, MapError(err)
}

// UserByID reads a user.
func (d *DB) UserByID(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(d.Read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users u LEFT JOIN organisations o ON o.id = u.org_id WHERE u.id = ?`, id))
	return u, MapError(err)
}

// Users lists users, of one organisation or (orgID 0) all.
func (d *DB) Users(ctx context.Context, orgID int64) ([]User, error) {
	q := `SELECT ` + userColumns + ` FROM users u LEFT JOIN organisations o ON o.id = u.org_id`
	var args []any
	if orgID != 0 {
		q += ` WHERE u.org_id = ?`
		args = append(args, orgID)
	}
	rows, err := d.Read.QueryContext(ctx, q+` ORDER BY u.name`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// CountUsers is how many users exist (first start creates the first one).
func (d *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := d.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// SetUserActive enables or disables a user; disabling ends their sessions.
func SetUserActive(ctx context.Context, tx *Tx, id int64, active bool) error {
	res, err := tx.ExecContext(ctx, `UPDATE users SET active = ? WHERE id = ?`, active, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	if !active {
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id)
	}
	return err
}

// SetPassword stores a new password hash and ends every session of the user.
func SetPassword(ctx context.Context, tx *Tx, id int64, hash string) error {
	res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?`, hash, FormatTime(tx.Now()), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id)
	return err
}

// SetUserLocale remembers the language a person picked.
func (d *DB) SetUserLocale(ctx context.Context, id int64, locale string) error {
	return d.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET locale = ? WHERE id = ?`, locale, id)
		return err
	})
}

// Organisation is a merchant account.
type Organisation struct {
	ID          int64
	Name        string
	Document    string
	Environment string
	CreatedAt   time.Time
}

// InsertOrganisation creates an organisation.
func InsertOrganisation(ctx context.Context, tx *Tx, o *Organisation) error {
	if o.Environment == "" {
		o.Environment = "embedded"
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO organisations (name, document, environment, created_at) VALUES (?, ?, ?, ?)`,
		o.Name, o.Document, o.Environment, FormatTime(tx.Now()))
	if err != nil {
		return MapError(fmt.Errorf("insert organisation: %w", err))
	}
	o.ID, _ = res.LastInsertId()
	return nil
}

// Organisations lists every organisation by name.
func (d *DB) Organisations(ctx context.Context) ([]Organisation, error) {
	rows, err := d.Read.QueryContext(ctx, `SELECT id, name, document, environment, created_at FROM organisations ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Organisation
	for rows.Next() {
		var o Organisation
		var created string
		if err := rows.Scan(&o.ID, &o.Name, &o.Document, &o.Environment, &created); err != nil {
			return nil, err
		}
		o.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		out = append(out, o)
	}
	return out, rows.Err()
}

// HashSessionID is what the sessions table stores of a session id.
func HashSessionID(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:])
}

// Session is a server-side session row.
type Session struct {
	UserID     int64
	Data       string
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// InsertSession stores a new session.
func (d *DB) InsertSession(ctx context.Context, id string, userID int64, data, ip, ua string) error {
	return d.WithTx(ctx, func(tx *Tx) error {
		now := FormatTime(tx.Now())
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, data, created_at, last_seen_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			HashSessionID(id), userID, data, now, now, ip, ua)
		return err
	})
}

// SessionByID reads a session.
func (d *DB) SessionByID(ctx context.Context, id string) (Session, error) {
	var s Session
	var created, seen string
	err := d.Read.QueryRowContext(ctx, `SELECT user_id, data, created_at, last_seen_at FROM sessions WHERE id_hash = ?`, HashSessionID(id)).
		Scan(&s.UserID, &s.Data, &created, &seen)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	s.CreatedAt, _ = ParseTime(created)
	s.LastSeenAt, _ = ParseTime(seen)
	return s, err
}

// TouchSession records activity (at most once a minute, to spare writes).
func (d *DB) TouchSession(ctx context.Context, id string, data string) error {
	return d.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ?, data = ? WHERE id_hash = ?`, FormatTime(tx.Now()), data, HashSessionID(id))
		return err
	})
}

// DeleteSession ends one session.
func (d *DB) DeleteSession(ctx context.Context, id string) error {
	return d.WithTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, HashSessionID(id))
		return err
	})
}

// DeleteUserSessions ends every session of a user ("sign out everywhere").
func DeleteUserSessions(ctx context.Context, tx *Tx, userID int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	return err
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID      int64
	At      time.Time
	UserID  int64
	Role    string
	OrgID   int64
	Action  string
	Target  string
	IP      string
	Outcome string
}

// InsertAudit appends to the audit log inside the change's transaction.
func InsertAudit(ctx context.Context, tx *Tx, e AuditEntry) error {
	nullable := func(v int64) any {
		if v == 0 {
			return nil
		}
		return v
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log (at, user_id, role, org_id, action, target, ip, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		FormatTime(tx.Now()), nullable(e.UserID), e.Role, nullable(e.OrgID), e.Action, e.Target, e.IP, e.Outcome)
	return err
}

// AuditFilter selects audit entries.
type AuditFilter struct {
	OrgID   int64
	UserID  int64
	Action  string
	From    time.Time
	To      time.Time
	AfterID int64
	Limit   int
}

// AuditRow is an audit entry with the names it refers to.
type AuditRow struct {
	AuditEntry
	UserEmail string
	OrgName   string
}

// Audit lists audit entries newest first (keyset by id).
func (d *DB) Audit(ctx context.Context, f AuditFilter) ([]AuditRow, bool, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 50
	}
	q := `SELECT a.id, a.at, COALESCE(a.user_id, 0), a.role, COALESCE(a.org_id, 0), a.action, a.target, a.ip, a.outcome,
		COALESCE(u.email, ''), COALESCE(o.name, '') FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
		LEFT JOIN organisations o ON o.id = a.org_id WHERE 1 = 1`
	var args []any
	if f.OrgID != 0 {
		q += ` AND a.org_id = ?`
		args = append(args, f.OrgID)
	}
	if f.UserID != 0 {
		q += ` AND a.user_id = ?`
		args = append(args, f.UserID)
	}
	if f.Action != "" {
		q += ` AND a.action = ?`
		args = append(args, f.Action)
	}
	if !f.From.IsZero() {
		q += ` AND a.at >= ?`
		args = append(args, FormatTime(f.From))
	}
	if !f.To.IsZero() {
		q += ` AND a.at < ?`
		args = append(args, FormatTime(f.To))
	}
	if f.AfterID > 0 {
		q += ` AND a.id < ?`
		args = append(args, f.AfterID)
	}
	q += ` ORDER BY a.id DESC LIMIT ?`
	args = append(args, f.Limit+1)
	rows, err := d.Read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var out []AuditRow
	for rows.Next() {
		var r AuditRow
		var at string
		if err := rows.Scan(&r.ID, &at, &r.UserID, &r.Role, &r.OrgID, &r.Action, &r.Target, &r.IP, &r.Outcome, &r.UserEmail, &r.OrgName); err != nil {
			return nil, false, err
		}
		r.At, _ = ParseTime(at)
		out = append(out, r)
	}
	more := len(out) > f.Limit
	if more {
		out = out[:f.Limit]
	}
	return out, more, rows.Err()
}

// AuditActions lists the distinct actions recorded (for the filter).
func (d *DB) AuditActions(ctx context.Context) ([]string, error) {
	rows, err := d.Read.QueryContext(ctx, `SELECT DISTINCT action FROM audit_log ORDER BY action`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
