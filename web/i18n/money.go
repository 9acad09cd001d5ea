package i18n

import (
	"errors"
	"strconv"
	"strings"
)

// ErrMoney is returned by ParseMoney for text that is not an amount.
var ErrMoney = errors.New("not an amount in reais")

// ParseMoney reads an amount typed by a person into centavos. It accepts
// "1.234,56", "1234,56", "1234.56", "R$ 1.234,56", "12" and "12,5"; in
// pt-BR a lone dot followed by exactly three digits is a thousands
// separator ("1.234" is 1234 reais). Negative amounts and more than two
// decimal places are refused.
func ParseMoney(l Locale, s string) (int64, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "R$")
	s = strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	if s == "" || strings.HasPrefix(s, "-") {
		return 0, ErrMoney
	}
	dec, thou := ",", "."
	if l == En {
		dec, thou = ".", ","
	}
	var whole, frac string
	switch {
	case strings.Contains(s, dec):
		i := strings.LastIndex(s, dec)
		whole, frac = s[:i], s[i+1:]
		whole = strings.ReplaceAll(whole, thou, "")
	case strings.Count(s, thou) == 1 && len(s)-strings.Index(s, thou)-1 != 3:
		// "1234.56" typed in pt-BR: the only separator, not three digits after it, is a decimal point.
		i := strings.Index(s, thou)
		whole, frac = s[:i], s[i+1:]
	default:
		whole = strings.ReplaceAll(s, thou, "")
	}
	if whole == "" {
		whole = "0"
	}
	if len(frac) > 2 || !digits(whole) || !digits(frac) || len(whole) > 13 {
		return 0, ErrMoney
	}
	for len(frac) < 2 {
		frac += "0"
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, ErrMoney
	}
	return n, nil
}

// FormatMoneyInput formats centavos the way a person types them in the
// locale, without the currency sign ("1.234,56"), to refill a form.
func FormatMoneyInput(l Locale, cents int64) string {
	return strings.TrimPrefix(FormatMoney(l, cents), "R$ ")
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
