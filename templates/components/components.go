// Package components holds the templ components every page shares: form
// fields with their error messages, the money input, tables with an empty
// state, keyset pagination and status badges.
package components

import (
	"context"

	"github.com/a-h/templ"

	"github.com/efiportal/portal/web/i18n"
)

// FieldProps describes one labelled form field.
type FieldProps struct {
	// Name is the input's name (and, prefixed with "f-", its id).
	Name string
	// Label is the visible label, already translated.
	Label string
	// Type is the input type; "" means text.
	Type string
	// Value is what the person typed, shown again after a failed submit.
	Value string
	// Error is the message under the field; empty when the field is fine.
	Error string
	// Hint is a short help text under the label.
	Hint string
	// Required marks the field required for the browser and screen readers.
	Required bool
	// Autocomplete is the autocomplete attribute, when one applies.
	Autocomplete string
	// InputMode hints the on-screen keyboard ("numeric", "decimal", "email").
	InputMode string
	// Placeholder is an example value.
	Placeholder string
	// Attrs carries extra attributes (htmx validation triggers, min, max...).
	Attrs map[string]string
}

// ID is the input's id attribute.
func (f FieldProps) ID() string { return "f-" + f.Name }

func (f FieldProps) inputType() string {
	if f.Type == "" {
		return "text"
	}
	return f.Type
}

func (f FieldProps) describedBy() string {
	s := ""
	if f.Hint != "" {
		s = f.ID() + "-hint"
	}
	if f.Error != "" {
		if s != "" {
			s += " "
		}
		s += f.ID() + "-error"
	}
	return s
}

func (f FieldProps) attrs() templ.Attributes {
	m := templ.Attributes{}
	for k, v := range f.Attrs {
		m[k] = v
	}
	if f.Autocomplete != "" {
		m["autocomplete"] = f.Autocomplete
	}
	if f.InputMode != "" {
		m["inputmode"] = f.InputMode
	}
	if f.Placeholder != "" {
		m["placeholder"] = f.Placeholder
	}
	if d := f.describedBy(); d != "" {
		m["aria-describedby"] = d
	}
	if f.Error != "" {
		m["aria-invalid"] = "true"
	}
	if f.Required {
		m["required"] = true
		m["aria-required"] = "true"
	}
	return m
}

// Pager holds the keyset pagination links of a list; an empty URL disables that direction.
type Pager struct {
	PrevURL string
	NextURL string
}

// StatusTone maps an Efí status to a badge colour.
func StatusTone(status string) string {
	switch status {
	case "paid", "settled", "approved", "active", "opened", "LIQUIDADO", "up_to_date", "finished":
		return "success"
	case "unpaid", "contested", "refunded", "refused", "NAO_REALIZADO", "canceled", "CANCELADO":
		return "danger"
	case "expired":
		return "muted"
	case "waiting", "link", "new", "new_charge", "identified", "requested", "EM_PROCESSAMENTO", "AGENDADO":
		return "warning"
	}
	return "neutral"
}

// StatusLabel translates a status, falling back to the API's own word.
func StatusLabel(ctx context.Context, status string) string {
	key := "status." + status
	if s := i18n.T(ctx, key); s != key {
		return s
	}
	return status
}
