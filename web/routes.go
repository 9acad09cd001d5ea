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

	// Sign-in.
	if s.auth != nil {
		login := handlers.NewAuth(s.page, s.auth, s, safeNext)
		s.handle("GET", "/login", public, login.Form)
		s.handle("POST", "/login", public, login.Login)
		s.handle("POST", "/logout", anyone, login.Logout)
		s.handle("POST", "/logout/all", anyone, login.LogoutEverywhere)
	}
}
