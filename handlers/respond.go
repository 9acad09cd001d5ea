// Package handlers holds one struct per area of the portal: each parses and
// validates a request, calls a service and renders a templ page or an htmx
// partial. No SQL and no HTTP to Efí here.
package handlers

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"

	"github.com/a-h/templ"
	"github.com/gin-gonic/gin"

	"github.com/efiportal/portal/templates/layout"
	"github.com/efiportal/portal/templates/pages"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
)

// WithRequestID stores the request id in ctx.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestID returns the request id stored by the request-id middleware.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// IsHTMX reports whether the request came from htmx (and wants a fragment).
// A boosted navigation wants the whole page, so it does not count.
func IsHTMX(c *gin.Context) bool {
	return c.GetHeader("HX-Request") == "true" && c.GetHeader("HX-Boosted") != "true"
}

// Render writes a templ component with the request's context (user, locale,
// request id), buffered so a render error becomes a clean 500 page instead
// of half a page.
func Render(c *gin.Context, status int, comp templ.Component) {
	var buf bytes.Buffer
	if err := comp.Render(c.Request.Context(), &buf); err != nil {
		slog.ErrorContext(c.Request.Context(), "render failed", "err", err, "request_id", RequestID(c.Request.Context()), "path", c.Request.URL.Path)
		renderPlain500(c)
		return
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(status)
	c.Writer.Write(buf.Bytes())
}

// renderPlain500 is the last resort when even the error page fails to render.
func renderPlain500(c *gin.Context) {
	c.Header("Content-Type", "text/plain; charset=utf-8")
	c.String(http.StatusInternalServerError, "500 — internal error (request %s)", RequestID(c.Request.Context()))
}

// PageFunc builds the layout's view model for a request: the signed-in
// user, the navigation they may open, flashes. The web package provides it,
// so that handlers never know how sessions work.
type PageFunc func(c *gin.Context, title, active string) layout.Page

// ErrorPage renders the 403/404/500 page (the body alone for htmx), never
// with internals.
func ErrorPage(c *gin.Context, page PageFunc, status int) {
	v := pages.ErrorView{Page: page(c, http.StatusText(status), ""), Status: status}
	v.Page.RequestID = RequestID(c.Request.Context())
	if IsHTMX(c) {
		Render(c, status, pages.ErrorBody(v))
		return
	}
	Render(c, status, pages.Error(v))
}
