// Package links holds the payment-link rules: the creation form and its
// validation (mirroring the Efí API's constraints), idempotent creation,
// settings changes, resend, notes and cancel.
package links

import (
	"crypto/rand"
	"encoding/base32"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/efiportal/portal/services"
	"github.com/efiportal/portal/web/i18n"
)

// Payment methods a link accepts, as the API names them.
const (
	MethodBillet = "banking_billet"
	MethodCard   = "credit_card"
	MethodAll    = "all"
)

// Limits from the Efí API (contract §3.2, §4).
const (
	MinTotal        = 500 // R$ 5,00: the smallest charge Efí issues
	MaxItemName     = 255
	MaxAmount       = 9999
	MaxCustomID     = 255
	MinMessage      = 3
	MaxMessage      = 80
	MaxPercentage   = 10000 // 100,00 % (percentages are ×100)
	MaxItems        = 50
	idempotencySep  = "|"
	idempotencyBits = 80
)

// ItemInput is one item row as the person typed it.
type ItemInput struct {
	Name   string
	Value  string // money as typed, "1.234,56"
	Amount string // quantity as typed
}

// Form is the link creation (and settings) form as typed: every field is
// kept as text so a failed submit shows exactly what the person wrote.
type Form struct {
	IdempotencyKey         string
	Items                  []ItemInput
	PaymentMethod          string
	BilletDiscount         string
	CardDiscount           string
	ConditionalType        string // "", "percentage", "currency"
	ConditionalValue       string
	ConditionalUntil       string // YYYY-MM-DD (input type=date)
	Message                string
	ExpireAt               string // YYYY-MM-DD
	RequestDeliveryAddress bool
	CustomID               string
	CustomerEmail          string
}

// Item is a validated item.
type Item struct {
	Name   string
	Value  int64
	Amount int64
}

// Link is a validated form, ready for the API.
type Link struct {
	IdempotencyKey         string
	Items                  []Item
	PaymentMethod          string
	BilletDiscount         int64
	CardDiscount           int64
	ConditionalType        string
	ConditionalValue       int64 // centavos, or percentage ×100
	ConditionalUntil       string
	Message                string
	ExpireAt               string
	RequestDeliveryAddress bool
	CustomID               string
	CustomerEmail          string
}

// Total is the sum of the items, before discounts.
func (l Link) Total() int64 {
	var t int64
	for _, it := range l.Items {
		t += it.Value * it.Amount
	}
	return t
}

// UpstreamCustomID is the custom_id sent to Efí: the merchant's reference
// and the form's idempotency key, so a link created upstream whose local
// save failed can be found by it and adopted.
func (l Link) UpstreamCustomID() string {
	if l.CustomID == "" {
		return l.IdempotencyKey
	}
	return l.CustomID + idempotencySep + l.IdempotencyKey
}

// SplitUpstreamCustomID undoes UpstreamCustomID.
func SplitUpstreamCustomID(s string) (ref, key string) {
	i := strings.LastIndex(s, idempotencySep)
	if i < 0 {
		if strings.HasPrefix(s, "pl_") {
			return "", s
		}
		return s, ""
	}
	return s[:i], s[i+1:]
}

// NewIdempotencyKey makes the key a new form carries.
func NewIdempotencyKey() string {
	var b [idempotencyBits / 8]byte
	rand.Read(b[:])
	return "pl_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

func validKey(k string) bool {
	if !strings.HasPrefix(k, "pl_") || len(k) != 3+16 {
		return false
	}
	for _, r := range k[3:] {
		if !(r >= 'a' && r <= 'z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}

// ItemsTotal sums what can be read of the typed items, for the running
// total while the person types (unreadable rows count as zero).
func ItemsTotal(l i18n.Locale, items []ItemInput) int64 {
	var t int64
	for _, it := range items {
		v, err1 := i18n.ParseMoney(l, it.Value)
		amount := strings.TrimSpace(it.Amount)
		if amount == "" {
			amount = "1"
		}
		n, err2 := strconv.ParseInt(amount, 10, 64)
		if err1 == nil && err2 == nil && n > 0 && n <= MaxAmount {
			t += v * n
		}
	}
	return t
}

// Validate checks the form against the API's constraints and returns the
// validated link, or a message per field. today is the merchant's date
// (America/Sao_Paulo); the field names are the form's input names
// (items.0.name, expire_at...).
func Validate(l i18n.Locale, f Form, today time.Time) (Link, services.FieldErrors) {
	errs := services.FieldErrors{}
	out := Link{
		IdempotencyKey:         f.IdempotencyKey,
		PaymentMethod:          f.PaymentMethod,
		ConditionalType:        f.ConditionalType,
		Message:                strings.TrimSpace(f.Message),
		RequestDeliveryAddress: f.RequestDeliveryAddress,
		CustomID:               strings.TrimSpace(f.CustomID),
		CustomerEmail:          strings.TrimSpace(f.CustomerEmail),
	}
	if !validKey(f.IdempotencyKey) {
		errs.Add("form", services.M("links.err.stale_form"))
	}

	if len(f.Items) == 0 {
		errs.Add("items", services.M("links.err.no_items"))
	}
	if len(f.Items) > MaxItems {
		errs.Add("items", services.M("links.err.too_many_items", MaxItems))
	}
	for i, it := range f.Items {
		p := "items." + strconv.Itoa(i) + "."
		name := strings.TrimSpace(it.Name)
		switch {
		case name == "":
			errs.Add(p+"name", services.M("form.required"))
		case utf8.RuneCountInString(name) > MaxItemName:
			errs.Add(p+"name", services.M("form.too_long", MaxItemName))
		}
		v, err := i18n.ParseMoney(l, it.Value)
		switch {
		case strings.TrimSpace(it.Value) == "":
			errs.Add(p+"value", services.M("form.required"))
		case err != nil:
			errs.Add(p+"value", services.M("form.money.invalid"))
		case v <= 0:
			errs.Add(p+"value", services.M("links.err.value_positive"))
		}
		amount := strings.TrimSpace(it.Amount)
		if amount == "" {
			amount = "1"
		}
		n, err := strconv.ParseInt(amount, 10, 64)
		if err != nil || n < 1 || n > MaxAmount {
			errs.Add(p+"amount", services.M("links.err.amount", MaxAmount))
		}
		out.Items = append(out.Items, Item{Name: name, Value: v, Amount: n})
	}
	total := out.Total()
	if len(f.Items) > 0 && total < MinTotal {
		if _, bad := errs["items.0.value"]; !bad {
			errs.Add("items", services.M("links.err.min_total", i18n.FormatMoney(l, MinTotal)))
		}
	}

	switch f.PaymentMethod {
	case MethodBillet, MethodCard, MethodAll:
	case "":
		errs.Add("payment_method", services.M("links.err.method_required"))
	default:
		errs.Add("payment_method", services.M("form.invalid"))
	}

	out.BilletDiscount = discount(l, errs, "billet_discount", f.BilletDiscount, total)
	out.CardDiscount = discount(l, errs, "card_discount", f.CardDiscount, total)
	if out.BilletDiscount > 0 && f.PaymentMethod == MethodCard {
		errs.Add("billet_discount", services.M("links.err.discount_method_billet"))
	}
	if out.CardDiscount > 0 && f.PaymentMethod == MethodBillet {
		errs.Add("card_discount", services.M("links.err.discount_method_card"))
	}

	todayStr := today.In(i18n.Zone).Format("2006-01-02")
	expire, expOK := date(errs, "expire_at", f.ExpireAt, true)
	if expOK && expire < todayStr {
		errs.Add("expire_at", services.M("links.err.date_past"))
	}
	out.ExpireAt = expire

	switch f.ConditionalType {
	case "":
		if strings.TrimSpace(f.ConditionalValue) != "" {
			errs.Add("conditional_type", services.M("links.err.conditional_type"))
		}
	case "percentage":
		pct, err := i18n.ParseMoney(l, strings.TrimSuffix(strings.TrimSpace(f.ConditionalValue), "%"))
		switch {
		case err != nil || pct <= 0:
			errs.Add("conditional_value", services.M("links.err.percentage"))
		case pct > MaxPercentage:
			errs.Add("conditional_value", services.M("links.err.percentage_max"))
		}
		out.ConditionalValue = pct
	case "currency":
		out.ConditionalValue = discount(l, errs, "conditional_value", f.ConditionalValue, total)
		if out.ConditionalValue == 0 {
			errs.Add("conditional_value", services.M("form.required"))
		}
	default:
		errs.Add("conditional_type", services.M("form.invalid"))
	}
	if f.ConditionalType != "" {
		until, ok := date(errs, "conditional_until", f.ConditionalUntil, true)
		if ok && until < todayStr {
			errs.Add("conditional_until", services.M("links.err.date_past"))
		}
		if ok && expOK && until > expire {
			errs.Add("conditional_until", services.M("links.err.until_after_expiry"))
		}
		out.ConditionalUntil = until
	}

	if n := utf8.RuneCountInString(out.Message); n > 0 && (n < MinMessage || n > MaxMessage) {
		errs.Add("message", services.M("links.err.message", MinMessage, MaxMessage))
	}
	if utf8.RuneCountInString(out.UpstreamCustomID()) > MaxCustomID {
		errs.Add("custom_id", services.M("form.too_long", MaxCustomID-len(idempotencySep)-19))
	}
	if strings.Contains(out.CustomID, idempotencySep) {
		errs.Add("custom_id", services.M("links.err.custom_id_char", idempotencySep))
	}
	if out.CustomerEmail != "" {
		if a, err := mail.ParseAddress(out.CustomerEmail); err != nil || a.Address != out.CustomerEmail || !strings.Contains(a.Address[strings.LastIndex(a.Address, "@"):], ".") {
			errs.Add("customer_email", services.M("form.email"))
		}
	}
	if len(errs) > 0 {
		return out, errs
	}
	return out, nil
}

func discount(l i18n.Locale, errs services.FieldErrors, field, typed string, total int64) int64 {
	if strings.TrimSpace(typed) == "" {
		return 0
	}
	v, err := i18n.ParseMoney(l, typed)
	switch {
	case err != nil:
		errs.Add(field, services.M("form.money.invalid"))
	case total > 0 && v >= total:
		errs.Add(field, services.M("links.err.discount_total"))
	}
	return v
}

func date(errs services.FieldErrors, field, typed string, required bool) (string, bool) {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		if required {
			errs.Add(field, services.M("form.required"))
		}
		return "", false
	}
	t, err := time.Parse("2006-01-02", typed)
	if err != nil {
		// Also accept DD/MM/AAAA, as a person types it where the browser has no date picker.
		if t, err = time.Parse("02/01/2006", typed); err != nil {
			errs.Add(field, services.M("form.date"))
			return "", false
		}
	}
	return t.Format("2006-01-02"), true
}
