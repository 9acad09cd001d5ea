// Package layout holds the page shell every screen renders inside: header,
// navigation, flash messages and the main area.
package layout

import (
	"context"
	"strings"
	"unicode"

	"github.com/efiportal/portal/web/i18n"
)

// Page is the view model of the shell around every page.
type Page struct {
	// Title is the page's own title (already translated); the product name is appended.
	Title string
	// Active is the nav key of the current area, e.g. "nav.links".
	Active string
	// Path is the current URL path, where the language switch returns to.
	Path string
	// User is the signed-in person; nil on public pages.
	User *User
	// Nav lists the areas the user may open.
	Nav []NavItem
	// Flashes are one-time messages shown as toasts.
	Flashes []Flash
	// SandboxURL links to the embedded sandbox's control page, when there is one.
	SandboxURL string
	// RequestID is shown on error pages so support can find the log line.
	RequestID string
}

// User is what the header shows of the signed-in person.
type User struct {
	Name    string
	Email   string
	Role    string
	OrgName string
}

// NavItem is one entry of the main navigation.
type NavItem struct {
	// Key is the i18n key of its label, also used to mark the active item.
	Key  string
	Href string
}

// Flash kinds.
const (
	FlashSuccess = "success"
	FlashError   = "error"
	FlashInfo    = "info"
)

// Flash is a one-time message.
type Flash struct {
	Kind string
	Text string
}

// Locales is the language picker's list.
func Locales() []i18n.Locale { return i18n.Locales }

func initials(name string) string {
	var out []rune
	for _, w := range strings.Fields(name) {
		r := []rune(w)
		if len(r) > 0 && unicode.IsLetter(r[0]) {
			out = append(out, unicode.ToUpper(r[0]))
		}
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 0 {
		return "?"
	}
	return string(out)
}

func documentTitle(ctx context.Context, title string) string {
	if title == "" {
		return i18n.T(ctx, "app.name")
	}
	return title + " · " + i18n.T(ctx, "app.name")
}
