package handlers

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/efiportal/portal/templates/pages"
	"github.com/efiportal/portal/web/i18n"
)

// Home serves the landing page.
type Home struct {
	page     PageFunc
	embedded bool
}

// NewHome returns the home handler; embedded says whether the portal runs on its built-in sandbox.
func NewHome(page PageFunc, embedded bool) *Home {
	return &Home{page: page, embedded: embedded}
}

// Show handles GET /.
func (h *Home) Show(c *gin.Context) {
	ctx := c.Request.Context()
	Render(c, http.StatusOK, pages.Home(pages.HomeView{
		Page:     h.page(c, i18n.T(ctx, "nav.home"), "nav.home"),
		Embedded: h.embedded,
	}))
}

// Pinger is what the readiness probe needs from the database.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Ops serves the operations endpoints.
type Ops struct {
	db Pinger
}

// NewOps returns the operations handler.
func NewOps(db Pinger) *Ops { return &Ops{db: db} }

// Healthz handles GET /healthz: the process is alive.
func (h *Ops) Healthz(c *gin.Context) {
	c.String(http.StatusOK, "ok")
}

// Readyz handles GET /readyz: the database answers and its schema is current.
func (h *Ops) Readyz(c *gin.Context) {
	if err := h.db.Ping(c.Request.Context()); err != nil {
		c.Error(err)
		c.String(http.StatusServiceUnavailable, "not ready: database")
		return
	}
	c.String(http.StatusOK, "ready")
}
