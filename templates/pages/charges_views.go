package pages

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/efiportal/portal/db"
	"github.com/efiportal/portal/services/charges"
	"github.com/efiportal/portal/services/links"
	"github.com/efiportal/portal/templates/components"
	"github.com/efiportal/portal/templates/layout"
	"github.com/efiportal/portal/web/i18n"
)

// Errors are translated messages by input name.
type Errors map[string]string

// Get returns the message of one input, "" when it is fine.
func (e Errors) Get(name string) string { return e[name] }

// LinkFormView is the link creation form as the person typed it.
type LinkFormView struct {
	Page   layout.Page
	Form   links.Form
	Errors Errors
	// Notice is a failure not tied to one input (the API unreachable...).
	Notice string
	// Total is the running total of the items typed so far.
	Total int64
}

// ListFilter is a list's filter as typed.
type ListFilter struct {
	Status string
	Kind   string
	From   string
	To     string
	Q      string
	Org    string
}

// Query is the filter as URL parameters (empty ones left out).
func (f ListFilter) Query() string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+urlEscape(v))
		}
	}
	add("status", f.Status)
	add("kind", f.Kind)
	add("from", f.From)
	add("to", f.To)
	add("q", f.Q)
	add("org", f.Org)
	return strings.Join(parts, "&")
}

// Active reports whether any filter is set.
func (f ListFilter) Active() bool { return f != ListFilter{} }

// ChargeListView is the links list (/links) or the charges list (/charges).
type ChargeListView struct {
	Page layout.Page
	// Base is the list's path: "/links" or "/charges".
	Base     string
	Links    bool // the links list (no kind column, "new link" button)
	Staff    bool
	Orgs     []db.Organisation
	Filter   ListFilter
	Errors   Errors
	Rows     []db.Charge
	Pager    components.Pager
	Statuses []string
}

// ExportURL is the CSV export of the filtered list.
func (v ChargeListView) ExportURL() string {
	u := v.Base + "/export.csv"
	if q := v.Filter.Query(); q != "" {
		u += "?" + q
	}
	return u
}

// DetailURL is where a row of the list opens.
func (v ChargeListView) DetailURL(c db.Charge) string {
	if c.Kind == db.KindLink && v.Links {
		return "/links/" + strconv.FormatInt(c.ID, 10)
	}
	return "/charges/" + strconv.FormatInt(c.ID, 10)
}

// LinkDetailView is a payment link's page.
type LinkDetailView struct {
	Page   layout.Page
	D      charges.Detail
	Notice string
	// CancelBlocked explains, translated, why cancel is not offered.
	CancelBlocked string
	// Settings is the settings form as typed (prefilled from the link).
	Settings       links.Form
	SettingsErrors Errors
	// OpenSettings unfolds the settings form (after a failed change).
	OpenSettings bool
	ResendEmail  string
	ResendError  string
	Note         string
	NoteError    string
}

// ChargeDetailView is any charge's page.
type ChargeDetailView struct {
	Page            layout.Page
	D               charges.Detail
	Notice          string
	CancelBlocked   string
	CustomID        string
	NotificationURL string
	MetaErrors      Errors
	Note            string
	NoteError       string
}

// InstallmentsView is the installments table per card brand.
type InstallmentsView struct {
	Page   layout.Page
	Staff  bool
	Orgs   []db.Organisation
	Total  string
	Org    string
	Errors Errors
	Notice string
	Tables []charges.Installments
	Asked  bool
}

// EventsView is the event log.
type EventsView struct {
	Page    layout.Page
	Staff   bool
	Orgs    []db.Organisation
	State   string
	Org     string
	Events  []db.WebhookEvent
	NextURL string
	// FirstURL returns to the newest events when on a later page.
	FirstURL string
}

// EventDetailView is one event of the log.
type EventDetailView struct {
	Page  layout.Page
	Staff bool
	E     db.WebhookEvent
}

// Final reports whether a status will not change again, so the page stops
// polling. A cancelled link cannot be paid any more, so it ends too.
func Final(status string) bool { return charges.IsFinal(status) || status == "canceled" }

func idPath(prefix string, id int64, suffix string) string {
	return prefix + strconv.FormatInt(id, 10) + suffix
}

func urlEscape(s string) string { return url.QueryEscape(s) }

// methodLabel names a payment method in the person's language.
func methodLabel(ctx context.Context, m string) string {
	switch m {
	case links.MethodBillet, links.MethodCard, links.MethodAll:
		return i18n.T(ctx, "links.method."+m)
	}
	return m
}

// eventText is a timeline entry's sentence: an i18n key for what the
// portal did, or the API's own words (a refusal reason, a note).
func eventText(ctx context.Context, msg string) string {
	if strings.HasPrefix(msg, "links.event.") || strings.HasPrefix(msg, "charges.event.") {
		return i18n.T(ctx, msg)
	}
	return msg
}

// Outcome turns a stored event outcome into a sentence:
// "events.outcome.applied|<applied>|<ignored>[|unknown:[ids]]",
// "events.outcome.fetch_failed|<error>" or "events.outcome.no_token".
func Outcome(ctx context.Context, outcome string) string {
	if outcome == "" {
		return i18n.T(ctx, "events.outcome.none")
	}
	parts := strings.Split(outcome, "|")
	switch parts[0] {
	case "events.outcome.applied":
		applied, ignored := 0, 0
		if len(parts) > 2 {
			applied, _ = strconv.Atoi(parts[1])
			ignored, _ = strconv.Atoi(parts[2])
		}
		s := i18n.T(ctx, "events.outcome.applied", applied, ignored)
		for _, p := range parts[3:] {
			if ids, ok := strings.CutPrefix(p, "unknown:"); ok {
				ids = strings.Join(strings.Fields(strings.Trim(ids, "[]")), ", ")
				s += " " + i18n.T(ctx, "events.outcome.unknown", ids)
			}
		}
		return s
	case "events.outcome.fetch_failed":
		return i18n.T(ctx, "events.outcome.fetch_failed", strings.Join(parts[1:], "|"))
	case "events.outcome.no_token":
		return i18n.T(ctx, "events.outcome.no_token")
	}
	return outcome
}

// EventStateTone colours an event's state badge.
func EventStateTone(state string) string {
	switch state {
	case db.EventDone:
		return "success"
	case db.EventFailed:
		return "danger"
	}
	return "warning"
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func percent(ctx context.Context, v int64) string {
	s := i18n.FormatMoneyInput(i18n.From(ctx), v)
	return s + " %"
}

// dateString shows an API date (YYYY-MM-DD) in the person's format.
func dateString(ctx context.Context, s string) string {
	t, err := time.ParseInLocation("2006-01-02", s, i18n.Zone)
	if err != nil {
		return s
	}
	return i18n.Date(ctx, t.Add(12*time.Hour))
}

func secretHint(ctx context.Context, set bool) string {
	if set {
		return i18n.T(ctx, "settings.secret.set")
	}
	return i18n.T(ctx, "settings.secret.unset")
}

func joinScopes(s []string) string { return strings.Join(s, " ") }
