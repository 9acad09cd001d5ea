package components

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"

	"github.com/efiportal/portal/web/i18n"
)

func render(t *testing.T, l i18n.Locale, c templ.Component) *goquery.Document {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Render(i18n.WithLocale(context.Background(), l), &buf); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestFieldWithErrorKeepsValueAndTiesMessage(t *testing.T) {
	doc := render(t, i18n.PtBR, Field(FieldProps{Name: "email", Label: "E-mail", Type: "email", Value: "ana@", Error: "E-mail inválido.", Hint: "O e-mail do pagador", Required: true}))
	in := doc.Find("input#f-email")
	if v, _ := in.Attr("value"); v != "ana@" {
		t.Errorf("typed value lost: %q", v)
	}
	if v, _ := in.Attr("aria-invalid"); v != "true" {
		t.Error("aria-invalid not set")
	}
	if v, _ := in.Attr("aria-describedby"); v != "f-email-hint f-email-error" {
		t.Errorf("aria-describedby %q", v)
	}
	if got := doc.Find("#f-email-error").Text(); got != "E-mail inválido." {
		t.Errorf("error message %q", got)
	}
	if doc.Find(`label[for="f-email"]`).Length() != 1 {
		t.Error("no label for the input")
	}
}

func TestFieldWithoutErrorIsClean(t *testing.T) {
	doc := render(t, i18n.PtBR, Field(FieldProps{Name: "name", Label: "Nome"}))
	if _, ok := doc.Find("input").Attr("aria-invalid"); ok {
		t.Error("a valid field is marked invalid")
	}
	if strings.TrimSpace(doc.Find(".field-error").Text()) != "" {
		t.Error("empty error renders text")
	}
}

func TestMoneyAndStatusBadge(t *testing.T) {
	doc := render(t, i18n.PtBR, Money(123456))
	if got := doc.Find(".money-value").Text(); got != "R$ 1.234,56" {
		t.Errorf("money %q", got)
	}
	for _, tc := range []struct {
		l          i18n.Locale
		status     string
		label, cls string
	}{
		{i18n.PtBR, "paid", "Paga", "badge-success"},
		{i18n.En, "paid", "Paid", "badge-success"},
		{i18n.PtBR, "canceled", "Cancelada", "badge-danger"},
		{i18n.PtBR, "waiting", "Aguardando", "badge-warning"},
		{i18n.PtBR, "something_new", "something_new", "badge-neutral"},
	} {
		doc := render(t, tc.l, StatusBadge(tc.status))
		b := doc.Find(`[data-testid="status"]`)
		if b.Text() != tc.label || !b.HasClass(tc.cls) {
			t.Errorf("%s %s: %q %v", tc.l, tc.status, b.Text(), b.AttrOr("class", ""))
		}
	}
}

func TestTableEmptyStateAndPagination(t *testing.T) {
	doc := render(t, i18n.PtBR, Table("Links", []string{"A"}, 0, EmptyState("Nenhum link", "Crie o primeiro", "Novo link", "/links/new")))
	if doc.Find(`[data-testid="empty-state"] a[href="/links/new"]`).Length() != 1 || doc.Find("table").Length() != 0 {
		t.Error("empty table does not show the empty state with its action")
	}
	doc = render(t, i18n.PtBR, Pagination(Pager{NextURL: "/links?after=10"}))
	if doc.Find(`a[rel="next"][href="/links?after=10"]`).Length() != 1 || doc.Find(`a[rel="prev"]`).Length() != 0 {
		t.Error("pagination links wrong")
	}
	doc = render(t, i18n.PtBR, Pagination(Pager{}))
	if doc.Find("nav").Length() != 0 {
		t.Error("pagination shown for a single page")
	}
}
