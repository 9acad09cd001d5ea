package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/efiportal/portal/tests/browser"
)

// TestBrowserStaffDisablesMerchant is issue 3's story: staff signs in,
// creates an organisation and a merchant; the merchant signs in in another
// browser and sees only that organisation; staff disables the merchant and
// the merchant's next click lands on the sign-in page.
func TestBrowserStaffDisablesMerchant(t *testing.T) {
	url, _ := startPortal(t, map[string]string{"PORTAL_ADMIN_EMAIL": "admin@loja.test", "PORTAL_ADMIN_PASSWORD": "cavalo-bateria-grampo"})
	staff := browser.New(t)
	merchant := browser.New(t)

	err := chromedp.Run(staff,
		signIn(staff, url, "admin@loja.test", "cavalo-bateria-grampo"),
		chromedp.Navigate(url+"/orgs"),
		chromedp.WaitVisible(`[data-testid="org-form"]`),
		chromedp.SendKeys(`#f-name`, "Padaria Pão Quente"),
		chromedp.SendKeys(`#f-document`, "11.222.333/0001-81"),
		chromedp.Submit(`[data-testid="org-form"]`),
		chromedp.WaitVisible(`[data-testid="org-row"]`),
		chromedp.Navigate(url+"/users"),
		chromedp.WaitVisible(`[data-testid="user-form"]`),
		chromedp.SendKeys(`#f-name`, "Maria Padeira"),
		chromedp.SendKeys(`#f-email`, "maria@padaria.test"),
		chromedp.SetValue(`#f-org_id`, "1"),
		chromedp.SendKeys(`#f-password`, "fermento-natural-2026"),
		chromedp.Click(`[data-testid="create-user"]`),
		chromedp.WaitVisible(`[data-testid="user-row"][data-email="maria@padaria.test"]`),
	)
	if err != nil {
		browser.Screenshot(t, staff, "fail-staff")
		t.Fatalf("staff creates organisation and merchant: %v", err)
	}

	var userMenu, nav string
	err = chromedp.Run(merchant,
		signIn(merchant, url, "maria@padaria.test", "fermento-natural-2026"),
		chromedp.TextContent(`.user-menu-panel`, &userMenu),
		chromedp.Text(`.nav-wide`, &nav),
	)
	if err != nil {
		t.Fatalf("merchant signs in: %v", err)
	}
	if !strings.Contains(userMenu, "Padaria Pão Quente") || strings.Contains(nav, "Organizações") || strings.Contains(nav, "Usuários") {
		t.Fatalf("merchant sees menu %q and nav %q", userMenu, nav)
	}

	err = chromedp.Run(staff,
		chromedp.Navigate(url+"/users"),
		chromedp.Submit(`[data-testid="user-row"][data-email="maria@padaria.test"] form`),
		chromedp.WaitVisible(`[data-testid="toast"]`),
	)
	if err != nil {
		t.Fatalf("staff disables the merchant: %v", err)
	}
	err = chromedp.Run(merchant,
		chromedp.Click(`.nav-wide a[href="/links"]`),
		chromedp.WaitVisible(`[data-testid="login"]`),
	)
	if err != nil {
		browser.Screenshot(t, merchant, "fail-merchant")
		t.Fatalf("the disabled merchant's next click did not land on the sign-in page: %v", err)
	}
}
