package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/efiportal/portal/tests/browser"
)

// TestBrowserOpensStyledPortal is the newcomer's first minute: the portal
// started by run opens in a real browser, styled, with htmx loaded, in
// Portuguese, and switches to English from the language picker.
func TestBrowserOpensStyledPortal(t *testing.T) {
	url, _ := startPortal(t, map[string]string{"PORTAL_ADMIN_EMAIL": "admin@loja.test", "PORTAL_ADMIN_PASSWORD": "cavalo-bateria-grampo"})
	ctx := browser.New(t)

	var title, topbarBg, h1, htmxVersion string
	err := chromedp.Run(ctx,
		chromedp.Navigate(url+"/"),
		chromedp.WaitVisible(`[data-testid="login"]`),
		chromedp.SendKeys(`#f-email`, "admin@loja.test"),
		chromedp.SendKeys(`#f-password`, "cavalo-bateria-grampo"),
		chromedp.Click(`[data-testid="login-submit"]`),
		chromedp.WaitVisible(`[data-testid="home"]`),
		chromedp.Title(&title),
		chromedp.Text(`h1`, &h1),
		chromedp.Evaluate(`getComputedStyle(document.querySelector('.btn-primary, .topbar')).backgroundColor`, &topbarBg),
		chromedp.Poll(`window.htmx && htmx.version`, &htmxVersion),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(title, "Portal Efí") || h1 != "Bem-vindo ao Portal Efí" {
		t.Fatalf("title %q, h1 %q", title, h1)
	}
	if topbarBg != "rgb(255, 255, 255)" {
		t.Fatalf("stylesheet not applied: header background %q", topbarBg)
	}
	if !strings.HasPrefix(htmxVersion, "2.") {
		t.Fatalf("htmx not loaded: %q", htmxVersion)
	}
	browser.Screenshot(t, ctx, "home")

	// The language picker submits on change (js/app.js) and comes back in English.
	err = chromedp.Run(ctx,
		chromedp.WaitVisible(`#lang-select`),
		chromedp.SetValue(`#lang-select`, "en"),
		chromedp.Evaluate(`(() => { const s = document.querySelector('#lang-select'); if (s) s.dispatchEvent(new Event('change', {bubbles: true})); return !!s; })()`, nil),
		chromedp.WaitVisible(`//h1[text()="Welcome to the Efí Portal"]`),
	)
	if err != nil {
		t.Fatalf("switch to English: %v", err)
	}
}
