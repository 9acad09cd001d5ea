package links

import (
	"strings"
	"testing"
	"time"

	"github.com/efiportal/portal/web/i18n"
)

func TestValidate(t *testing.T) {
	today := time.Date(2026, 11, 22, 15, 0, 0, 0, time.UTC)
	base := func() Form {
		return Form{
			IdempotencyKey: NewIdempotencyKey(),
			Items:          []ItemInput{{Name: "Camiseta", Value: "59,90", Amount: "2"}},
			PaymentMethod:  MethodAll,
			ExpireAt:       "2026-12-01",
		}
	}
	tests := []struct {
		name   string
		edit   func(*Form)
		fields []string // fields expected to carry an error; none means valid
	}{
		{"valid", func(f *Form) {}, nil},
		{"valid with everything", func(f *Form) {
			f.BilletDiscount, f.CardDiscount = "5,00", "2,50"
			f.ConditionalType, f.ConditionalValue, f.ConditionalUntil = "percentage", "10", "2026-11-30"
			f.Message, f.CustomID, f.CustomerEmail, f.RequestDeliveryAddress = "Obrigado pela compra!", "pedido-9", "ana@example.com", true
		}, nil},
		{"date typed as DD/MM/AAAA", func(f *Form) { f.ExpireAt = "01/12/2026" }, nil},
		{"stale form", func(f *Form) { f.IdempotencyKey = "" }, []string{"form"}},
		{"no items", func(f *Form) { f.Items = nil }, []string{"items"}},
		{"item without name", func(f *Form) { f.Items[0].Name = " " }, []string{"items.0.name"}},
		{"item name too long", func(f *Form) { f.Items[0].Name = strings.Repeat("a", 256) }, []string{"items.0.name"}},
		{"bad money", func(f *Form) { f.Items[0].Value = "abc" }, []string{"items.0.value"}},
		{"zero quantity", func(f *Form) { f.Items[0].Amount = "0" }, []string{"items.0.amount"}},
		{"below R$ 5,00", func(f *Form) { f.Items[0].Value, f.Items[0].Amount = "2,00", "2" }, []string{"items"}},
		{"no method", func(f *Form) { f.PaymentMethod = "" }, []string{"payment_method"}},
		{"unknown method", func(f *Form) { f.PaymentMethod = "pix" }, []string{"payment_method"}},
		{"expiry in the past", func(f *Form) { f.ExpireAt = "2026-11-21" }, []string{"expire_at"}},
		{"expiry today is fine", func(f *Form) { f.ExpireAt = "2026-11-22" }, nil},
		{"missing expiry", func(f *Form) { f.ExpireAt = "" }, []string{"expire_at"}},
		{"discount not below total", func(f *Form) { f.BilletDiscount = "119,80" }, []string{"billet_discount"}},
		{"billet discount on a card-only link", func(f *Form) { f.PaymentMethod, f.BilletDiscount = MethodCard, "1,00" }, []string{"billet_discount"}},
		{"card discount on a boleto-only link", func(f *Form) { f.PaymentMethod, f.CardDiscount = MethodBillet, "1,00" }, []string{"card_discount"}},
		{"percentage over 100", func(f *Form) {
			f.ConditionalType, f.ConditionalValue, f.ConditionalUntil = "percentage", "101", "2026-11-30"
		}, []string{"conditional_value"}},
		{"conditional without date", func(f *Form) { f.ConditionalType, f.ConditionalValue = "currency", "1,00" }, []string{"conditional_until"}},
		{"conditional after expiry", func(f *Form) {
			f.ConditionalType, f.ConditionalValue, f.ConditionalUntil = "currency", "1,00", "2026-12-02"
		}, []string{"conditional_until"}},
		{"message too short", func(f *Form) { f.Message = "Oi" }, []string{"message"}},
		{"message too long", func(f *Form) { f.Message = strings.Repeat("x", 81) }, []string{"message"}},
		{"bad e-mail", func(f *Form) { f.CustomerEmail = "ana@" }, []string{"customer_email"}},
		{"custom_id with the separator", func(f *Form) { f.CustomID = "a|b" }, []string{"custom_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := base()
			tt.edit(&f)
			l, errs := Validate(i18n.PtBR, f, today)
			if len(tt.fields) == 0 {
				if errs != nil {
					t.Fatalf("valid form refused: %v", errs)
				}
				if l.Total() != 11980 {
					t.Fatalf("total %d", l.Total())
				}
				return
			}
			for _, field := range tt.fields {
				if _, ok := errs[field]; !ok {
					t.Errorf("no error on %s; errors: %v", field, errs)
				}
			}
		})
	}
}

func TestUpstreamCustomIDRoundTrip(t *testing.T) {
	k := NewIdempotencyKey()
	if !validKey(k) {
		t.Fatalf("generated key %q is not valid", k)
	}
	for _, ref := range []string{"", "pedido-1"} {
		l := Link{CustomID: ref, IdempotencyKey: k}
		gotRef, gotKey := SplitUpstreamCustomID(l.UpstreamCustomID())
		if gotRef != ref || gotKey != k {
			t.Errorf("round trip of %q: %q %q", ref, gotRef, gotKey)
		}
	}
}

func TestItemsTotalIgnoresUnreadableRows(t *testing.T) {
	got := ItemsTotal(i18n.PtBR, []ItemInput{{Value: "10,00", Amount: "3"}, {Value: "x", Amount: "1"}, {Value: "1,50", Amount: ""}})
	if got != 3150 {
		t.Fatalf("running total %d, want 3150 (an empty quantity counts as 1)", got)
	}
}
