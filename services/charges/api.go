// Package charges holds the rules of the charges area (every charge of an
// organisation: list, detail, cancel, metadata, notes, installments) and of
// payment links, plus the notification pipeline that keeps their status in
// step with Efí.
package charges

import (
	"context"
	"time"
)

// API is what this package needs from the Efí charges API, for one
// organisation's credentials. services/efi implements it through an
// adapter (efiapi.go); tests use the sandbox over HTTP.
type API interface {
	CreateOneStepLink(ctx context.Context, r LinkRequest) (ChargeInfo, error)
	UpdateLink(ctx context.Context, chargeID int64, s LinkSettings) (ChargeInfo, error)
	ResendLink(ctx context.Context, chargeID int64, email string) error
	DetailCharge(ctx context.Context, chargeID int64) (ChargeInfo, error)
	FindByCustomID(ctx context.Context, customID string, since time.Time) (ChargeInfo, bool, error)
	CancelCharge(ctx context.Context, chargeID int64) error
	UpdateMetadata(ctx context.Context, chargeID int64, customID, notificationURL string) error
	AddHistory(ctx context.Context, chargeID int64, text string) error
	Installments(ctx context.Context, total int64, brand string) (Installments, error)
	Notification(ctx context.Context, token string) ([]Change, error)
}

// Clients gives the API client of an organisation (its environment and
// credentials).
type Clients interface {
	For(ctx context.Context, orgID int64) (API, error)
}

// LinkItem is one item sent to the API.
type LinkItem struct {
	Name   string
	Value  int64
	Amount int64
}

// LinkSettings are the link fields of POST one-step/link and PUT /link.
type LinkSettings struct {
	PaymentMethod          string
	BilletDiscount         int64
	CardDiscount           int64
	ConditionalType        string
	ConditionalValue       int64
	ConditionalUntil       string
	Message                string
	ExpireAt               string
	RequestDeliveryAddress bool
}

// LinkRequest creates a link in one step.
type LinkRequest struct {
	Items           []LinkItem
	CustomID        string
	NotificationURL string
	CustomerEmail   string
	Settings        LinkSettings
}

// HistoryEntry is one line of the API's charge history.
type HistoryEntry struct {
	Message   string
	CreatedAt time.Time
}

// ChargeInfo is what the API says about a charge.
type ChargeInfo struct {
	ChargeID        int64
	Status          string
	Total           int64
	CustomID        string
	NotificationURL string
	PaymentURL      string
	PaymentMethod   string
	ExpireAt        string
	CreatedAt       time.Time
	Items           []LinkItem
	Link            *LinkSettings
	History         []HistoryEntry
	Reason          string // refusal reason of a card payment, when given
}

// Installment is one option of paying a total by card.
type Installment struct {
	Installment        int
	HasInterest        bool
	Value              int64 // centavos per installment
	InterestPercentage int64 // ×100
}

// Installments is the installments table of one card brand.
type Installments struct {
	Brand   string
	Rate    int64
	Options []Installment
}

// Change is one entry of GET /notification/:token.
type Change struct {
	ID         int64
	Type       string // charge, carnet, subscription, carnet_charge, subscription_charge
	CustomID   string
	Current    string
	Previous   string
	ChargeID   int64
	Value      int64
	ReceivedAt string
	Reason     string
	CreatedAt  time.Time
}

// UserError is what an API error offers a form: the field it concerns and a
// sentence a merchant understands. services/efi's *efi.Error implements it.
type UserError interface {
	error
	Field() string
	Message(lang string) string
}
