package efi_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/efiportal/portal/sandbox"
	"github.com/efiportal/portal/services/efi"
)

// startSandbox runs the portal's sandbox on a loopback port and returns a
// client pointed at it: the same client that talks to production, with
// only the base URLs changed.
func startSandbox(t *testing.T) (*efi.Client, *sandbox.Server, string) {
	t.Helper()
	sb, err := sandbox.New(context.Background(), sandbox.Config{DBPath: filepath.Join(t.TempDir(), "sb.db"), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(sb.Handler())
	sb.SetPublicURL(ts.URL)
	t.Cleanup(func() { ts.Close(); sb.Close() })
	urls := efi.SandboxBaseURLs(ts.URL)
	c, err := efi.New(efi.Config{BaseURLs: &urls, ClientID: sandbox.DefaultClientID, ClientSecret: sandbox.DefaultClientSecret, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return c, sb, ts.URL
}

func date(days int) string { return time.Now().AddDate(0, 0, days).Format(efi.DateLayout) }

func TestClientAgainstSandbox(t *testing.T) {
	ctx := context.Background()
	c, _, root := startSandbox(t)

	link, err := c.CreateOneStepLink(ctx, efi.OneStepLinkRequest{
		Items:    []efi.Item{{Name: "Camiseta", Value: 5990, Amount: 2}},
		Metadata: &efi.Metadata{CustomID: "pedido-9|pl_abc"},
		Settings: efi.LinkSettings{PaymentMethod: "all", ExpireAt: date(5), BilletDiscount: 500,
			ConditionalDiscount: &efi.ConditionalDiscount{Type: "percentage", Value: 1000, UntilDate: date(2)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if link.Status != "link" || link.Total != 11980 || link.PaymentURL == "" || link.ConditionalDiscountType != "percentage" {
		t.Fatalf("link %+v", link)
	}
	got, found, err := c.FindChargeByCustomID(ctx, "pedido-9|pl_abc", time.Now().Add(-time.Hour))
	if err != nil || !found || got.ID != link.ChargeID {
		t.Fatalf("find by custom_id: %+v %v %v", got, found, err)
	}
	if _, found, _ := c.FindChargeByCustomID(ctx, "nope", time.Now().Add(-time.Hour)); found {
		t.Fatal("found a custom_id that does not exist")
	}
	upd, err := c.UpdateLink(ctx, link.ChargeID, efi.LinkSettings{PaymentMethod: "banking_billet", ExpireAt: date(7), Message: "Obrigado pela compra"})
	if err != nil || upd.PaymentMethod != "banking_billet" || upd.ExpireAt != date(7) {
		t.Fatalf("update link: %+v %v", upd, err)
	}
	if err := c.ResendLink(ctx, link.ChargeID, "ana@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := c.AddChargeHistory(ctx, link.ChargeID, "Cliente pediu desconto"); err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateChargeMetadata(ctx, link.ChargeID, efi.Metadata{CustomID: "pedido-10", NotificationURL: "https://example.com/hook"}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DetailCharge(ctx, link.ChargeID)
	if err != nil || d.Link == nil || *d.CustomID != "pedido-10" || *d.NotificationURL != "https://example.com/hook" || d.History[len(d.History)-1].Message == "" {
		t.Fatalf("detail: %+v %v", d, err)
	}
	if d.History[0].Time().IsZero() {
		t.Fatal("history timestamp not parsed")
	}

	// Pay on the hosted page; the notification token lists the changes.
	resp, err := http.PostForm(link.PaymentURL, url.Values{"method": {"billet"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	d, _ = c.DetailCharge(ctx, link.ChargeID)
	if d.Status != "paid" {
		t.Fatalf("after paying: %s", d.Status)
	}
	_ = root

	// Cancel: refused once paid, with a sentence a merchant understands.
	err = c.CancelCharge(ctx, link.ChargeID)
	var apiErr *efi.Error
	if !errors.As(err, &apiErr) || apiErr.Code != 3500043 || apiErr.Message("pt-BR") == "" {
		t.Fatalf("cancel paid: %v", err)
	}

	// Boleto in two steps: create, pay, new due date, resend, settle.
	ch, err := c.CreateCharge(ctx, efi.CreateChargeRequest{Items: []efi.Item{{Name: "Curso", Value: 20000, Amount: 1}}})
	if err != nil || ch.Status != "new" {
		t.Fatalf("create: %+v %v", ch, err)
	}
	pay, err := c.PayCharge(ctx, ch.ChargeID, efi.Payment{BankingBillet: &efi.BankingBillet{ExpireAt: date(3), Customer: efi.Customer{Name: "Gorbadoc Oldbuck", CPF: "94271564656"}}})
	if err != nil || pay.Status != "waiting" || pay.Barcode == "" {
		t.Fatalf("pay: %+v %v", pay, err)
	}
	if err := c.UpdateBillet(ctx, ch.ChargeID, date(10)); err != nil {
		t.Fatal(err)
	}
	if err := c.ResendBillet(ctx, ch.ChargeID, "ana@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := c.SettleCharge(ctx, ch.ChargeID); err != nil {
		t.Fatal(err)
	}

	// One step by card: the sandbox refuses a token ending in 2.
	res, err := c.CreateOneStepCharge(ctx, efi.OneStepRequest{Items: []efi.Item{{Name: "Curso", Value: 20000, Amount: 1}},
		Payment: efi.Payment{CreditCard: &efi.CreditCard{Installments: 2, PaymentToken: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa2",
			Customer: efi.Customer{Name: "Gorbadoc Oldbuck", CPF: "94271564656", Email: "g@example.com"}}}})
	if err != nil || res.Status != "unpaid" || res.Refusal == nil || res.Refusal.Reason == "" {
		t.Fatalf("refused card: %+v %v", res, err)
	}
	// A link on an existing charge.
	ch2, _ := c.CreateCharge(ctx, efi.CreateChargeRequest{Items: []efi.Item{{Name: "Aula", Value: 9000}}})
	if l, err := c.DefineLink(ctx, ch2.ChargeID, efi.LinkSettings{PaymentMethod: "credit_card", ExpireAt: date(2)}); err != nil || l.Status != "link" {
		t.Fatalf("define link: %+v %v", l, err)
	}

	inst, err := c.GetInstallments(ctx, 10000, "mastercard")
	if err != nil || len(inst.Installments) == 0 || inst.Installments[0].Value != 10000 {
		t.Fatalf("installments: %+v %v", inst, err)
	}

	// Validation errors carry the field the form shows them on.
	_, err = c.CreateOneStepLink(ctx, efi.OneStepLinkRequest{Items: []efi.Item{{Name: "x", Value: 1000}},
		Settings: efi.LinkSettings{PaymentMethod: "all", ExpireAt: "2020-01-01"}})
	if !errors.As(err, &apiErr) || apiErr.Field() != "settings.expire_at" || apiErr.Code != 4600007 {
		t.Fatalf("past expiry: %v (field %q)", err, apiErr.Field())
	}
}

func TestClientReadsNotificationFromSandbox(t *testing.T) {
	ctx := context.Background()
	tokens := make(chan string, 10)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		tokens <- r.PostForm.Get("notification")
	}))
	defer receiver.Close()
	c, sb, _ := startSandbox(t)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go sb.Run(runCtx)
	link, err := c.CreateOneStepLink(ctx, efi.OneStepLinkRequest{Items: []efi.Item{{Name: "Caneca", Value: 2500, Amount: 1}},
		Metadata: &efi.Metadata{NotificationURL: receiver.URL}, Settings: efi.LinkSettings{PaymentMethod: "all", ExpireAt: date(3)}})
	if err != nil {
		t.Fatal(err)
	}
	sb.ChargeAction(link.ChargeID, "paid")
	var token string
	select {
	case token = <-tokens:
	case <-time.After(5 * time.Second):
		t.Fatal("no callback")
	}
	changes, err := c.GetNotification(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	last := changes[len(changes)-1]
	if last.Status.Current != "paid" || last.Identifiers.ChargeID != link.ChargeID || last.Value != 2500 || last.ReceivedByBankAt == "" {
		t.Fatalf("last change %+v", last)
	}
}
