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
	)
	e.NoRoute(s.notFound)

	// Operations: probes and metrics, no session.
	ops := handlers.NewOps(s.deps.DB)
	e.GET("/healthz", ops.Healthz)
	e.GET("/readyz", ops.Readyz)
	e.GET("/metrics", s.metrics.handler())

	// Static assets under content-hashed names.
	assets := gin.WrapH(static.Handler())
	e.GET(static.Prefix+"*path", assets)
	e.HEAD(static.Prefix+"*path", assets)

	// Public callbacks from Efí: no session; the unguessable secret in the
	// path names the organisation.
	if s.deps.Charges != nil {
		hooks := handlers.NewHooks(s.deps.Charges)
		e.POST("/hooks/efi/:secret", hooks.Charges)
	}

	// Pages.
	home := handlers.NewHome(s.page, s.cfg.Embedded)
	e.GET("/", home.Show)
	e.POST("/locale", s.setLocale)
}
