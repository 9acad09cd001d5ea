package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/efiportal/portal/services/auth"
	"github.com/efiportal/portal/tests/browser"
)

func signIn(ctx context.Context, url, email, password string) chromedp.Tasks {
	return chromedp.Tasks{
		chromedp.Navigate(url + "/login"),
		chromedp.WaitVisible(`[data-testid="login"]`),
		chromedp.SendKeys(`#f-email`, email),
		chromedp.SendKeys(`#f-password`, password),
		chromedp.Click(`[data-testid="login-submit"]`),
		chromedp.WaitVisible(`[data-testid="home"]`),
	}
}

// TestBrowserPaymentLinkPaidOnSandbox is issue 6's story as a person does
// it: sign in as a merchant, create a link with two items and a discount,
// open its payment page, pay by boleto in the sandbox, come back and watch
// the status become paid without reloading, and find the callback in the
// event log.
func TestBrowserPaymentLinkPaidOnSandbox(t *testing.T) {
	url, _ := startPortal(t, map[string]string{"PORTAL_DEMO": "true", "PORTAL_ADMIN_PASSWORD": "cavalo-bateria-grampo"})
	ctx := browser.New(t)

	var total, linkURL string
	err := chromedp.Run(ctx,
		signIn(ctx, url, auth.DemoMerchantEmail, auth.DemoPassword),
		chromedp.Navigate(url+"/links"),
		chromedp.WaitVisible(`[data-testid="empty-state"]`),
		chromedp.Click(`[data-testid="empty-state"] a`),
		chromedp.WaitVisible(`[data-testid="link-form"]`),
		chromedp.SendKeys(`#f-items\.0\.name`, "Camiseta"),
		chromedp.SendKeys(`#f-items\.0\.value`, "59,90"),
		chromedp.SetValue(`#f-items\.0\.amount`, "2"),
		chromedp.Click(`[data-testid="add-item"]`),
		chromedp.WaitVisible(`#f-items\.1\.name`),
		chromedp.SendKeys(`#f-items\.1\.name`, "Caneca"),
		chromedp.SendKeys(`#f-items\.1\.value`, "25,00"),
		chromedp.SendKeys(`#f-billet_discount`, "5,00"),
		chromedp.SendKeys(`#f-custom_id`, "pedido-42"),
		chromedp.Poll(`(document.querySelector('[data-testid="items-total"]') || {}).textContent === "R$ 144,80"`, nil, chromedp.WithPollingTimeout(5*time.Second)),
	)
	if err != nil {
		browser.Screenshot(t, ctx, "fail-form")
		t.Fatalf("fill the form: %v", err)
	}
	browser.Screenshot(t, ctx, "link-new")
	err = chromedp.Run(ctx,
		chromedp.Click(`[data-testid="submit-link"]`),
		chromedp.WaitVisible(`[data-testid="link-url"]`),
		chromedp.Text(`[data-testid="link-total"]`, &total),
		chromedp.Text(`[data-testid="link-url"]`, &linkURL),
	)
	if err != nil {
		t.Fatalf("create the link: %v", err)
	}
	if total != "R$ 144,80" || !strings.Contains(linkURL, "/pay/") {
		t.Fatalf("link page: total %q url %q", total, linkURL)
	}
	browser.Screenshot(t, ctx, "link-detail")

	// The payer pays in another tab; the merchant's page turns paid by itself.
	payer, cancel := chromedp.NewContext(ctx)
	defer cancel()
	if err := chromedp.Run(payer,
		chromedp.Navigate(linkURL),
		chromedp.WaitVisible(`[data-testid="pay-billet"]`),
		chromedp.Click(`[data-testid="pay-billet"]`),
		chromedp.WaitVisible(`[data-testid="pay-result"]`),
	); err != nil {
		t.Fatalf("pay on the sandbox page: %v", err)
	}
	var status string
	err = chromedp.Run(ctx,
		chromedp.WaitVisible(`[data-testid="link-status"] [data-status="paid"]`),
		chromedp.Text(`[data-testid="link-status"]`, &status),
	)
	if err != nil || !strings.Contains(status, "Paga") {
		t.Fatalf("status did not turn paid without a reload: %q %v", status, err)
	}
	// The timeline and the actions follow, still without a reload: the
	// payment is in the timeline and cancel is no longer offered.
	if err := chromedp.Run(ctx,
		chromedp.WaitVisible(`#timeline-card [data-status="paid"]`),
		chromedp.WaitVisible(`[data-testid="cancel-blocked"]`),
	); err != nil {
		t.Fatalf("timeline and actions did not follow the new status: %v", err)
	}
	browser.Screenshot(t, ctx, "link-paid")
	var rows int
	if err := chromedp.Run(ctx,
		chromedp.Navigate(url+"/events"),
		chromedp.WaitVisible(`[data-testid="event-row"]`),
		chromedp.Evaluate(`document.querySelectorAll('[data-testid="event-row"]').length`, &rows),
	); err != nil || rows == 0 {
		t.Fatalf("event log: %d rows, %v", rows, err)
	}
}

// TestBrowserRefusedCardShowsUnpaidWithReason: the payer's card is refused
// by a sandbox test card; the merchant's page shows "unpaid" and why.
func TestBrowserRefusedCardShowsUnpaidWithReason(t *testing.T) {
	url, _ := startPortal(t, map[string]string{"PORTAL_DEMO": "true", "PORTAL_ADMIN_PASSWORD": "cavalo-bateria-grampo"})
	ctx := browser.New(t)
	var linkURL string
	err := chromedp.Run(ctx,
		signIn(ctx, url, auth.DemoMerchantEmail, auth.DemoPassword),
		chromedp.Navigate(url+"/links/new"),
		chromedp.WaitVisible(`[data-testid="link-form"]`),
		chromedp.SendKeys(`#f-items\.0\.name`, "Assinatura anual"),
		chromedp.SendKeys(`#f-items\.0\.value`, "199,00"),
		chromedp.Click(`[data-testid="submit-link"]`),
		chromedp.WaitVisible(`[data-testid="link-url"]`),
		chromedp.Text(`[data-testid="link-url"]`, &linkURL),
	)
	if err != nil {
		t.Fatalf("create the link: %v", err)
	}
	payer, cancel := chromedp.NewContext(ctx)
	defer cancel()
	if err := chromedp.Run(payer,
		chromedp.Navigate(linkURL),
		chromedp.WaitVisible(`[data-testid="card-number"]`),
		chromedp.SetValue(`[data-testid="card-number"]`, "4000 0000 0000 0002"),
		chromedp.Click(`[data-testid="pay-card"]`),
		chromedp.WaitVisible(`[data-testid="pay-result"]`),
	); err != nil {
		t.Fatalf("pay by card: %v", err)
	}
	var reason string
	err = chromedp.Run(ctx,
		chromedp.WaitVisible(`[data-testid="link-status"] [data-status="unpaid"]`),
		chromedp.Text(`[data-testid="status-reason"]`, &reason),
	)
	if err != nil || !strings.Contains(reason, "Transação não autorizada por motivos de segurança") {
		t.Fatalf("refused card: reason %q, %v", reason, err)
	}
}
