package handlers

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/efiportal/portal/db"
	"github.com/efiportal/portal/services/auth"
	"github.com/efiportal/portal/templates/pages"
	"github.com/efiportal/portal/web/i18n"
)

// Authenticator checks credentials.
type Authenticator interface {
	Authenticate(ctx context.Context, email, password, ip string) (db.User, error)
	RecordSignIn(ctx context.Context, u db.User, email, ip, outcome string)
}

// Sessions starts and ends the browser's session (the web layer owns cookies).
type Sessions interface {
	SignIn(c *gin.Context, u db.User) error
	SignOut(c *gin.Context)
	SignOutEverywhere(c *gin.Context) error
}

// Auth serves sign-in and sign-out.
type Auth struct {
	page     PageFunc
	auth     Authenticator
	sessions Sessions
	safeNext func(string) string
}

// NewAuth returns the sign-in handler.
func NewAuth(page PageFunc, a Authenticator, s Sessions, safeNext func(string) string) *Auth {
	return &Auth{page: page, auth: a, sessions: s, safeNext: safeNext}
}

// Form handles GET /login.
func (h *Auth) Form(c *gin.Context) {
	ctx := c.Request.Context()
	Render(c, http.StatusOK, pages.Login(pages.LoginView{Page: h.page(c, i18n.T(ctx, "auth.login.title"), ""), Next: c.Query("next")}))
}

// Login handles POST /login: the same answer for an unknown e-mail, a
// wrong password and a disabled account; a clear one when throttled.
func (h *Auth) Login(c *gin.Context) {
	ctx := c.Request.Context()
	email, next := c.PostForm("email"), c.PostForm("next")
	u, err := h.auth.Authenticate(ctx, email, c.PostForm("password"), c.ClientIP())
	if err != nil {
		v := pages.LoginView{Page: h.page(c, i18n.T(ctx, "auth.login.title"), ""), Email: email, Next: next}
		status := http.StatusUnauthorized
		var te *auth.ThrottledError
		switch {
		case errors.As(err, &te):
			h.auth.RecordSignIn(ctx, db.User{}, email, c.ClientIP(), "throttled")
			status = http.StatusTooManyRequests
			v.Error = i18n.T(ctx, "auth.err.throttled", fmt.Sprint(int(math.Ceil(te.Wait.Minutes()))))
		case errors.Is(err, auth.ErrBadCredentials):
			h.auth.RecordSignIn(ctx, db.User{}, email, c.ClientIP(), "bad_credentials")
			v.Error = i18n.T(ctx, "auth.err.bad_credentials")
		default:
			c.Error(err)
			ErrorPage(c, h.page, http.StatusInternalServerError)
			return
		}
		Render(c, status, pages.Login(v))
		return
	}
	if err := h.sessions.SignIn(c, u); err != nil {
		c.Error(err)
		ErrorPage(c, h.page, http.StatusInternalServerError)
		return
	}
	h.auth.RecordSignIn(ctx, u, email, c.ClientIP(), "ok")
	c.Redirect(http.StatusSeeOther, h.safeNext(next))
}

// Logout handles POST /logout.
func (h *Auth) Logout(c *gin.Context) {
	h.sessions.SignOut(c)
	c.Redirect(http.StatusSeeOther, "/login")
}

// LogoutEverywhere handles POST /logout/all: ends every session of the user.
func (h *Auth) LogoutEverywhere(c *gin.Context) {
	if err := h.sessions.SignOutEverywhere(c); err != nil {
		c.Error(err)
	}
	c.Redirect(http.StatusSeeOther, "/login")
}
