package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/efiportal/portal/services"
	"github.com/efiportal/portal/templates/layout"
	"github.com/efiportal/portal/web/i18n"
)

// problem is what a failed service call means for a form: a message under
// each input it concerns and a sentence for the rest, both translated.
type problem struct {
	Status int
	Fields map[string]string
	Msg    string
}

// serviceError maps a service error to a response in the one place that
// knows the mapping. A domain error with a message safe to show becomes a
// problem the caller renders with the form (ok=true). Not found and
// forbidden end the request with the 404 and 403 pages, and anything else
// with the 500 page, its cause only in the log (ok=false: the caller
// returns).
func serviceError(c *gin.Context, page PageFunc, err error) (problem, bool) {
	ctx := c.Request.Context()
	var se *services.Error
	if errors.As(err, &se) && (se.Msg.Key != "" || len(se.Fields) > 0) {
		p := problem{Status: http.StatusUnprocessableEntity, Fields: translateFields(ctx, se.Fields)}
		switch {
		case errors.Is(se.Kind, services.ErrConflict):
			p.Status = http.StatusConflict
		case errors.Is(se.Kind, services.ErrUpstream):
			p.Status = http.StatusBadGateway
		}
		if se.Msg.Key != "" {
			p.Msg = translate(ctx, se.Msg)
		}
		if se.Cause != nil {
			c.Error(se)
		}
		return p, true
	}
	switch {
	case errors.Is(err, services.ErrNotFound):
		ErrorPage(c, page, http.StatusNotFound)
	case errors.Is(err, services.ErrForbidden):
		ErrorPage(c, page, http.StatusForbidden)
	default:
		c.Error(err)
		slog.ErrorContext(ctx, "request failed", "err", err, "request_id", RequestID(ctx), "path", c.Request.URL.Path)
		ErrorPage(c, page, http.StatusInternalServerError)
	}
	return problem{}, false
}

// localizer is an argument that knows how to say itself in a language
// (an API error's sentence, for instance).
type localizer interface {
	Localized(lang string) string
}

// translate renders a service message in the request's language; its
// arguments may be messages themselves (translated recursively) or values
// that localise themselves.
func translate(ctx context.Context, m services.Message) string {
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		switch v := a.(type) {
		case services.Message:
			args[i] = translate(ctx, v)
		case *services.Message:
			args[i] = translate(ctx, *v)
		case localizer:
			args[i] = v.Localized(string(i18n.From(ctx)))
		default:
			args[i] = v
		}
	}
	return i18n.T(ctx, m.Key, args...)
}

func translateFields(ctx context.Context, f services.FieldErrors) map[string]string {
	out := make(map[string]string, len(f))
	for k, m := range f {
		out[k] = translate(ctx, m)
	}
	return out
}

// formStatus is the status of a form rendered again after a failure: htmx
// swaps only 2xx answers, so it gets 200; a plain post gets the real code.
func formStatus(c *gin.Context, status int) int {
	if c.GetHeader("HX-Request") == "true" {
		return http.StatusOK
	}
	return status
}

// redirect ends a successful POST: a 303 to the page to show, or for an
// htmx request (whose answer would land inside a fragment) HX-Redirect.
func redirect(c *gin.Context, to string) {
	if IsHTMX(c) {
		c.Header("HX-Redirect", to)
		c.Status(http.StatusOK)
		return
	}
	c.Redirect(http.StatusSeeOther, to)
}

// flashKey queues a translated success message.
func flashKey(c *gin.Context, key string, args ...any) {
	AddFlash(c, layout.FlashSuccess, i18n.T(c.Request.Context(), key, args...))
}
