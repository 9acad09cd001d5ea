package web

import (
	"github.com/gin-contrib/gzip"
	"github.com/gin-gonic/gin"

	"github.com/efiportal/portal/handlers"
	"github.com/efiportal/portal/static"
)

// routes lists every route of the portal and the middleware in front of
// each group, so the whole product reads from one screen.
func (s *Server) routes() {
	e := s.engine
	e.Use(
		requestID(),
		accessLog(s.cfg.Logger),
		s.metrics.middleware(),
		s.recovery(),
		securityHeaders(s.https()),
		gzip.Gzip(gzip.DefaultCompression),
		locale(),
		s.crossOrigin(),
		s.loadSession(),
	)
	e.NoRoute(s.notFound)

	// Operations: probes and metrics, no session.
	ops := handlers.NewOps(s.deps.DB)
	s.handle("GET", "/healthz", public, ops.Healthz)
	s.handle("GET", "/readyz", public, ops.Readyz)
	s.handle("GET", "/metrics", public, s.metrics.handler())

	// Static assets under content-hashed names.
	assets := gin.WrapH(static.Handler())
	s.handle("GET", static.Prefix+"*path", public, assets)
	s.handle("HEAD", static.Prefix+"*path", public, assets)

	// Public callbacks from Efí: no session; the unguessable secret in the
	// path names the organisation.
	if s.deps.Charges != nil {
		hooks := handlers.NewHooks(s.deps.Charges)
		s.handle("POST", "/hooks/efi/:secret", public, hooks.Charges)
	}

	// Pages.
	home := handlers.NewHome(s.page, s.cfg.Embedded)
	s.handle("GET", "/", anyone, home.Show)
	s.handle("POST", "/locale", public, s.setLocale)

	// Payment links, charges and the callback event log.
	if s.deps.Charges != nil {
		ch := handlers.NewCharges(s.page, s.deps.Charges)
		s.handle("GET", "/links", commerce, ch.Links)
		s.handle("GET", "/links/new", merchants, ch.New)
		s.handle("POST", "/links", merchants, ch.Create)
		s.handle("POST", "/links/items", merchants, ch.Items)
		s.handle("POST", "/links/total", merchants, ch.Total)
		s.handle("POST", "/links/validate", merchants, ch.Validate)
		s.handle("GET", "/links/export.csv", commerce, ch.ExportLinks)
		s.handle("GET", "/links/:id", commerce, ch.LinkDetail)
		s.handle("GET", "/links/:id/status", commerce, ch.LinkStatus)
		s.handle("GET", "/links/:id/qr.png", commerce, ch.QR)
		s.handle("POST", "/links/:id/settings", commerce, ch.Settings)
		s.handle("POST", "/links/:id/resend", commerce, ch.Resend)
		s.handle("POST", "/links/:id/notes", commerce, ch.LinkNote)
		s.handle("POST", "/links/:id/cancel", commerce, ch.LinkCancel)
		s.handle("GET", "/charges", commerce, ch.List)
		s.handle("GET", "/charges/export.csv", commerce, ch.Export)
		s.handle("GET", "/charges/installments", commerce, ch.Installments)
		s.handle("GET", "/charges/:id", commerce, ch.Detail)
		s.handle("POST", "/charges/:id/cancel", commerce, ch.Cancel)
		s.handle("POST", "/charges/:id/notes", commerce, ch.Note)
		s.handle("POST", "/charges/:id/metadata", commerce, ch.Metadata)
		s.handle("GET", "/events", commerce, ch.Events)
		s.handle("GET", "/events/:id", commerce, ch.Event)
		s.handle("POST", "/events/:id/reprocess", commerce, ch.Reprocess)
	}

	// The organisation's Efí environment and credentials.
	if s.deps.Settings != nil {
		st := handlers.NewSettings(s.page, s.deps.Settings)
		s.handle("GET", "/settings", merchants, st.Show)
		s.handle("POST", "/settings", merchants, st.Save)
		s.handle("POST", "/settings/test", merchants, st.Test)
	}

	// Back office: organisations, users, audit log.
	if s.auth != nil {
		st := handlers.NewStaff(s.page, s.auth)
		s.handle("GET", "/orgs", staffOnly, st.Orgs)
		s.handle("POST", "/orgs", staffOnly, st.CreateOrg)
		s.handle("GET", "/users", staffOnly, st.Users)
		s.handle("POST", "/users", staffOnly, st.CreateUser)
		s.handle("POST", "/users/:id/disable", staffOnly, st.Disable)
		s.handle("POST", "/users/:id/enable", staffOnly, st.Enable)
		s.handle("POST", "/users/:id/password", staffOnly, st.ResetPassword)
		s.handle("GET", "/audit", commerce, st.Audit)
		s.handle("GET", "/audit/export.csv", commerce, st.AuditCSV)
	}

	// Sign-in.
	if s.auth != nil {
		login := handlers.NewAuth(s.page, s.auth, s, safeNext)
		s.handle("GET", "/login", public, login.Form)
		s.handle("POST", "/login", public, login.Login)
		s.handle("POST", "/logout", anyone, login.Logout)
		s.handle("POST", "/logout/all", anyone, login.LogoutEverywhere)
	}
}
