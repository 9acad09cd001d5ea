package charges

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/efiportal/portal/db"
	"github.com/efiportal/portal/services"
	"github.com/efiportal/portal/services/links"
	"github.com/efiportal/portal/web/i18n"
)

// Detail is everything the detail pages show about one charge.
type Detail struct {
	Charge db.Charge
	Items  []db.ChargeItem
	Link   *db.LinkSettings // nil for charges that are not links
	Events []db.ChargeEvent
	// CanCancel says whether the API allows a cancel now; CancelBlocked
	// explains why not.
	CanCancel     bool
	CancelBlocked services.Message
	// CanEditLink says whether the link's settings may still change.
	CanEditLink bool
}

// cancellable are the statuses the API lets a charge be cancelled from.
var cancellable = map[string]bool{"new": true, "waiting": true, "unpaid": true, "link": true}

// Final statuses never change again (a cancelled boleto may still be paid,
// so "canceled" is not final for boletos; the reconciliation keeps checking it).
var final = map[string]bool{"paid": true, "refunded": true, "settled": true, "expired": true}

// Get reads one charge with its items, link settings and timeline.
func (s *Service) Get(ctx context.Context, a services.Actor, id int64) (Detail, error) {
	sc, err := scope(a, 0)
	if err != nil {
		return Detail{}, err
	}
	c, err := s.db.Charge(ctx, sc, id)
	if errors.Is(err, db.ErrNotFound) {
		return Detail{}, services.ErrNotFound
	}
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Charge: c}
	if d.Items, err = s.db.ChargeItems(ctx, id); err != nil {
		return d, err
	}
	if c.Kind == db.KindLink {
		ls, err := s.db.LinkSettings(ctx, id)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return d, err
		}
		if err == nil {
			d.Link = &ls
		}
		d.CanEditLink = c.Status == "link"
	}
	if d.Events, err = s.db.ChargeEvents(ctx, id); err != nil {
		return d, err
	}
	d.CanCancel = cancellable[c.Status]
	if !d.CanCancel {
		d.CancelBlocked = services.M("charges.cancel_blocked", services.M("status."+c.Status))
	}
	return d, nil
}

// Filter is what a list page asks for.
type Filter struct {
	OrgID  int64 // staff only: one organisation
	Kind   string
	Status string
	From   time.Time
	To     time.Time
	Query  string
	After  string // cursor
	Before string // cursor
	Limit  int
}

func (s *Service) dbFilter(a services.Actor, f Filter) (db.ChargeFilter, error) {
	sc, err := scope(a, f.OrgID)
	if err != nil {
		return db.ChargeFilter{}, err
	}
	df := db.ChargeFilter{Scope: sc, Kind: f.Kind, Status: f.Status, From: f.From, To: f.To, Query: f.Query, Limit: f.Limit}
	if f.After != "" {
		c, err := db.DecodeCursor(f.After)
		if err != nil {
			return df, services.Invalid(services.FieldErrors{"after": services.M("form.invalid")})
		}
		df.After = &c
	} else if f.Before != "" {
		c, err := db.DecodeCursor(f.Before)
		if err != nil {
			return df, services.Invalid(services.FieldErrors{"before": services.M("form.invalid")})
		}
		df.Before = &c
	}
	return df, nil
}

// List reads one page of charges, newest first.
func (s *Service) List(ctx context.Context, a services.Actor, f Filter) (db.ChargePage, error) {
	df, err := s.dbFilter(a, f)
	if err != nil {
		return db.ChargePage{}, err
	}
	return s.db.ListCharges(ctx, df)
}

// ExportCSV writes every charge matching f (all pages) as CSV, amounts in
// reais with a decimal point so spreadsheets read them as numbers.
func (s *Service) ExportCSV(ctx context.Context, a services.Actor, f Filter, w io.Writer) error {
	df, err := s.dbFilter(a, f)
	if err != nil {
		return err
	}
	df.After, df.Before = nil, nil
	cw := csv.NewWriter(w)
	header := []string{"id", "efi_charge_id", "kind", "status", "total_brl", "custom_id", "items", "payment_method", "expire_at", "payment_url", "created_at"}
	if a.IsStaff() {
		header = append([]string{"organisation"}, header...)
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	err = s.db.EachCharge(ctx, df, func(c db.Charge) error {
		row := []string{
			strconv.FormatInt(c.ID, 10), strconv.FormatInt(c.EfiChargeID, 10), c.Kind, c.Status,
			fmt.Sprintf("%d.%02d", c.Total/100, c.Total%100), csvSafe(c.CustomID), csvSafe(c.Title), c.PaymentMethod, c.ExpireAt,
			c.PaymentURL, c.CreatedAt.In(i18n.Zone).Format(time.RFC3339),
		}
		if a.IsStaff() {
			row = append([]string{csvSafe(c.OrgName)}, row...)
		}
		return cw.Write(row)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a cell a spreadsheet would read as a formula inert.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Cancel cancels a charge when the API allows it.
func (s *Service) Cancel(ctx context.Context, a services.Actor, id int64) error {
	c, api, err := s.charge(ctx, a, id)
	if err != nil {
		return err
	}
	if !cancellable[c.Status] {
		return &services.Error{Kind: services.ErrConflict, Msg: services.M("charges.cancel_blocked", services.M("status."+c.Status))}
	}
	if err := api.CancelCharge(ctx, c.EfiChargeID); err != nil {
		return s.upstream(ctx, "cancel charge", err, nil)
	}
	return s.db.WithTx(ctx, func(tx *db.Tx) error {
		cur, err := db.ChargeForUpdate(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		u := updateOf(cur)
		u.Status = "canceled"
		if err := db.UpdateChargeFromAPI(ctx, tx, cur, u, "charges.event.canceled_by"); err != nil {
			return err
		}
		return s.cfg.Audit(ctx, tx, a, "charge.cancel", fmt.Sprintf("charge:%d", c.EfiChargeID), "ok")
	})
}

func updateOf(c db.Charge) db.ChargeUpdate {
	return db.ChargeUpdate{Status: c.Status, Total: c.Total, CustomID: c.CustomID, PaymentURL: c.PaymentURL,
		PaymentMethod: c.PaymentMethod, ExpireAt: c.ExpireAt, NotificationURL: c.NotificationURL, StatusReason: c.StatusReason}
}

// MaxNote is the API's limit on a history entry.
const MaxNote = 255

// AddNote adds a line to the charge's history, upstream and in the timeline.
func (s *Service) AddNote(ctx context.Context, a services.Actor, id int64, text string) error {
	text = strings.TrimSpace(text)
	if n := utf8.RuneCountInString(text); n == 0 || n > MaxNote {
		return services.Invalid(services.FieldErrors{"description": services.M("charges.err.note", MaxNote)})
	}
	c, api, err := s.charge(ctx, a, id)
	if err != nil {
		return err
	}
	if err := api.AddHistory(ctx, c.EfiChargeID, text); err != nil {
		return s.upstream(ctx, "add history", err, func(string) string { return "description" })
	}
	return s.db.WithTx(ctx, func(tx *db.Tx) error {
		if err := db.AddChargeEvent(ctx, tx, db.ChargeEvent{ChargeID: c.ID, Kind: "note", Message: text}); err != nil {
			return err
		}
		return s.cfg.Audit(ctx, tx, a, "charge.note", fmt.Sprintf("charge:%d", c.EfiChargeID), "ok")
	})
}

// UpdateMetadata changes a charge's custom_id and notification_url.
func (s *Service) UpdateMetadata(ctx context.Context, a services.Actor, id int64, customID, notificationURL string) error {
	customID, notificationURL = strings.TrimSpace(customID), strings.TrimSpace(notificationURL)
	errs := services.FieldErrors{}
	if utf8.RuneCountInString(customID) > links.MaxCustomID {
		errs.Add("custom_id", services.M("form.too_long", links.MaxCustomID))
	}
	if notificationURL != "" && (len(notificationURL) > 255 || !(strings.HasPrefix(notificationURL, "https://") || strings.HasPrefix(notificationURL, "http://"))) {
		errs.Add("notification_url", services.M("charges.err.url"))
	}
	if len(errs) > 0 {
		return services.Invalid(errs)
	}
	c, api, err := s.charge(ctx, a, id)
	if err != nil {
		return err
	}
	upstreamCustom := customID
	if c.Kind == db.KindLink {
		if ls, err := s.db.LinkSettings(ctx, c.ID); err == nil {
			upstreamCustom = links.Link{CustomID: customID, IdempotencyKey: ls.IdempotencyKey}.UpstreamCustomID()
		}
	}
	if err := api.UpdateMetadata(ctx, c.EfiChargeID, upstreamCustom, notificationURL); err != nil {
		return s.upstream(ctx, "update metadata", err, func(f string) string {
			if strings.Contains(f, "notification_url") {
				return "notification_url"
			}
			return "custom_id"
		})
	}
	return s.db.WithTx(ctx, func(tx *db.Tx) error {
		cur, err := db.ChargeForUpdate(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		u := updateOf(cur)
		u.CustomID, u.NotificationURL = customID, notificationURL
		if err := db.UpdateChargeFromAPI(ctx, tx, cur, u, ""); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE charges SET title = title WHERE id = ?`, c.ID); err != nil {
			return err
		}
		if err := db.AddChargeEvent(ctx, tx, db.ChargeEvent{ChargeID: c.ID, Kind: "action", Message: "charges.event.metadata"}); err != nil {
			return err
		}
		return s.cfg.Audit(ctx, tx, a, "charge.metadata", fmt.Sprintf("charge:%d", c.EfiChargeID), "ok")
	})
}

// UpdateLink changes a link's settings while it has not been paid.
func (s *Service) UpdateLink(ctx context.Context, a services.Actor, id int64, l links.Link) error {
	c, api, err := s.charge(ctx, a, id)
	if err != nil {
		return err
	}
	if c.Kind != db.KindLink {
		return services.ErrNotFound
	}
	if c.Status != "link" {
		return &services.Error{Kind: services.ErrConflict, Msg: services.M("links.err.not_editable", services.M("status."+c.Status))}
	}
	info, err := api.UpdateLink(ctx, c.EfiChargeID, linkSettings(l))
	if err != nil {
		return s.upstream(ctx, "update link", err, linkFieldMap)
	}
	return s.db.WithTx(ctx, func(tx *db.Tx) error {
		cur, err := db.ChargeForUpdate(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		u := updateOf(cur)
		u.PaymentMethod = orDefault(info.PaymentMethod, l.PaymentMethod)
		u.ExpireAt = orDefault(info.ExpireAt, l.ExpireAt)
		u.PaymentURL = orDefault(info.PaymentURL, cur.PaymentURL)
		if err := db.UpdateChargeFromAPI(ctx, tx, cur, u, ""); err != nil {
			return err
		}
		ls := dbLinkSettings(l)
		if err := db.UpdateLinkSettings(ctx, tx, c.ID, ls); err != nil {
			return err
		}
		if err := db.AddChargeEvent(ctx, tx, db.ChargeEvent{ChargeID: c.ID, Kind: "action", Message: "links.event.settings"}); err != nil {
			return err
		}
		return s.cfg.Audit(ctx, tx, a, "link.update", fmt.Sprintf("charge:%d", c.EfiChargeID), "ok")
	})
}

// ResendLink e-mails the link to the payer again.
func (s *Service) ResendLink(ctx context.Context, a services.Actor, id int64, email string) error {
	email = strings.TrimSpace(email)
	if _, errs := links.Validate(i18n.PtBR, links.Form{CustomerEmail: email}, s.cfg.Now()); errs["customer_email"].Key != "" || email == "" {
		return services.Invalid(services.FieldErrors{"email": services.M("form.email")})
	}
	c, api, err := s.charge(ctx, a, id)
	if err != nil {
		return err
	}
	if c.Kind != db.KindLink {
		return services.ErrNotFound
	}
	if err := api.ResendLink(ctx, c.EfiChargeID, email); err != nil {
		return s.upstream(ctx, "resend link", err, func(string) string { return "email" })
	}
	return s.db.WithTx(ctx, func(tx *db.Tx) error {
		if err := db.AddChargeEvent(ctx, tx, db.ChargeEvent{ChargeID: c.ID, Kind: "action", Message: "links.event.resent"}); err != nil {
			return err
		}
		return s.cfg.Audit(ctx, tx, a, "link.resend", fmt.Sprintf("charge:%d", c.EfiChargeID), "ok")
	})
}

// Brands are the card brands whose installments the charges area shows.
var Brands = []string{"visa", "mastercard", "amex", "diners", "elo", "hipercard"}

// InstallmentsFor asks the API for the installments table of every brand
// for a total. A brand the API refuses is left out with its error.
func (s *Service) InstallmentsFor(ctx context.Context, a services.Actor, orgID int64, total int64) ([]Installments, error) {
	if a.Role == services.RoleMerchant {
		orgID = a.OrgID
	} else if !a.IsStaff() {
		return nil, services.ErrForbidden
	}
	if total < MinInstallmentTotal {
		return nil, services.Invalid(services.FieldErrors{"total": services.M("charges.err.installments_total", i18n.FormatMoney(i18n.PtBR, MinInstallmentTotal))})
	}
	if orgID == 0 {
		return nil, services.Invalid(services.FieldErrors{"org": services.M("form.required")})
	}
	api, err := s.clients.For(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var out []Installments
	for _, b := range Brands {
		in, err := api.Installments(ctx, total, b)
		if err != nil {
			return nil, s.upstream(ctx, "installments", err, func(string) string { return "total" })
		}
		in.Brand = b
		out = append(out, in)
	}
	return out, nil
}

// MinInstallmentTotal is the smallest total the installments table accepts.
const MinInstallmentTotal = 500

// Refresh re-reads a charge from the API and stores what changed (the
// reconciliation job and the detail page's "update" use it).
func (s *Service) Refresh(ctx context.Context, c db.Charge, api API) error {
	info, err := api.DetailCharge(ctx, c.EfiChargeID)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *db.Tx) error {
		cur, err := db.ChargeForUpdate(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		if err := db.SyncAPIHistory(ctx, tx, c.ID, apiHistory(info)); err != nil {
			return err
		}
		u := updateOf(cur)
		u.Status = orDefault(info.Status, cur.Status)
		u.Total = orDefault(info.Total, cur.Total)
		u.PaymentURL = orDefault(info.PaymentURL, cur.PaymentURL)
		u.ExpireAt = orDefault(info.ExpireAt, cur.ExpireAt)
		u.StatusReason = orDefault(info.Reason, cur.StatusReason)
		if u == updateOf(cur) {
			return db.MarkChargeSynced(ctx, tx, c.ID)
		}
		return db.UpdateChargeFromAPI(ctx, tx, cur, u, "charges.event.reconciled")
	})
}

// IsFinal reports whether a status never changes again (the detail pages
// stop polling for it).
func IsFinal(status string) bool { return final[status] }

// Organisations lists every organisation for staff filters; others get none.
func (s *Service) Organisations(ctx context.Context, a services.Actor) ([]db.Organisation, error) {
	if !a.IsStaff() {
		return nil, nil
	}
	return s.db.Organisations(ctx)
}

func apiHistory(info ChargeInfo) []db.APIHistoryLine {
	out := make([]db.APIHistoryLine, 0, len(info.History))
	for _, h := range info.History {
		out = append(out, db.APIHistoryLine{At: h.CreatedAt, Message: h.Message})
	}
	return out
}

// SyncHistory re-reads a charge from the API and stores its history lines
// in the timeline (after a notification, so the timeline shows what the
// API recorded too).
func (s *Service) SyncHistory(ctx context.Context, c db.Charge) error {
	api, err := s.clients.For(ctx, c.OrgID)
	if err != nil {
		return err
	}
	info, err := api.DetailCharge(ctx, c.EfiChargeID)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *db.Tx) error { return db.SyncAPIHistory(ctx, tx, c.ID, apiHistory(info)) })
}
