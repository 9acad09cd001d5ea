package charges

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/efiportal/portal/db"
	"github.com/efiportal/portal/services"
	"github.com/efiportal/portal/services/links"
)

// AuditFunc records a state-changing action in the audit log, inside the
// transaction that makes the change.
type AuditFunc func(ctx context.Context, tx *db.Tx, a services.Actor, action, target, outcome string) error

// Config holds the service's settings.
type Config struct {
	// BaseURL is where Efí's callbacks reach the portal.
	BaseURL string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives the API's own error codes.
	Logger *slog.Logger
	// Audit records actions; nil records nothing (tests of other rules).
	Audit AuditFunc
	// AdoptWait is how long a repeated submit waits for the first one to finish.
	AdoptWait time.Duration
}

// Service is the charges and links service.
type Service struct {
	db      *db.DB
	clients Clients
	cfg     Config

	once   sync.Once
	wakeCh chan struct{}
}

// New returns the service.
func New(d *db.DB, clients Clients, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Audit == nil {
		cfg.Audit = func(context.Context, *db.Tx, services.Actor, string, string, string) error { return nil }
	}
	if cfg.AdoptWait == 0 {
		cfg.AdoptWait = 5 * time.Second
	}
	return &Service{db: d, clients: clients, cfg: cfg}
}

// scope is the data an actor may read: their organisation, or everything
// for staff (optionally narrowed to one organisation).
func scope(a services.Actor, orgFilter int64) (db.Scope, error) {
	switch a.Role {
	case services.RoleStaff:
		return db.Scope{OrgID: orgFilter}, nil
	case services.RoleMerchant:
		if a.OrgID == 0 {
			return db.Scope{}, services.ErrForbidden
		}
		return db.Scope{OrgID: a.OrgID}, nil
	}
	return db.Scope{}, services.ErrForbidden
}

// merchantOrg is the organisation an actor acts for when changing a charge.
func (s *Service) charge(ctx context.Context, a services.Actor, id int64) (db.Charge, API, error) {
	sc, err := scope(a, 0)
	if err != nil {
		return db.Charge{}, nil, err
	}
	c, err := s.db.Charge(ctx, sc, id)
	if errors.Is(err, db.ErrNotFound) {
		return c, nil, services.ErrNotFound
	}
	if err != nil {
		return c, nil, err
	}
	api, err := s.clients.For(ctx, c.OrgID)
	if err != nil {
		return c, nil, fmt.Errorf("api client for org %d: %w", c.OrgID, err)
	}
	return c, api, nil
}

// CallbackURL is the organisation's notification_url: the public hook route
// with its unguessable secret.
func (s *Service) CallbackURL(ctx context.Context, orgID int64) (string, error) {
	secret, err := s.db.CallbackSecret(ctx, orgID)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(s.cfg.BaseURL, "/") + "/hooks/efi/" + secret, nil
}

// upstream turns an API failure into a domain error: the API's sentence
// for the person (on its form field when it names one), its code in the log.
func (s *Service) upstream(ctx context.Context, op string, err error, fieldMap func(string) string) error {
	s.cfg.Logger.WarnContext(ctx, "efí api call failed", "op", op, "err", err)
	var ue UserError
	if errors.As(err, &ue) {
		e := &services.Error{Kind: services.ErrUpstream, Msg: services.M("api.error", apiMessage{ue}), Cause: err}
		if fieldMap != nil {
			if f := fieldMap(ue.Field()); f != "" {
				e.Fields = services.FieldErrors{f: e.Msg}
			}
		}
		return e
	}
	return &services.Error{Kind: services.ErrUpstream, Msg: services.M("api.unreachable"), Cause: err}
}

// apiMessage renders an API error in the reader's language when the
// handler formats the message (fmt.Stringer per locale via LocalizedString).
type apiMessage struct{ ue UserError }

// Localized gives the API error's sentence in the locale.
func (m apiMessage) Localized(lang string) string { return m.ue.Message(lang) }

func (m apiMessage) String() string { return m.ue.Message("pt-BR") }

// linkFieldMap maps the API's field paths to the link form's inputs.
func linkFieldMap(apiField string) string {
	f := strings.TrimPrefix(apiField, "settings.")
	f = strings.TrimPrefix(f, "metadata.")
	f = strings.TrimPrefix(f, "customer.")
	if strings.HasPrefix(f, "items[") {
		// items[0].value -> items.0.value
		f = strings.NewReplacer("[", ".", "]", "").Replace(f)
		return f
	}
	switch f {
	case "email":
		return "customer_email"
	case "expire_at", "message", "payment_method", "billet_discount", "card_discount", "custom_id", "request_delivery_address":
		return f
	case "conditional_discount", "conditional_discount.value":
		return "conditional_value"
	case "conditional_discount.until_date":
		return "conditional_until"
	case "conditional_discount.type":
		return "conditional_type"
	}
	return ""
}

func linkRequest(l links.Link, notificationURL string) LinkRequest {
	r := LinkRequest{
		CustomID:        l.UpstreamCustomID(),
		NotificationURL: notificationURL,
		CustomerEmail:   l.CustomerEmail,
		Settings:        linkSettings(l),
	}
	for _, it := range l.Items {
		r.Items = append(r.Items, LinkItem{Name: it.Name, Value: it.Value, Amount: it.Amount})
	}
	return r
}

func linkSettings(l links.Link) LinkSettings {
	return LinkSettings{
		PaymentMethod:          l.PaymentMethod,
		BilletDiscount:         l.BilletDiscount,
		CardDiscount:           l.CardDiscount,
		ConditionalType:        l.ConditionalType,
		ConditionalValue:       l.ConditionalValue,
		ConditionalUntil:       l.ConditionalUntil,
		Message:                l.Message,
		ExpireAt:               l.ExpireAt,
		RequestDeliveryAddress: l.RequestDeliveryAddress,
	}
}

func dbLinkSettings(l links.Link) db.LinkSettings {
	return db.LinkSettings{
		IdempotencyKey:         l.IdempotencyKey,
		Message:                l.Message,
		BilletDiscount:         l.BilletDiscount,
		CardDiscount:           l.CardDiscount,
		ConditionalType:        l.ConditionalType,
		ConditionalValue:       l.ConditionalValue,
		ConditionalUntil:       l.ConditionalUntil,
		RequestDeliveryAddress: l.RequestDeliveryAddress,
		CustomerEmail:          l.CustomerEmail,
	}
}

// CreateLink creates a payment link once per form: the form's idempotency
// key is reserved before the API is called, so a double click or a retry
// returns the first link; a link created upstream whose local save failed
// is found by its custom_id and adopted.
func (s *Service) CreateLink(ctx context.Context, a services.Actor, l links.Link) (int64, error) {
	if a.Role != services.RoleMerchant || a.OrgID == 0 {
		return 0, services.ErrForbidden
	}
	org := a.OrgID
	reserved, existing, since, err := s.db.ReserveIdempotencyKey(ctx, org, l.IdempotencyKey)
	if err != nil {
		return 0, err
	}
	api, err := s.clients.For(ctx, org)
	if err != nil {
		return 0, fmt.Errorf("api client: %w", err)
	}
	if !reserved {
		if existing != 0 {
			return existing, nil
		}
		// Another request with this key is in flight, or died after calling the API.
		deadline := s.cfg.Now().Add(s.cfg.AdoptWait)
		for s.cfg.Now().Before(deadline) {
			select {
			case <-ctx.Done():
				return 0, ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
			if id, err := s.db.LinkIDByIdempotencyKey(ctx, org, l.IdempotencyKey); err == nil {
				return id, nil
			}
		}
		return s.adopt(ctx, a, api, l, since)
	}

	notifyURL, err := s.CallbackURL(ctx, org)
	if err != nil {
		return 0, err
	}
	info, err := api.CreateOneStepLink(ctx, linkRequest(l, notifyURL))
	if err != nil {
		var ue UserError
		if errors.As(err, &ue) {
			// The API refused the request: nothing exists upstream, the
			// corrected form may be sent again with the same key.
			s.db.ReleaseIdempotencyKey(ctx, org, l.IdempotencyKey)
			return 0, s.upstream(ctx, "create link", err, linkFieldMap)
		}
		// Timeout or network failure: the link may exist upstream. Look it
		// up by custom_id rather than posting again.
		id, aerr := s.adopt(ctx, a, api, l, since)
		if aerr == nil {
			return id, nil
		}
		if errors.Is(aerr, services.ErrNotFound) {
			s.db.ReleaseIdempotencyKey(ctx, org, l.IdempotencyKey)
		}
		return 0, s.upstream(ctx, "create link", err, nil)
	}
	if info.NotificationURL == "" {
		info.NotificationURL = notifyURL
	}
	return s.saveLink(ctx, a, l, info)
}

// adopt finds a link created upstream with the form's key and saves it locally.
func (s *Service) adopt(ctx context.Context, a services.Actor, api API, l links.Link, since time.Time) (int64, error) {
	info, found, err := api.FindByCustomID(ctx, l.UpstreamCustomID(), since.Add(-time.Minute))
	if err != nil {
		return 0, s.upstream(ctx, "find link by custom_id", err, nil)
	}
	if !found {
		return 0, &services.Error{Kind: services.ErrNotFound, Msg: services.M("links.err.retry")}
	}
	full, err := api.DetailCharge(ctx, info.ChargeID)
	if err == nil {
		info = full
	}
	s.cfg.Logger.InfoContext(ctx, "adopted a link created upstream", "org_id", a.OrgID, "charge_id", info.ChargeID)
	return s.saveLink(ctx, a, l, info)
}

func (s *Service) saveLink(ctx context.Context, a services.Actor, l links.Link, info ChargeInfo) (int64, error) {
	c := db.Charge{
		OrgID:           a.OrgID,
		EfiChargeID:     info.ChargeID,
		Kind:            db.KindLink,
		Status:          orDefault(info.Status, "link"),
		Total:           orDefault(info.Total, l.Total()),
		CustomID:        l.CustomID,
		Title:           linkTitle(l),
		PaymentURL:      info.PaymentURL,
		PaymentMethod:   orDefault(info.PaymentMethod, l.PaymentMethod),
		ExpireAt:        orDefault(info.ExpireAt, l.ExpireAt),
		NotificationURL: info.NotificationURL,
	}
	var items []db.ChargeItem
	for _, it := range l.Items {
		items = append(items, db.ChargeItem{Name: it.Name, Value: it.Value, Amount: it.Amount})
	}
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		if err := db.InsertCharge(ctx, tx, &c, items); err != nil {
			return err
		}
		if err := db.InsertLinkSettings(ctx, tx, c.ID, a.OrgID, dbLinkSettings(l)); err != nil {
			return err
		}
		if err := db.CompleteIdempotencyKey(ctx, tx, a.OrgID, l.IdempotencyKey, c.ID); err != nil {
			return err
		}
		if err := db.SyncAPIHistory(ctx, tx, c.ID, apiHistory(info)); err != nil {
			return err
		}
		return s.cfg.Audit(ctx, tx, a, "link.create", fmt.Sprintf("charge:%d", info.ChargeID), "ok")
	})
	if errors.Is(err, db.ErrConflict) {
		// A concurrent request saved the same link first.
		if id, err := s.db.LinkIDByIdempotencyKey(ctx, a.OrgID, l.IdempotencyKey); err == nil {
			return id, nil
		}
	}
	if err != nil {
		return 0, fmt.Errorf("save link: %w", err)
	}
	return c.ID, nil
}

func linkTitle(l links.Link) string {
	var names []string
	for _, it := range l.Items {
		names = append(names, it.Name)
	}
	return strings.Join(names, ", ")
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}
