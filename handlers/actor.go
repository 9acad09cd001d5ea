package handlers

import (
	"github.com/gin-gonic/gin"

	"github.com/efiportal/portal/services"
)

// actorKey is where the auth middleware leaves the signed-in person.
const actorKey = "actor"

// actorFrom returns the person a request acts for. The auth middleware sets
// it on every route that needs a signed-in user; a missing actor is a
// wiring bug and ends in the 500 page.
func actorFrom(c *gin.Context) services.Actor {
	return c.MustGet(actorKey).(services.Actor)
}
