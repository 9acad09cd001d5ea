package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/efiportal/portal/handlers"
	"github.com/efiportal/portal/web/i18n"
)

// requestIDHeader carries the request id in and out.
const requestIDHeader = "X-Request-Id"

// requestID gives every request an id (a well-formed one from a trusted
// proxy is kept), puts it in the context and echoes it in the response.
func requestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(requestIDHeader)
		if !validRequestID(id) {
			var b [8]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Header(requestIDHeader, id)
		c.Request = c.Request.WithContext(handlers.WithRequestID(c.Request.Context(), id))
		c.Next()
	}
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// accessLog writes one structured line per request.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		} else if status >= 400 {
			level = slog.LevelWarn
		}
		attrs := []slog.Attr{
			slog.String("request_id", handlers.RequestID(c.Request.Context())),
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.String("route", c.FullPath()),
			slog.Int("status", status),
			slog.Int("bytes", c.Writer.Size()),
			slog.Duration("duration", time.Since(start)),
			slog.String("client_ip", c.ClientIP()),
		}
		if len(c.Errors) > 0 {
			attrs = append(attrs, slog.String("errors", c.Errors.String()))
		}
		log.LogAttrs(c.Request.Context(), level, "http request", attrs...)
	}
}

// recovery turns a panic into the 500 page: the stack goes to the log with
// the request id, never to the browser.
func (s *Server) recovery() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			rec := recover()
			if rec == nil {
				return
			}
			if rec == http.ErrAbortHandler {
				panic(rec)
			}
			s.cfg.Logger.ErrorContext(c.Request.Context(), "panic serving request",
				"request_id", handlers.RequestID(c.Request.Context()),
				"path", c.Request.URL.Path,
				"panic", fmt.Sprint(rec),
				"stack", string(debug.Stack()))
			if c.Writer.Written() {
				c.Abort()
				return
			}
			c.Writer.Header().Del("Content-Encoding") // the gzip writer has not written yet
			handlers.ErrorPage(c, s.page, http.StatusInternalServerError)
			c.Abort()
		}()
		c.Next()
	}
}

// contentSecurityPolicy allows only the portal's own scripts and styles:
// no inline script, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries.
func securityHeaders(https bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if https {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		c.Next()
	}
}

// localeCookie holds the language a person picked.
const localeCookie = "lang"

// locale puts the request's locale in the context: the person's choice
// (cookie), else the browser's Accept-Language, else pt-BR.
func locale() gin.HandlerFunc {
	return func(c *gin.Context) {
		l := i18n.FromAcceptLanguage(c.GetHeader("Accept-Language"))
		if v, err := c.Cookie(localeCookie); err == nil {
			if pl, ok := i18n.Parse(v); ok {
				l = pl
			}
		}
		c.Request = c.Request.WithContext(i18n.WithLocale(c.Request.Context(), l))
		c.Next()
	}
}

// setLocale handles POST /locale: remembers the chosen language and returns
// to the page the person was on.
func (s *Server) setLocale(c *gin.Context) {
	l, ok := i18n.Parse(c.PostForm("lang"))
	if ok {
		c.SetSameSite(http.SameSiteLaxMode)
		c.SetCookie(localeCookie, string(l), 365*24*3600, "/", "", s.https(), true)
	}
	c.Redirect(http.StatusSeeOther, safeReturn(c.PostForm("return")))
}

// safeReturn keeps a redirect target on this site: a path, never a URL to elsewhere.
func safeReturn(p string) string {
	u, err := url.Parse(p)
	if err != nil || p == "" || u.IsAbs() || u.Host != "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, `\`) {
		return "/"
	}
	return p
}

func (s *Server) https() bool { return strings.HasPrefix(s.cfg.BaseURL, "https://") }
