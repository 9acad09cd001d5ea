package i18n

import (
	"context"
	"testing"
	"time"
)

func TestCataloguesComplete(t *testing.T) {
	for _, pair := range [][2]Locale{{PtBR, En}, {En, PtBR}} {
		other := catalogue(pair[1])
		for _, k := range Keys(pair[0]) {
			if _, ok := other[k]; !ok {
				t.Errorf("key %q is in %s but not in %s", k, pair[0], pair[1])
			}
		}
	}
}

func TestFormatMoney(t *testing.T) {
	tests := []struct {
		l     Locale
		cents int64
		want  string
	}{
		{PtBR, 0, "R$ 0,00"},
		{PtBR, 5, "R$ 0,05"},
		{PtBR, 123456, "R$ 1.234,56"},
		{PtBR, 100000000, "R$ 1.000.000,00"},
		{PtBR, -2550, "-R$ 25,50"},
		{En, 123456, "R$ 1,234.56"},
	}
	for _, tt := range tests {
		if got := FormatMoney(tt.l, tt.cents); got != tt.want {
			t.Errorf("FormatMoney(%s, %d) = %q, want %q", tt.l, tt.cents, got, tt.want)
		}
	}
}

func TestParseMoney(t *testing.T) {
	tests := []struct {
		l     Locale
		in    string
		want  int64
		wantE bool
	}{
		{PtBR, "1.234,56", 123456, false},
		{PtBR, "R$ 1.234,56", 123456, false},
		{PtBR, "1234,5", 123450, false},
		{PtBR, "1234.56", 123456, false},
		{PtBR, "1.234", 123400, false},
		{PtBR, "12", 1200, false},
		{PtBR, ",99", 99, false},
		{PtBR, "1,234", 0, true},
		{PtBR, "abc", 0, true},
		{PtBR, "", 0, true},
		{PtBR, "-5,00", 0, true},
		{En, "1,234.56", 123456, false},
		{En, "10.5", 1050, false},
	}
	for _, tt := range tests {
		got, err := ParseMoney(tt.l, tt.in)
		if (err != nil) != tt.wantE || got != tt.want {
			t.Errorf("ParseMoney(%s, %q) = %d, %v; want %d, error %v", tt.l, tt.in, got, err, tt.want, tt.wantE)
		}
	}
}

func TestDates(t *testing.T) {
	d := time.Date(2026, 3, 5, 15, 0, 0, 0, time.UTC)
	if got := FormatDate(PtBR, d); got != "05/03/2026" {
		t.Errorf("pt-BR date = %q", got)
	}
	if got := FormatDate(En, d); got != "Mar 5, 2026" {
		t.Errorf("en date = %q", got)
	}
	ctx := WithLocale(context.Background(), PtBR)
	if got := DateTime(ctx, d); got != "05/03/2026 12:00" {
		t.Errorf("pt-BR datetime in São Paulo = %q", got)
	}
}

func TestFromAcceptLanguage(t *testing.T) {
	tests := map[string]Locale{
		"":                        PtBR,
		"en-US,en;q=0.9":          En,
		"pt-BR,pt;q=0.9,en;q=0.8": PtBR,
		"fr-FR,en;q=0.5,pt;q=0.4": En,
		"de-DE":                   PtBR,
		"en;q=0.2,pt-PT;q=0.9":    PtBR,
	}
	for h, want := range tests {
		if got := FromAcceptLanguage(h); got != want {
			t.Errorf("FromAcceptLanguage(%q) = %s, want %s", h, got, want)
		}
	}
}
