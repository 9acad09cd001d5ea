// Package i18n is the portal's one translation mechanism: every string a
// person reads goes through T with a key from the catalogues, and money and
// dates are formatted for the request's locale.
package i18n

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Locale is a supported language tag.
type Locale string

// Supported locales. PtBR is the default.
const (
	PtBR Locale = "pt-BR"
	En   Locale = "en"
)

// Locales lists the supported locales in the order the language picker shows them.
var Locales = []Locale{PtBR, En}

// Name is the locale's own name for itself.
func (l Locale) Name() string {
	if l == En {
		return "English"
	}
	return "Português"
}

// Parse returns the supported locale that tag names, and false if none does.
func Parse(tag string) (Locale, bool) {
	tag = strings.ToLower(strings.TrimSpace(tag))
	switch {
	case tag == "pt" || strings.HasPrefix(tag, "pt-") || strings.HasPrefix(tag, "pt_"):
		return PtBR, true
	case tag == "en" || strings.HasPrefix(tag, "en-") || strings.HasPrefix(tag, "en_"):
		return En, true
	}
	return PtBR, false
}

// FromAcceptLanguage picks the best supported locale from an
// Accept-Language header by its q-values, defaulting to pt-BR.
func FromAcceptLanguage(header string) Locale {
	best, bestQ := PtBR, -1.0
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if _, err := fmt.Sscanf(v, "%g", &q); err != nil {
				continue
			}
		}
		if l, ok := Parse(tag); ok && q > bestQ {
			best, bestQ = l, q
		}
	}
	return best
}

type ctxKey struct{}

// WithLocale returns a context that carries the locale.
func WithLocale(ctx context.Context, l Locale) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// From returns the context's locale, pt-BR when none was set.
func From(ctx context.Context) Locale {
	if l, ok := ctx.Value(ctxKey{}).(Locale); ok {
		return l
	}
	return PtBR
}

// T translates key into the context's locale; args fill fmt verbs in the
// message. An unknown key is returned as is, and a test keeps the
// catalogues complete.
func T(ctx context.Context, key string, args ...any) string {
	return Translate(From(ctx), key, args...)
}

// Translate is T for an explicit locale.
func Translate(l Locale, key string, args ...any) string {
	msg, ok := catalogue(l)[key]
	if !ok {
		msg, ok = ptBR[key]
		if !ok {
			return key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

func catalogue(l Locale) map[string]string {
	if l == En {
		return en
	}
	return ptBR
}

// Keys lists every key of the locale's catalogue (for tests).
func Keys(l Locale) []string {
	c := catalogue(l)
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}

// Zone is where the portal's people live: dates and times are shown in it.
var Zone = mustZone("America/Sao_Paulo")

func mustZone(name string) *time.Location {
	z, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone("BRT", -3*60*60)
	}
	return z
}

// Money formats centavos as reais: "R$ 1.234,56" in pt-BR, "R$ 1,234.56" in English.
func Money(ctx context.Context, cents int64) string { return FormatMoney(From(ctx), cents) }

// FormatMoney is Money for an explicit locale.
func FormatMoney(l Locale, cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	thousands, decimal := ".", ","
	if l == En {
		thousands, decimal = ",", "."
	}
	whole := fmt.Sprint(cents / 100)
	var b strings.Builder
	if neg {
		b.WriteString("-")
	}
	b.WriteString("R$ ")
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(thousands)
		}
		b.WriteRune(r)
	}
	fmt.Fprintf(&b, "%s%02d", decimal, cents%100)
	return b.String()
}

// Date formats a day: DD/MM/AAAA in pt-BR, "Jan 2, 2006" in English.
func Date(ctx context.Context, t time.Time) string { return FormatDate(From(ctx), t) }

// FormatDate is Date for an explicit locale.
func FormatDate(l Locale, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	if l == En {
		return t.In(Zone).Format("Jan 2, 2006")
	}
	return t.In(Zone).Format("02/01/2006")
}

// DateTime formats an instant with minutes, in the portal's time zone.
func DateTime(ctx context.Context, t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	if From(ctx) == En {
		return t.In(Zone).Format("Jan 2, 2006 15:04")
	}
	return t.In(Zone).Format("02/01/2006 15:04")
}
