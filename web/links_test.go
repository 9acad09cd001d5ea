package web

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/efiportal/portal/services"
)

func postForm(t *testing.T, c *http.Client, target, origin string, form url.Values, header ...string) (*http.Response, *goquery.Document) {
	t.Helper()
	req, _ := http.NewRequest("POST", target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(string(b)))
	return resp, doc
}

// TestLinkFormWithoutJavaScript: the add-item button posts the whole form
// back and gets it again with one more row and everything typed kept; a
// submit with errors shows each message under its field, keeping the input.
func TestLinkFormWithoutJavaScript(t *testing.T) {
	ts := newTestServer(t)
	merchant, _ := ts.user(t, services.RoleMerchant, ts.org(t, "Loja A"))
	form := url.Values{"idempotency_key": {"pl_abcdefghijklmnop"}, "items.0.name": {"Camiseta"}, "items.0.value": {"59,90"},
		"items.0.amount": {"2"}, "payment_method": {"all"}, "expire_at": {"2020-01-01"}, "message": {"Oi"}, "op": {"add"}}
	resp, doc := postForm(t, merchant, ts.URL+"/links", ts.URL, form)
	if resp.StatusCode != 200 || doc.Find(`[data-testid="item-row"]`).Length() != 2 {
		t.Fatalf("add item without JS: %d, %d rows", resp.StatusCode, doc.Find(`[data-testid="item-row"]`).Length())
	}
	if v, _ := doc.Find(`#f-items\.0\.name`).Attr("value"); v != "Camiseta" {
		t.Fatalf("typed item lost: %q", v)
	}
	if got := doc.Find(`[data-testid="items-total"]`).Text(); got != "R$ 119,80" {
		t.Fatalf("running total %q", got)
	}
	form.Del("op")
	resp, doc = postForm(t, merchant, ts.URL+"/links", ts.URL, form)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("invalid form: %d", resp.StatusCode)
	}
	for field, want := range map[string]string{"expire_at": "Escolha hoje ou uma data futura.", "message": "A mensagem precisa ter de 3 a 80 caracteres."} {
		if got := doc.Find(`#f-` + field + `-error`).Text(); got != want {
			t.Errorf("error under %s: %q, want %q", field, got, want)
		}
	}
	if v, _ := doc.Find(`#f-message`).Attr("value"); v != "Oi" {
		t.Fatalf("typed message lost: %q", v)
	}
	// As-you-type validation answers the one field that changed.
	resp, doc = postForm(t, merchant, ts.URL+"/links/validate", ts.URL, form, "HX-Request", "true", "HX-Trigger-Name", "message")
	if resp.StatusCode != 200 || doc.Find(`#f-message-error`).Text() == "" || doc.Find(`#f-expire_at-error`).Length() != 0 {
		t.Fatalf("validate one field: %d %q", resp.StatusCode, doc.Text())
	}
}
