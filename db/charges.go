package db

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Charge kinds.
const (
	KindLink         = "link"
	KindBillet       = "billet"
	KindCard         = "card"
	KindCarnetParcel = "carnet_parcel"
	KindSubscription = "subscription"
)

// Charge is the portal's copy of one Efí charge.
type Charge struct {
	ID                int64
	OrgID             int64
	OrgName           string // filled by the list and detail queries
	EfiChargeID       int64
	Kind              string
	Status            string
	Total             int64 // centavos
	CustomID          string
	Title             string // the first item's name, or a summary
	PaymentURL        string
	PaymentMethod     string // banking_billet, credit_card or all
	ExpireAt          string // YYYY-MM-DD as the API sends it
	NotificationURL   string
	NotificationToken string
	LastChangeID      int64 // the newest notification change applied
	StatusReason      string
	PaidValue         int64
	PaidAt            string
	CreatedAt         time.Time
	UpdatedAt         time.Time
	SyncedAt          time.Time
}

// ChargeItem is one line of a charge.
type ChargeItem struct {
	Name   string
	Value  int64 // centavos per unit
	Amount int64
}

// LinkSettings are a payment link's own settings.
type LinkSettings struct {
	IdempotencyKey         string
	Message                string
	BilletDiscount         int64
	CardDiscount           int64
	ConditionalType        string // "", "percentage" or "currency"
	ConditionalValue       int64
	ConditionalUntil       string // YYYY-MM-DD
	RequestDeliveryAddress bool
	CustomerEmail          string
}

// ChargeEvent is one entry of a charge's timeline.
type ChargeEvent struct {
	ID          int64
	ChargeID    int64
	At          time.Time
	Kind        string // created, status, note, action
	StatusFrom  string
	StatusTo    string
	Message     string
	EfiChangeID int64 // 0 when not from a notification
}

const chargeColumns = `c.id, c.org_id, COALESCE(o.name, ''), c.efi_charge_id, c.kind, c.status, c.total, c.custom_id, c.title,
	c.payment_url, c.payment_method, c.expire_at, c.notification_url, c.notification_token, c.last_change_id,
	c.status_reason, c.paid_value, c.paid_at, c.created_at, c.updated_at, c.synced_at`

type scanner interface{ Scan(dest ...any) error }

func scanCharge(s scanner) (Charge, error) {
	var c Charge
	var created, updated, synced string
	err := s.Scan(&c.ID, &c.OrgID, &c.OrgName, &c.EfiChargeID, &c.Kind, &c.Status, &c.Total, &c.CustomID, &c.Title,
		&c.PaymentURL, &c.PaymentMethod, &c.ExpireAt, &c.NotificationURL, &c.NotificationToken, &c.LastChangeID,
		&c.StatusReason, &c.PaidValue, &c.PaidAt, &created, &updated, &synced)
	if err != nil {
		return c, err
	}
	c.CreatedAt, _ = ParseTime(created)
	c.UpdatedAt, _ = ParseTime(updated)
	c.SyncedAt, _ = ParseTime(synced)
	return c, nil
}

// InsertCharge stores a new charge with its items and a "created" timeline
// entry, and returns its local id.
func InsertCharge(ctx context.Context, tx *Tx, c *Charge, items []ChargeItem) error {
	now := FormatTime(tx.Now())
	created := now
	if !c.CreatedAt.IsZero() {
		created = FormatTime(c.CreatedAt)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO charges (org_id, efi_charge_id, kind, status, total, custom_id, title,
		payment_url, payment_method, expire_at, notification_url, notification_token, last_change_id, status_reason,
		paid_value, paid_at, created_at, updated_at, synced_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.OrgID, c.EfiChargeID, c.Kind, c.Status, c.Total, c.CustomID, c.Title,
		c.PaymentURL, c.PaymentMethod, c.ExpireAt, c.NotificationURL, c.NotificationToken, c.LastChangeID, c.StatusReason,
		c.PaidValue, c.PaidAt, created, now, now)
	if err != nil {
		return fmt.Errorf("insert charge: %w", err)
	}
	c.ID, _ = res.LastInsertId()
	for i, it := range items {
		if _, err := tx.ExecContext(ctx, `INSERT INTO charge_items (charge_id, position, name, value, amount) VALUES (?, ?, ?, ?, ?)`,
			c.ID, i, it.Name, it.Value, it.Amount); err != nil {
			return fmt.Errorf("insert charge item: %w", err)
		}
	}
	return AddChargeEvent(ctx, tx, ChargeEvent{ChargeID: c.ID, Kind: "created", StatusTo: c.Status})
}

// InsertLinkSettings stores a link's settings; a repeated idempotency key
// for the organisation is refused with ErrConflict.
func InsertLinkSettings(ctx context.Context, tx *Tx, chargeID, orgID int64, s LinkSettings) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO links (charge_id, org_id, idempotency_key, message, billet_discount, card_discount,
		conditional_type, conditional_value, conditional_until, request_delivery_address, customer_email)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		chargeID, orgID, s.IdempotencyKey, s.Message, s.BilletDiscount, s.CardDiscount,
		s.ConditionalType, s.ConditionalValue, s.ConditionalUntil, s.RequestDeliveryAddress, s.CustomerEmail)
	if err != nil {
		return fmt.Errorf("insert link settings: %w", err)
	}
	return nil
}

// UpdateLinkSettings replaces a link's settings (the idempotency key stays).
func UpdateLinkSettings(ctx context.Context, tx *Tx, chargeID int64, s LinkSettings) error {
	_, err := tx.ExecContext(ctx, `UPDATE links SET message = ?, billet_discount = ?, card_discount = ?, conditional_type = ?,
		conditional_value = ?, conditional_until = ?, request_delivery_address = ?, customer_email = ? WHERE charge_id = ?`,
		s.Message, s.BilletDiscount, s.CardDiscount, s.ConditionalType, s.ConditionalValue, s.ConditionalUntil,
		s.RequestDeliveryAddress, s.CustomerEmail, chargeID)
	return err
}

// LinkIDByIdempotencyKey finds the charge a form's idempotency key already created.
func (d *DB) LinkIDByIdempotencyKey(ctx context.Context, orgID int64, key string) (int64, error) {
	var id int64
	err := d.Read.QueryRowContext(ctx, `SELECT charge_id FROM links WHERE org_id = ? AND idempotency_key = ?`, orgID, key).Scan(&id)
	return id, MapError(err)
}

// Scope limits a query to one organisation; OrgID 0 means every
// organisation (staff only: the services decide who may ask for it).
type Scope struct {
	OrgID int64
}

// Charge reads one charge by local id within the scope; another
// organisation's charge is ErrNotFound.
func (d *DB) Charge(ctx context.Context, s Scope, id int64) (Charge, error) {
	q := `SELECT ` + chargeColumns + ` FROM charges c LEFT JOIN organisations o ON o.id = c.org_id WHERE c.id = ?`
	args := []any{id}
	if s.OrgID != 0 {
		q += ` AND c.org_id = ?`
		args = append(args, s.OrgID)
	}
	c, err := scanCharge(d.Read.QueryRowContext(ctx, q, args...))
	return c, MapError(err)
}

// ChargeForUpdate reads one charge inside a write transaction.
func ChargeForUpdate(ctx context.Context, tx *Tx, id int64) (Charge, error) {
	c, err := scanCharge(tx.QueryRowContext(ctx, `SELECT `+chargeColumns+` FROM charges c LEFT JOIN organisations o ON o.id = c.org_id WHERE c.id = ?`, id))
	return c, MapError(err)
}

// ChargeByEfiID finds an organisation's charge by Efí's charge_id.
func ChargeByEfiID(ctx context.Context, tx *Tx, orgID, efiID int64) (Charge, error) {
	c, err := scanCharge(tx.QueryRowContext(ctx, `SELECT `+chargeColumns+` FROM charges c LEFT JOIN organisations o ON o.id = c.org_id
		WHERE c.org_id = ? AND c.efi_charge_id = ?`, orgID, efiID))
	return c, MapError(err)
}

// ChargeItems lists a charge's items in order.
func (d *DB) ChargeItems(ctx context.Context, chargeID int64) ([]ChargeItem, error) {
	rows, err := d.Read.QueryContext(ctx, `SELECT name, value, amount FROM charge_items WHERE charge_id = ? ORDER BY position`, chargeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var items []ChargeItem
	for rows.Next() {
		var it ChargeItem
		if err := rows.Scan(&it.Name, &it.Value, &it.Amount); err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, rows.Err()
}

// LinkSettings reads a link's settings.
func (d *DB) LinkSettings(ctx context.Context, chargeID int64) (LinkSettings, error) {
	var s LinkSettings
	err := d.Read.QueryRowContext(ctx, `SELECT idempotency_key, message, billet_discount, card_discount, conditional_type,
		conditional_value, conditional_until, request_delivery_address, customer_email FROM links WHERE charge_id = ?`, chargeID).
		Scan(&s.IdempotencyKey, &s.Message, &s.BilletDiscount, &s.CardDiscount, &s.ConditionalType, &s.ConditionalValue,
			&s.ConditionalUntil, &s.RequestDeliveryAddress, &s.CustomerEmail)
	return s, MapError(err)
}

// ChargeUpdate holds the fields a sync from the API may change.
type ChargeUpdate struct {
	Status          string
	Total           int64
	CustomID        string
	PaymentURL      string
	PaymentMethod   string
	ExpireAt        string
	NotificationURL string
	StatusReason    string
}

// UpdateChargeFromAPI stores what the API said about a charge and records a
// status change in the timeline when the status moved.
func UpdateChargeFromAPI(ctx context.Context, tx *Tx, c Charge, u ChargeUpdate, note string) error {
	_, err := tx.ExecContext(ctx, `UPDATE charges SET status = ?, total = ?, custom_id = ?, payment_url = ?, payment_method = ?,
		expire_at = ?, notification_url = ?, status_reason = ?, updated_at = ?, synced_at = ? WHERE id = ?`,
		u.Status, u.Total, u.CustomID, u.PaymentURL, u.PaymentMethod, u.ExpireAt, u.NotificationURL, u.StatusReason,
		FormatTime(tx.Now()), FormatTime(tx.Now()), c.ID)
	if err != nil {
		return fmt.Errorf("update charge: %w", err)
	}
	if u.Status != c.Status {
		return AddChargeEvent(ctx, tx, ChargeEvent{ChargeID: c.ID, Kind: "status", StatusFrom: c.Status, StatusTo: u.Status, Message: note})
	}
	return nil
}

// MarkChargeSynced records that the charge was just compared with the API.
func MarkChargeSynced(ctx context.Context, tx *Tx, id int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE charges SET synced_at = ? WHERE id = ?`, FormatTime(tx.Now()), id)
	return err
}

// NotificationChange is one change of a notification token, as applied to a charge.
type NotificationChange struct {
	ChangeID   int64
	Status     string
	Previous   string
	Token      string
	PaidValue  int64
	ReceivedAt string // received_by_bank_at
	Reason     string
	At         time.Time
}

// ApplyNotificationChange applies one change to a charge, once: a change
// whose id is not newer than the last one applied is ignored, so a repeated
// or late notification never moves the status backwards. It reports whether
// the change was applied.
func ApplyNotificationChange(ctx context.Context, tx *Tx, c Charge, ch NotificationChange) (bool, error) {
	if ch.ChangeID <= c.LastChangeID && c.NotificationToken == ch.Token {
		return false, nil
	}
	paidValue, paidAt := c.PaidValue, c.PaidAt
	if ch.PaidValue > 0 {
		paidValue, paidAt = ch.PaidValue, ch.ReceivedAt
	}
	res, err := tx.ExecContext(ctx, `UPDATE charges SET status = ?, notification_token = ?, last_change_id = ?, status_reason = ?,
		paid_value = ?, paid_at = ?, updated_at = ? WHERE id = ? AND (last_change_id < ? OR notification_token <> ?)`,
		ch.Status, ch.Token, ch.ChangeID, ch.Reason, paidValue, paidAt, FormatTime(tx.Now()), c.ID, ch.ChangeID, ch.Token)
	if err != nil {
		return false, fmt.Errorf("apply change: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	at := ch.At
	if at.IsZero() {
		at = tx.Now()
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO charge_events (charge_id, at, kind, status_from, status_to, message, efi_change_id)
		VALUES (?, ?, 'status', ?, ?, ?, ?) ON CONFLICT (charge_id, efi_change_id) DO NOTHING`,
		c.ID, FormatTime(at), ch.Previous, ch.Status, ch.Reason, ch.ChangeID)
	if err != nil {
		return false, fmt.Errorf("record change: %w", err)
	}
	return true, nil
}

// AddChargeEvent appends to a charge's timeline.
func AddChargeEvent(ctx context.Context, tx *Tx, e ChargeEvent) error {
	at := e.At
	if at.IsZero() {
		at = tx.Now()
	}
	var change any
	if e.EfiChangeID != 0 {
		change = e.EfiChangeID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO charge_events (charge_id, at, kind, status_from, status_to, message, efi_change_id)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, e.ChargeID, FormatTime(at), e.Kind, e.StatusFrom, e.StatusTo, e.Message, change)
	if err != nil {
		return fmt.Errorf("add charge event: %w", err)
	}
	return nil
}

// ChargeEvents lists a charge's timeline, oldest first.
func (d *DB) ChargeEvents(ctx context.Context, chargeID int64) ([]ChargeEvent, error) {
	rows, err := d.Read.QueryContext(ctx, `SELECT id, charge_id, at, kind, status_from, status_to, message, COALESCE(efi_change_id, 0)
		FROM charge_events WHERE charge_id = ? ORDER BY at, id`, chargeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ChargeEvent
	for rows.Next() {
		var e ChargeEvent
		var at string
		if err := rows.Scan(&e.ID, &e.ChargeID, &at, &e.Kind, &e.StatusFrom, &e.StatusTo, &e.Message, &e.EfiChangeID); err != nil {
			return nil, err
		}
		e.At, _ = ParseTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Cursor marks a position in a newest-first list: the (created_at, id) of
// the row it stands after or before.
type Cursor struct {
	CreatedAt string
	ID        int64
}

// Encode makes the cursor an opaque URL-safe string.
func (c Cursor) Encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.CreatedAt + "|" + strconv.FormatInt(c.ID, 10)))
}

// DecodeCursor reads a cursor made by Encode.
func DecodeCursor(s string) (Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, errors.New("bad cursor")
	}
	at, id, ok := strings.Cut(string(b), "|")
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil {
		return Cursor{}, errors.New("bad cursor")
	}
	if _, err := ParseTime(at); err != nil {
		return Cursor{}, errors.New("bad cursor")
	}
	return Cursor{CreatedAt: at, ID: n}, nil
}

// ChargeFilter selects charges for a list.
type ChargeFilter struct {
	Scope  Scope
	Kind   string    // "" for every kind
	Status string    // "" for every status
	From   time.Time // created at or after (zero: no bound)
	To     time.Time // created before (zero: no bound)
	Query  string    // words matched against custom_id and item names
	After  *Cursor   // the page after this row
	Before *Cursor   // the page before this row
	Limit  int
}

// ChargePage is one page of a list with the cursors around it.
type ChargePage struct {
	Charges []Charge
	Next    *Cursor // nil on the last page
	Prev    *Cursor // nil on the first page
}

// ftsQuery turns what a person typed into an FTS5 query of quoted prefix
// terms, so no character they type is FTS syntax.
func ftsQuery(q string) string {
	var terms []string
	for _, w := range strings.FieldsFunc(q, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == '@' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127)
	}) {
		terms = append(terms, `"`+strings.ReplaceAll(w, `"`, `""`)+`"*`)
	}
	return strings.Join(terms, " ")
}

// ListCharges reads one page, newest first, with keyset pagination: the
// query seeks straight to the cursor through an index, so page 10,000
// costs what page 1 costs. A search walks the full-text index newest
// match first (by id, which follows creation) and stops at the page's
// end, so a word found in a hundred thousand rows costs what a rare one does.
func (d *DB) ListCharges(ctx context.Context, f ChargeFilter) (ChargePage, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 25
	}
	q := ftsQuery(f.Query)
	where, args := chargeWhere(f)
	from := `charges c LEFT JOIN organisations o ON o.id = c.org_id`
	order := "c.created_at DESC, c.id DESC"
	if q != "" {
		// The full-text index is the outer loop, walked in rowid order, so
		// the query stops as soon as a page of matches is found.
		from = `charges_fts m CROSS JOIN charges c ON c.id = m.rowid LEFT JOIN organisations o ON o.id = c.org_id`
		where = append([]string{"charges_fts MATCH ?"}, where...)
		args = append([]any{q}, args...)
		order = "m.rowid DESC"
	}
	switch {
	case f.After != nil && q != "":
		where = append(where, "m.rowid < ?")
		args = append(args, f.After.ID)
	case f.Before != nil && q != "":
		where = append(where, "m.rowid > ?")
		args = append(args, f.Before.ID)
		order = "m.rowid ASC"
	case f.After != nil:
		where = append(where, "(c.created_at, c.id) < (?, ?)")
		args = append(args, f.After.CreatedAt, f.After.ID)
	case f.Before != nil:
		where = append(where, "(c.created_at, c.id) > (?, ?)")
		args = append(args, f.Before.CreatedAt, f.Before.ID)
		order = "c.created_at ASC, c.id ASC"
	}
	query := `SELECT ` + chargeColumns + ` FROM ` + from
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	query += ` ORDER BY ` + order + ` LIMIT ?`
	args = append(args, f.Limit+1)
	rows, err := d.Read.QueryContext(ctx, query, args...)
	if err != nil {
		return ChargePage{}, fmt.Errorf("list charges: %w", err)
	}
	defer rows.Close()
	var list []Charge
	for rows.Next() {
		c, err := scanCharge(rows)
		if err != nil {
			return ChargePage{}, err
		}
		list = append(list, c)
	}
	if err := rows.Err(); err != nil {
		return ChargePage{}, err
	}
	more := len(list) > f.Limit
	if more {
		list = list[:f.Limit]
	}
	if f.Before != nil {
		for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
			list[i], list[j] = list[j], list[i]
		}
	}
	p := ChargePage{Charges: list}
	if len(list) == 0 {
		return p, nil
	}
	first, last := list[0], list[len(list)-1]
	if (f.Before == nil && more) || f.Before != nil {
		p.Next = &Cursor{CreatedAt: FormatTime(last.CreatedAt), ID: last.ID}
	}
	if f.After != nil || (f.Before != nil && more) {
		p.Prev = &Cursor{CreatedAt: FormatTime(first.CreatedAt), ID: first.ID}
	}
	return p, nil
}

// EachCharge streams every charge matching f (newest first) to fn, page by
// page, for CSV export: memory stays flat whatever the count.
func (d *DB) EachCharge(ctx context.Context, f ChargeFilter, fn func(Charge) error) error {
	f.Limit = 200
	f.Before = nil
	for {
		p, err := d.ListCharges(ctx, f)
		if err != nil {
			return err
		}
		for _, c := range p.Charges {
			if err := fn(c); err != nil {
				return err
			}
		}
		if p.Next == nil {
			return nil
		}
		f.After = p.Next
	}
}

func chargeWhere(f ChargeFilter) ([]string, []any) {
	var where []string
	var args []any
	if f.Scope.OrgID != 0 {
		where = append(where, "c.org_id = ?")
		args = append(args, f.Scope.OrgID)
	}
	if f.Kind != "" {
		where = append(where, "c.kind = ?")
		args = append(args, f.Kind)
	}
	if f.Status != "" {
		where = append(where, "c.status = ?")
		args = append(args, f.Status)
	}
	if !f.From.IsZero() {
		where = append(where, "c.created_at >= ?")
		args = append(args, FormatTime(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "c.created_at < ?")
		args = append(args, FormatTime(f.To))
	}
	return where, args
}

// OpenCharges lists charges that may still change status and were not
// compared with the API since before, oldest sync first (the
// reconciliation job's work list).
func (d *DB) OpenCharges(ctx context.Context, before time.Time, limit int) ([]Charge, error) {
	rows, err := d.Read.QueryContext(ctx, `SELECT `+chargeColumns+` FROM charges c LEFT JOIN organisations o ON o.id = c.org_id
		WHERE c.status IN ('new', 'waiting', 'link', 'unpaid', 'identified', 'approved', 'contested') AND c.synced_at < ?
		ORDER BY c.synced_at LIMIT ?`, FormatTime(before), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Charge
	for rows.Next() {
		c, err := scanCharge(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// APIHistoryLine is one line of the API's history of a charge.
type APIHistoryLine struct {
	At      time.Time
	Message string
}

// SyncAPIHistory stores the API's history lines of a charge in its
// timeline, each once.
func SyncAPIHistory(ctx context.Context, tx *Tx, chargeID int64, lines []APIHistoryLine) error {
	for _, l := range lines {
		if l.Message == "" || l.At.IsZero() {
			continue
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO charge_events (charge_id, at, kind, message) VALUES (?, ?, 'api', ?)
			ON CONFLICT (charge_id, at, message) WHERE kind = 'api' DO NOTHING`, chargeID, FormatTime(l.At), l.Message)
		if err != nil {
			return fmt.Errorf("sync api history: %w", err)
		}
	}
	return nil
}
