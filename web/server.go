// Package web builds the portal's gin engine: the middleware chain, every
// route (routes.go) and the HTTP server around them.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/efiportal/portal/db"
	"github.com/efiportal/portal/handlers"
	"github.com/efiportal/portal/services/charges"
	"github.com/efiportal/portal/templates/layout"
)

// Config is what the web layer needs from the portal's configuration.
type Config struct {
	// BaseURL is where people and Efí's callbacks reach the portal.
	BaseURL string
	// TrustedProxies are the proxies whose X-Forwarded-For is believed.
	TrustedProxies []string
	// Embedded says the organisations use the built-in sandbox by default.
	Embedded bool
	// SandboxURL is the embedded sandbox's control page, shown in the header.
	SandboxURL string
	// Logger receives the access log and errors.
	Logger *slog.Logger
}

// Deps are the services the handlers call.
type Deps struct {
	DB      *db.DB
	Charges *charges.Service
	// Metrics is the registry; nil makes one.
	Metrics *Metrics
}

// Server is the portal's HTTP server.
type Server struct {
	cfg     Config
	deps    Deps
	engine  *gin.Engine
	http    *http.Server
	metrics *Metrics
}

// New builds the engine with its middleware and routes.
func New(cfg Config, deps Deps) (*Server, error) {
	gin.SetMode(gin.ReleaseMode)
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if deps.Metrics == nil {
		deps.Metrics = NewMetrics(deps.DB)
	}
	s := &Server{cfg: cfg, deps: deps, metrics: deps.Metrics}
	e := gin.New()
	e.RedirectTrailingSlash = true
	e.HandleMethodNotAllowed = false
	if err := e.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("trusted proxies: %w", err)
	}
	s.engine = e
	s.routes()
	s.http = &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// Handler is the engine, for tests that drive it with httptest.
func (s *Server) Handler() http.Handler { return s.engine }

// Engine exposes the gin engine (the route×role test walks its routes).
func (s *Server) Engine() *gin.Engine { return s.engine }

// Serve answers requests on l until Shutdown.
func (s *Server) Serve(l net.Listener) error {
	err := s.http.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting requests and waits for the ones in flight.
func (s *Server) Shutdown(ctx context.Context) error { return s.http.Shutdown(ctx) }

// page builds the layout view model for a request.
func (s *Server) page(c *gin.Context, title, active string) layout.Page {
	p := layout.Page{
		Title:  title,
		Active: active,
		Path:   c.Request.URL.Path,
		Nav:    s.nav(c),
	}
	if s.cfg.Embedded {
		p.SandboxURL = s.cfg.SandboxURL
	}
	return p
}

// nav lists the areas the request's user may open.
func (s *Server) nav(c *gin.Context) []layout.NavItem {
	return []layout.NavItem{
		{Key: "nav.home", Href: "/"},
	}
}

// notFound renders the 404 page.
func (s *Server) notFound(c *gin.Context) {
	handlers.ErrorPage(c, s.page, http.StatusNotFound)
}
