package charges

import (
	"context"
	"time"

	"github.com/efiportal/portal/services/efi"
	"github.com/efiportal/portal/web/i18n"
)

// EfiAPI adapts the typed Efí client to what this package needs.
type EfiAPI struct {
	C *efi.Client
}

var _ API = EfiAPI{}

// ClientsFunc adapts a function to Clients.
type ClientsFunc func(ctx context.Context, orgID int64) (API, error)

// For calls f.
func (f ClientsFunc) For(ctx context.Context, orgID int64) (API, error) { return f(ctx, orgID) }

func fromLink(l efi.Link) ChargeInfo {
	info := ChargeInfo{ChargeID: l.ChargeID, Status: l.Status, Total: l.Total, PaymentURL: l.PaymentURL,
		PaymentMethod: l.PaymentMethod, ExpireAt: l.ExpireAt, CreatedAt: parseTS(l.CreatedAt)}
	if l.CustomID != nil {
		info.CustomID = *l.CustomID
	}
	return info
}

// parseTS reads the API's "YYYY-MM-DD HH:MM:SS", which is São Paulo time.
func parseTS(s string) time.Time {
	t, _ := time.ParseInLocation(efi.TimestampLayout, s, i18n.Zone)
	return t
}

// CreateOneStepLink creates a link in one step.
func (a EfiAPI) CreateOneStepLink(ctx context.Context, r LinkRequest) (ChargeInfo, error) {
	req := efi.OneStepLinkRequest{Settings: efiSettings(r.Settings),
		Metadata: &efi.Metadata{CustomID: r.CustomID, NotificationURL: r.NotificationURL}}
	for _, it := range r.Items {
		req.Items = append(req.Items, efi.Item{Name: it.Name, Value: it.Value, Amount: it.Amount})
	}
	if r.CustomerEmail != "" {
		req.Customer = &struct {
			Email string `json:"email"`
		}{Email: r.CustomerEmail}
	}
	l, err := a.C.CreateOneStepLink(ctx, req)
	if err != nil {
		return ChargeInfo{}, err
	}
	info := fromLink(l)
	info.NotificationURL = r.NotificationURL
	return info, nil
}

func efiSettings(s LinkSettings) efi.LinkSettings {
	out := efi.LinkSettings{BilletDiscount: s.BilletDiscount, CardDiscount: s.CardDiscount, Message: s.Message,
		ExpireAt: s.ExpireAt, RequestDeliveryAddress: s.RequestDeliveryAddress, PaymentMethod: s.PaymentMethod}
	if s.ConditionalType != "" {
		out.ConditionalDiscount = &efi.ConditionalDiscount{Type: s.ConditionalType, Value: s.ConditionalValue, UntilDate: s.ConditionalUntil}
	}
	return out
}

// UpdateLink changes a link's settings.
func (a EfiAPI) UpdateLink(ctx context.Context, id int64, s LinkSettings) (ChargeInfo, error) {
	l, err := a.C.UpdateLink(ctx, id, efiSettings(s))
	return fromLink(l), err
}

// ResendLink e-mails the link.
func (a EfiAPI) ResendLink(ctx context.Context, id int64, email string) error {
	return a.C.ResendLink(ctx, id, email)
}

// DetailCharge reads a charge.
func (a EfiAPI) DetailCharge(ctx context.Context, id int64) (ChargeInfo, error) {
	d, err := a.C.DetailCharge(ctx, id)
	if err != nil {
		return ChargeInfo{}, err
	}
	info := ChargeInfo{ChargeID: d.ChargeID, Status: d.Status, Total: d.Total, CreatedAt: parseTS(d.CreatedAt), Reason: d.Reason}
	if d.CustomID != nil {
		info.CustomID = *d.CustomID
	}
	if d.NotificationURL != nil {
		info.NotificationURL = *d.NotificationURL
	}
	for _, it := range d.Items {
		info.Items = append(info.Items, LinkItem{Name: it.Name, Value: it.Value, Amount: it.Amount})
	}
	for _, h := range d.History {
		info.History = append(info.History, HistoryEntry{Message: h.Message, CreatedAt: h.Time()})
	}
	if l := d.Link; l != nil {
		info.PaymentURL, info.PaymentMethod, info.ExpireAt = l.PaymentURL, l.PaymentMethod, l.ExpireAt
		info.Link = &LinkSettings{PaymentMethod: l.PaymentMethod, BilletDiscount: l.BilletDiscount, CardDiscount: l.CardDiscount,
			ConditionalType: l.ConditionalDiscountType, ConditionalValue: l.ConditionalDiscountValue, ConditionalUntil: l.ConditionalDiscountDate,
			Message: l.Message, ExpireAt: l.ExpireAt, RequestDeliveryAddress: l.RequestDeliveryAddress}
	}
	if p := d.Payment; p != nil && p.BankingBillet != nil && info.ExpireAt == "" {
		info.ExpireAt = p.BankingBillet.ExpireAt
	}
	return info, nil
}

// FindByCustomID looks a charge up by custom_id.
func (a EfiAPI) FindByCustomID(ctx context.Context, customID string, since time.Time) (ChargeInfo, bool, error) {
	s, found, err := a.C.FindChargeByCustomID(ctx, customID, since)
	if err != nil || !found {
		return ChargeInfo{}, found, err
	}
	info := ChargeInfo{ChargeID: s.ID, Status: s.Status, Total: s.Total, CustomID: customID, CreatedAt: parseTS(s.CreatedAt)}
	if s.Link != nil {
		info.PaymentURL, info.PaymentMethod, info.ExpireAt = s.Link.PaymentURL, s.Link.PaymentMethod, s.Link.ExpireAt
	}
	return info, true, nil
}

// CancelCharge cancels a charge.
func (a EfiAPI) CancelCharge(ctx context.Context, id int64) error { return a.C.CancelCharge(ctx, id) }

// UpdateMetadata changes custom_id and notification_url.
func (a EfiAPI) UpdateMetadata(ctx context.Context, id int64, customID, notificationURL string) error {
	return a.C.UpdateChargeMetadata(ctx, id, efi.Metadata{CustomID: customID, NotificationURL: notificationURL})
}

// AddHistory adds a history line.
func (a EfiAPI) AddHistory(ctx context.Context, id int64, text string) error {
	return a.C.AddChargeHistory(ctx, id, text)
}

// Installments reads one brand's installments table.
func (a EfiAPI) Installments(ctx context.Context, total int64, brand string) (Installments, error) {
	in, err := a.C.GetInstallments(ctx, total, brand)
	if err != nil {
		return Installments{}, err
	}
	out := Installments{Brand: brand, Rate: in.Rate}
	for _, o := range in.Installments {
		out.Options = append(out.Options, Installment{Installment: o.Installment, HasInterest: o.HasInterest, Value: o.Value, InterestPercentage: o.InterestPercentage})
	}
	return out, nil
}

// Notification reads a notification token's changes.
func (a EfiAPI) Notification(ctx context.Context, token string) ([]Change, error) {
	list, err := a.C.GetNotification(ctx, token)
	if err != nil {
		return nil, err
	}
	out := make([]Change, 0, len(list))
	for _, n := range list {
		ch := Change{ID: n.ID, Type: n.Type, Current: n.Status.Current, ChargeID: n.Identifiers.ChargeID, Value: n.Value,
			ReceivedAt: n.ReceivedByBankAt, Reason: n.Reason, CreatedAt: parseTS(n.CreatedAt)}
		if n.Status.Previous != nil {
			ch.Previous = *n.Status.Previous
		}
		if n.CustomID != nil {
			ch.CustomID = *n.CustomID
		}
		out = append(out, ch)
	}
	return out, nil
}
