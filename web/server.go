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
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/efiportal/portal/db"
	"github.com/efiportal/portal/handlers"
	"github.com/efiportal/portal/services/auth"
	"github.com/efiportal/portal/services/charges"
	"github.com/efiportal/portal/services/settings"
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
	DB       *db.DB
	Auth     *auth.Service
	Charges  *charges.Service
	Settings *settings.Service
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

	auth     *auth.Service
	store    *sessionStore
	policies map[string]policy
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
	s := &Server{cfg: cfg, deps: deps, metrics: deps.Metrics, auth: deps.Auth, policies: map[string]policy{}}
	s.store = newSessionStore(deps.DB, strings.HasPrefix(cfg.BaseURL, "https://"))
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
	if u, ok := currentUser(c); ok {
		p.User = &layout.User{Name: u.Name, Email: u.Email, Role: u.Role, OrgName: u.OrgName}
	}
	p.Flashes = handlers.TakeFlashes(c)
	if s.cfg.Embedded {
		p.SandboxURL = s.cfg.SandboxURL
	}
	return p
}

// navItems are the areas in menu order; each is shown to the roles whose
// route policy admits its page.
var navItems = []layout.NavItem{
	{Key: "nav.home", Href: "/"},
	{Key: "nav.links", Href: "/links"},
	{Key: "nav.charges", Href: "/charges"},
	{Key: "nav.events", Href: "/events"},
	{Key: "nav.settings", Href: "/settings"},
	{Key: "nav.orgs", Href: "/orgs"},
	{Key: "nav.users", Href: "/users"},
	{Key: "nav.audit", Href: "/audit"},
}

// nav lists the areas the request's user may open: the ones whose GET
// route's policy admits them.
func (s *Server) nav(c *gin.Context) []layout.NavItem {
	u, ok := currentUser(c)
	if !ok {
		return nil
	}
	var out []layout.NavItem
	for _, it := range navItems {
		if p, ok := s.policies["GET "+it.Href]; ok && p.allows(u.Role) {
			out = append(out, it)
		}
	}
	return out
}

// notFound renders the 404 page.
func (s *Server) notFound(c *gin.Context) {
	handlers.ErrorPage(c, s.page, http.StatusNotFound)
}
