package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/sessions"

	"github.com/efiportal/portal/db"
	"github.com/efiportal/portal/handlers"
	"github.com/efiportal/portal/services"
	"github.com/efiportal/portal/services/auth"
	"github.com/efiportal/portal/web/i18n"
)

// sessionName is the session cookie; over HTTPS it takes the __Host-
// prefix, which browsers only accept Secure, host-only and on path /.
func (s *Server) sessionName() string {
	if s.https() {
		return "__Host-portal_session"
	}
	return "portal_session"
}

// policy says who may call a route.
type policy struct {
	public bool     // anyone, signed in or not
	roles  []string // signed-in users of these roles
}

var (
	public    = policy{public: true}
	anyone    = policy{roles: []string{services.RoleStaff, services.RoleMerchant, services.RolePartner}}
	staffOnly = policy{roles: []string{services.RoleStaff}}
	merchants = policy{roles: []string{services.RoleMerchant}}
	commerce  = policy{roles: []string{services.RoleStaff, services.RoleMerchant}}
)

func (p policy) allows(role string) bool {
	if p.public {
		return true
	}
	for _, r := range p.roles {
		if r == role {
			return true
		}
	}
	return false
}

// handle registers a route with its policy; every route goes through it,
// so the route×role test can check that none lacks one.
func (s *Server) handle(method, path string, p policy, h ...gin.HandlerFunc) {
	s.policies[method+" "+path] = p
	chain := append([]gin.HandlerFunc{s.gate(p)}, h...)
	s.engine.Handle(method, path, chain...)
}

// loadSession puts the signed-in user, if any, in the context: the session
// must exist server-side, its user be active, and it be neither idle nor
// too old. An ended session is deleted and the cookie cleared.
func (s *Server) loadSession() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.auth == nil {
			c.Next()
			return
		}
		sess, err := s.store.Get(c.Request, s.sessionName())
		if err != nil || sess.IsNew {
			c.Next()
			return
		}
		uid, _ := sess.Values[sessUserID].(int64)
		created, _ := sess.Values[sessCreated].(time.Time)
		seen, _ := sess.Values[sessSeen].(time.Time)
		u, err := s.auth.CheckSession(c.Request.Context(), db.Session{UserID: uid, CreatedAt: created, LastSeenAt: seen})
		if err != nil {
			sess.Options.MaxAge = -1
			sess.Save(c.Request, c.Writer)
			c.Next()
			return
		}
		if time.Since(seen) > time.Minute {
			sess.Save(c.Request, c.Writer) // records activity, at most once a minute
		}
		c.Set("user", u)
		c.Set("actor", auth.Actor(u, c.ClientIP()))
		if l, ok := i18n.Parse(u.Locale); ok {
			if _, err := c.Cookie(localeCookie); err != nil {
				c.Request = c.Request.WithContext(i18n.WithLocale(c.Request.Context(), l))
			}
		}
		c.Next()
	}
}

// currentUser is the signed-in user, if any.
func currentUser(c *gin.Context) (db.User, bool) {
	v, ok := c.Get("user")
	if !ok {
		return db.User{}, false
	}
	return v.(db.User), true
}

// gate enforces a route's policy: anonymous people go to the sign-in page
// (htmx requests are told to go there), the wrong role gets 403.
func (s *Server) gate(p policy) gin.HandlerFunc {
	return func(c *gin.Context) {
		if p.public {
			c.Next()
			return
		}
		u, ok := currentUser(c)
		if !ok {
			next := c.Request.URL.RequestURI()
			if c.Request.Method != http.MethodGet {
				next = "/"
			}
			target := "/login?next=" + url.QueryEscape(next)
			if c.GetHeader("HX-Request") == "true" {
				c.Header("HX-Redirect", target)
				c.AbortWithStatus(http.StatusUnauthorized)
				return
			}
			c.Redirect(http.StatusSeeOther, target)
			c.Abort()
			return
		}
		if !p.allows(u.Role) {
			handlers.ErrorPage(c, s.page, http.StatusForbidden)
			c.Abort()
			return
		}
		c.Next()
	}
}

// crossOrigin refuses state-changing requests from another origin (Go's
// CrossOriginProtection: Sec-Fetch-Site, then Origin against Host); Efí's
// public callbacks under /hooks/ are the one explicit exception.
func (s *Server) crossOrigin() gin.HandlerFunc {
	cop := http.NewCrossOriginProtection()
	cop.AddInsecureBypassPattern("POST /hooks/")
	return func(c *gin.Context) {
		if err := cop.Check(c.Request); err != nil {
			c.Error(err)
			handlers.ErrorPage(c, s.page, http.StatusForbidden)
			c.Abort()
			return
		}
		c.Next()
	}
}

// SignIn starts a new session for u (a new id every time: no fixation).
func (s *Server) SignIn(c *gin.Context, u db.User) error {
	if old, err := s.store.Get(c.Request, s.sessionName()); err == nil && !old.IsNew {
		s.db().DeleteSession(c.Request.Context(), old.ID)
	}
	sess := sessions.NewSession(s.store, s.sessionName())
	opts := s.store.options
	sess.Options = &opts
	sess.Values[sessUserID] = u.ID
	return sess.Save(c.Request, c.Writer)
}

// SignOut ends the request's session.
func (s *Server) SignOut(c *gin.Context) {
	sess, err := s.store.Get(c.Request, s.sessionName())
	if err != nil || sess.IsNew {
		return
	}
	sess.Options.MaxAge = -1
	sess.Save(c.Request, c.Writer)
}

func (s *Server) db() *db.DB { return s.deps.DB }

// safeNext keeps the post-sign-in redirect on this site.
func safeNext(p string) string {
	if p == "" || strings.HasPrefix(p, "/login") {
		return "/"
	}
	return safeReturn(p)
}

// SignOutEverywhere ends every session of the signed-in user.
func (s *Server) SignOutEverywhere(c *gin.Context) error {
	u, ok := currentUser(c)
	if !ok {
		return nil
	}
	a, _ := c.Get("actor")
	return s.db().WithTx(c.Request.Context(), func(tx *db.Tx) error {
		if err := db.DeleteUserSessions(c.Request.Context(), tx, u.ID); err != nil {
			return err
		}
		return auth.Audit(c.Request.Context(), tx, a.(services.Actor), "session.logout_all", fmt.Sprintf("user:%d", u.ID), "ok")
	})
}
