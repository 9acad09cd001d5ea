package handlers

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/efiportal/portal/services/charges"
)

// CallbackReceiver stores a callback from Efí.
type CallbackReceiver interface {
	Receive(ctx context.Context, cb charges.Callback) (int64, error)
}

// Hooks serves the public callback routes Efí posts to.
type Hooks struct {
	charges CallbackReceiver
}

// NewHooks returns the hooks handler.
func NewHooks(c CallbackReceiver) *Hooks { return &Hooks{charges: c} }

// Charges handles POST /hooks/efi/:secret: the body is stored raw at once
// and the answer is a quick 200; the worker fetches the token later. An
// unknown secret is a 404 that says nothing more.
func (h *Hooks) Charges(c *gin.Context) {
	body, err := io.ReadAll(io.LimitReader(c.Request.Body, charges.MaxCallbackBody))
	if err != nil {
		c.Status(http.StatusBadRequest)
		return
	}
	_, err = h.charges.Receive(c.Request.Context(), charges.Callback{
		Secret:      c.Param("secret"),
		Body:        body,
		ContentType: c.GetHeader("Content-Type"),
		RemoteAddr:  c.ClientIP(),
	})
	switch {
	case errors.Is(err, charges.ErrUnknownHook):
		c.Status(http.StatusNotFound)
	case err != nil:
		c.Error(err)
		c.Status(http.StatusInternalServerError)
	default:
		c.String(http.StatusOK, "ok")
	}
}
