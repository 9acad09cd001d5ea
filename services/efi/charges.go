package efi

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Date layouts the charges API uses.
const (
	DateLayout      = "2006-01-02"
	TimestampLayout = "2006-01-02 15:04:05"
)

// Item is one line of a charge; Value is centavos per unit.
type Item struct {
	Name   string `json:"name"`
	Value  int64  `json:"value"`
	Amount int64  `json:"amount,omitempty"`
}

// Shipping is a shipping line.
type Shipping struct {
	Name  string `json:"name"`
	Value int64  `json:"value"`
}

// Metadata are the charge's custom_id and notification_url.
type Metadata struct {
	CustomID        string `json:"custom_id,omitempty"`
	NotificationURL string `json:"notification_url,omitempty"`
}

// CreateChargeRequest is POST /v1/charge.
type CreateChargeRequest struct {
	Items     []Item     `json:"items"`
	Shippings []Shipping `json:"shippings,omitempty"`
	Metadata  *Metadata  `json:"metadata,omitempty"`
}

// Created is the answer to a creation.
type Created struct {
	ChargeID  int64   `json:"charge_id"`
	Status    string  `json:"status"`
	Total     int64   `json:"total"`
	CustomID  *string `json:"custom_id"`
	CreatedAt string  `json:"created_at"`
}

type envelope[T any] struct {
	Code int `json:"code"`
	Data T   `json:"data"`
}

// CreateCharge is POST /v1/charge: a charge in status "new".
func (c *Client) CreateCharge(ctx context.Context, r CreateChargeRequest) (Created, error) {
	var out envelope[Created]
	err := c.call(ctx, Charges, "POST", "/v1/charge", "/v1/charge", r, &out)
	return out.Data, err
}

// Customer is the payer.
type Customer struct {
	Name            string           `json:"name,omitempty"`
	CPF             string           `json:"cpf,omitempty"`
	Email           string           `json:"email,omitempty"`
	PhoneNumber     string           `json:"phone_number,omitempty"`
	Birth           string           `json:"birth,omitempty"`
	JuridicalPerson *JuridicalPerson `json:"juridical_person,omitempty"`
}

// JuridicalPerson is a company payer.
type JuridicalPerson struct {
	CorporateName string `json:"corporate_name"`
	CNPJ          string `json:"cnpj"`
}

// BankingBillet is a boleto payment.
type BankingBillet struct {
	Customer Customer `json:"customer"`
	ExpireAt string   `json:"expire_at"`
	Message  string   `json:"message,omitempty"`
}

// CreditCard is a card payment (payment_token from Efí's JS library).
type CreditCard struct {
	Customer     Customer `json:"customer"`
	Installments int      `json:"installments,omitempty"`
	PaymentToken string   `json:"payment_token"`
}

// Payment holds exactly one of the methods.
type Payment struct {
	BankingBillet *BankingBillet `json:"banking_billet,omitempty"`
	CreditCard    *CreditCard    `json:"credit_card,omitempty"`
}

// Refusal tells why a card was refused.
type Refusal struct {
	Reason string `json:"reason"`
	Retry  bool   `json:"retry"`
}

// PayResult is the answer of one-step and pay (§3.4).
type PayResult struct {
	ChargeID         int64    `json:"charge_id"`
	Status           string   `json:"status"`
	Total            int64    `json:"total"`
	Payment          string   `json:"payment"`
	Barcode          string   `json:"barcode,omitempty"`
	Link             string   `json:"link,omitempty"`
	BilletLink       string   `json:"billet_link,omitempty"`
	ExpireAt         string   `json:"expire_at,omitempty"`
	Installments     int      `json:"installments,omitempty"`
	InstallmentValue int64    `json:"installment_value,omitempty"`
	Refusal          *Refusal `json:"refusal,omitempty"`
}

// OneStepRequest is POST /v1/charge/one-step.
type OneStepRequest struct {
	Items     []Item     `json:"items"`
	Shippings []Shipping `json:"shippings,omitempty"`
	Metadata  *Metadata  `json:"metadata,omitempty"`
	Payment   Payment    `json:"payment"`
}

// CreateOneStepCharge is POST /v1/charge/one-step (boleto or card).
func (c *Client) CreateOneStepCharge(ctx context.Context, r OneStepRequest) (PayResult, error) {
	var out envelope[PayResult]
	err := c.call(ctx, Charges, "POST", "/v1/charge/one-step", "/v1/charge/one-step", r, &out)
	return out.Data, err
}

// PayCharge is POST /v1/charge/:id/pay: defines the payment method.
func (c *Client) PayCharge(ctx context.Context, id int64, p Payment) (PayResult, error) {
	var out envelope[PayResult]
	err := c.call(ctx, Charges, "POST", "/v1/charge/:id/pay", chargePath(id, "/pay"), map[string]any{"payment": p}, &out)
	return out.Data, err
}

func chargePath(id int64, suffix string) string {
	return "/v1/charge/" + strconv.FormatInt(id, 10) + suffix
}

// HistoryEntry is one line of a charge's history.
type HistoryEntry struct {
	Message   string `json:"message"`
	CreatedAt string `json:"created_at"`
}

// Time parses the entry's timestamp (São Paulo time).
func (h HistoryEntry) Time() time.Time { return parseTimestamp(h.CreatedAt) }

var saoPaulo = func() *time.Location {
	if l, err := time.LoadLocation("America/Sao_Paulo"); err == nil {
		return l
	}
	return time.FixedZone("BRT", -3*3600)
}()

func parseTimestamp(s string) time.Time {
	t, err := time.ParseInLocation(TimestampLayout, s, saoPaulo)
	if err != nil {
		return time.Time{}
	}
	return t
}

// LinkDetail is a payment link's settings as the API returns them.
type LinkDetail struct {
	PaymentURL               string `json:"payment_url"`
	PaymentMethod            string `json:"payment_method"`
	BilletDiscount           int64  `json:"billet_discount"`
	CardDiscount             int64  `json:"card_discount"`
	ConditionalDiscountValue int64  `json:"conditional_discount_value,omitempty"`
	ConditionalDiscountType  string `json:"conditional_discount_type,omitempty"`
	ConditionalDiscountDate  string `json:"conditional_discount_date,omitempty"`
	Message                  string `json:"message"`
	ExpireAt                 string `json:"expire_at"`
	RequestDeliveryAddress   bool   `json:"request_delivery_address"`
}

// ChargePayment is the payment part of a charge detail.
type ChargePayment struct {
	Method        string `json:"method"`
	BankingBillet *struct {
		Barcode  string `json:"barcode"`
		Link     string `json:"link"`
		ExpireAt string `json:"expire_at"`
	} `json:"banking_billet,omitempty"`
	CreditCard *struct {
		Mask             string `json:"mask"`
		Installments     int    `json:"installments"`
		InstallmentValue int64  `json:"installment_value"`
	} `json:"credit_card,omitempty"`
}

// Charge is GET /v1/charge/:id (§3.6).
type Charge struct {
	ChargeID        int64          `json:"charge_id"`
	Total           int64          `json:"total"`
	Status          string         `json:"status"`
	Reason          string         `json:"reason,omitempty"`
	CustomID        *string        `json:"custom_id"`
	CreatedAt       string         `json:"created_at"`
	NotificationURL *string        `json:"notification_url"`
	Items           []Item         `json:"items"`
	History         []HistoryEntry `json:"history"`
	Payment         *ChargePayment `json:"payment,omitempty"`
	Link            *LinkDetail    `json:"link,omitempty"`
}

// DetailCharge is GET /v1/charge/:id.
func (c *Client) DetailCharge(ctx context.Context, id int64) (Charge, error) {
	var out envelope[Charge]
	err := c.call(ctx, Charges, "GET", "/v1/charge/:id", chargePath(id, ""), nil, &out)
	return out.Data, err
}

// ListChargesParams are GET /v1/charges' filters (§3.7).
type ListChargesParams struct {
	ChargeType string // billet, card, carnet, subscription (required)
	BeginDate  string // YYYY-MM-DD (required)
	EndDate    string // YYYY-MM-DD (required)
	Status     string
	CustomID   string
	Limit      int
	Page       int
}

// ChargeSummary is one entry of the list.
type ChargeSummary struct {
	ID        int64       `json:"id"`
	Total     int64       `json:"total"`
	Status    string      `json:"status"`
	CustomID  *string     `json:"custom_id"`
	CreatedAt string      `json:"created_at"`
	Link      *LinkDetail `json:"link,omitempty"`
}

// ListCharges is GET /v1/charges.
func (c *Client) ListCharges(ctx context.Context, p ListChargesParams) ([]ChargeSummary, error) {
	q := url.Values{"charge_type": {p.ChargeType}, "begin_date": {p.BeginDate}, "end_date": {p.EndDate}}
	if p.Status != "" {
		q.Set("status", p.Status)
	}
	if p.CustomID != "" {
		q.Set("custom_id", p.CustomID)
	}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	if p.Page > 0 {
		q.Set("page", strconv.Itoa(p.Page))
	}
	var out envelope[[]ChargeSummary]
	err := c.call(ctx, Charges, "GET", "/v1/charges", "/v1/charges?"+q.Encode(), nil, &out)
	return out.Data, err
}

// FindChargeByCustomID settles a creation whose answer was lost: it looks
// the charge up by custom_id among those created since (never posting
// again). found is false when nothing upstream carries that custom_id.
func (c *Client) FindChargeByCustomID(ctx context.Context, customID string, since time.Time) (ChargeSummary, bool, error) {
	now := time.Now().In(saoPaulo)
	for _, ct := range []string{"billet", "card"} {
		list, err := c.ListCharges(ctx, ListChargesParams{ChargeType: ct, BeginDate: since.In(saoPaulo).Format(DateLayout),
			EndDate: now.AddDate(0, 0, 1).Format(DateLayout), CustomID: customID})
		if err != nil {
			return ChargeSummary{}, false, err
		}
		for _, s := range list {
			if s.CustomID != nil && *s.CustomID == customID {
				return s, true, nil
			}
		}
	}
	return ChargeSummary{}, false, nil
}

// UpdateChargeMetadata is PUT /v1/charge/:id/metadata.
func (c *Client) UpdateChargeMetadata(ctx context.Context, id int64, m Metadata) error {
	body := map[string]any{"custom_id": nilIfEmpty(m.CustomID), "notification_url": nilIfEmpty(m.NotificationURL)}
	return c.call(ctx, Charges, "PUT", "/v1/charge/:id/metadata", chargePath(id, "/metadata"), body, nil)
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// UpdateBillet is PUT /v1/charge/:id/billet: a new due date.
func (c *Client) UpdateBillet(ctx context.Context, id int64, expireAt string) error {
	return c.call(ctx, Charges, "PUT", "/v1/charge/:id/billet", chargePath(id, "/billet"), map[string]string{"expire_at": expireAt}, nil)
}

// CancelCharge is PUT /v1/charge/:id/cancel.
func (c *Client) CancelCharge(ctx context.Context, id int64) error {
	return c.call(ctx, Charges, "PUT", "/v1/charge/:id/cancel", chargePath(id, "/cancel"), nil, nil)
}

// SettleCharge is PUT /v1/charge/:id/settle: marks it paid by hand.
func (c *Client) SettleCharge(ctx context.Context, id int64) error {
	return c.call(ctx, Charges, "PUT", "/v1/charge/:id/settle", chargePath(id, "/settle"), nil, nil)
}

// AddChargeHistory is POST /v1/charge/:id/history.
func (c *Client) AddChargeHistory(ctx context.Context, id int64, description string) error {
	return c.call(ctx, Charges, "POST", "/v1/charge/:id/history", chargePath(id, "/history"), map[string]string{"description": description}, nil)
}

// ResendBillet is POST /v1/charge/:id/billet/resend.
func (c *Client) ResendBillet(ctx context.Context, id int64, email string) error {
	return c.call(ctx, Charges, "POST", "/v1/charge/:id/billet/resend", chargePath(id, "/billet/resend"), map[string]string{"email": email}, nil)
}

// ConditionalDiscount is a discount valid until a date; Value is
// centavos ("currency") or a percentage ×100 ("percentage").
type ConditionalDiscount struct {
	Type      string `json:"type"`
	Value     int64  `json:"value"`
	UntilDate string `json:"until_date"`
}

// LinkSettings are a link's settings.
type LinkSettings struct {
	BilletDiscount         int64                `json:"billet_discount,omitempty"`
	CardDiscount           int64                `json:"card_discount,omitempty"`
	ConditionalDiscount    *ConditionalDiscount `json:"conditional_discount,omitempty"`
	Message                string               `json:"message,omitempty"`
	ExpireAt               string               `json:"expire_at"`
	RequestDeliveryAddress bool                 `json:"request_delivery_address"`
	PaymentMethod          string               `json:"payment_method"`
}

// OneStepLinkRequest is POST /v1/charge/one-step/link (§4).
type OneStepLinkRequest struct {
	Items     []Item     `json:"items"`
	Shippings []Shipping `json:"shippings,omitempty"`
	Metadata  *Metadata  `json:"metadata,omitempty"`
	Customer  *struct {
		Email string `json:"email"`
	} `json:"customer,omitempty"`
	Settings LinkSettings `json:"settings"`
}

// Link is the answer of the link routes.
type Link struct {
	ChargeID  int64   `json:"charge_id"`
	Status    string  `json:"status"`
	Total     int64   `json:"total"`
	CustomID  *string `json:"custom_id"`
	CreatedAt string  `json:"created_at"`
	LinkDetail
}

// CreateOneStepLink is POST /v1/charge/one-step/link.
func (c *Client) CreateOneStepLink(ctx context.Context, r OneStepLinkRequest) (Link, error) {
	var out envelope[Link]
	err := c.call(ctx, Charges, "POST", "/v1/charge/one-step/link", "/v1/charge/one-step/link", r, &out)
	return out.Data, err
}

// DefineLink is POST /v1/charge/:id/link: a link on an existing charge.
func (c *Client) DefineLink(ctx context.Context, id int64, s LinkSettings) (Link, error) {
	var out envelope[Link]
	err := c.call(ctx, Charges, "POST", "/v1/charge/:id/link", chargePath(id, "/link"), s, &out)
	return out.Data, err
}

// UpdateLink is PUT /v1/charge/:id/link.
func (c *Client) UpdateLink(ctx context.Context, id int64, s LinkSettings) (Link, error) {
	var out envelope[Link]
	err := c.call(ctx, Charges, "PUT", "/v1/charge/:id/link", chargePath(id, "/link"), s, &out)
	return out.Data, err
}

// ResendLink is POST /v1/charge/:id/link/resend.
func (c *Client) ResendLink(ctx context.Context, id int64, email string) error {
	return c.call(ctx, Charges, "POST", "/v1/charge/:id/link/resend", chargePath(id, "/link/resend"), map[string]string{"email": email}, nil)
}

// Installment is one option of the installments table.
type Installment struct {
	Installment        int    `json:"installment"`
	HasInterest        bool   `json:"has_interest"`
	Value              int64  `json:"value"`
	Currency           string `json:"currency"`
	InterestPercentage int64  `json:"interest_percentage"`
}

// Installments is GET /v1/installments' answer.
type Installments struct {
	Rate         int64         `json:"rate"`
	Name         string        `json:"name"`
	Installments []Installment `json:"installments"`
}

// GetInstallments is GET /v1/installments?total=&brand=.
func (c *Client) GetInstallments(ctx context.Context, total int64, brand string) (Installments, error) {
	var out envelope[Installments]
	path := fmt.Sprintf("/v1/installments?total=%d&brand=%s", total, url.QueryEscape(brand))
	err := c.call(ctx, Charges, "GET", "/v1/installments", path, nil, &out)
	return out.Data, err
}

// NotificationChange is one change of GET /v1/notification/:token (§7).
type NotificationChange struct {
	ID       int64   `json:"id"`
	Type     string  `json:"type"`
	CustomID *string `json:"custom_id"`
	Status   struct {
		Current  string  `json:"current"`
		Previous *string `json:"previous"`
	} `json:"status"`
	Identifiers struct {
		ChargeID       int64 `json:"charge_id"`
		CarnetID       int64 `json:"carnet_id"`
		SubscriptionID int64 `json:"subscription_id"`
	} `json:"identifiers"`
	CreatedAt        string `json:"created_at"`
	Value            int64  `json:"value,omitempty"`
	ReceivedByBankAt string `json:"received_by_bank_at,omitempty"`
	Reason           string `json:"reason,omitempty"`
}

// GetNotification is GET /v1/notification/:token: every change of the
// token, oldest first.
func (c *Client) GetNotification(ctx context.Context, token string) ([]NotificationChange, error) {
	var out envelope[[]NotificationChange]
	err := c.call(ctx, Charges, "GET", "/v1/notification/:token", "/v1/notification/"+url.PathEscape(token), nil, &out)
	return out.Data, err
}
