package handlers

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/efiportal/portal/templates/layout"
)

// flashCookie carries one-time messages across a redirect until sessions
// land; AddFlash and TakeFlashes are the only code that knows it.
const flashCookie = "flash"

// maxFlashText keeps the cookie well under the browsers' 4 KB limit.
const maxFlashText = 600

// AddFlash queues a message (already translated) for the next page the
// person sees.
func AddFlash(c *gin.Context, kind, text string) {
	if utf8.RuneCountInString(text) > maxFlashText {
		text = string([]rune(text)[:maxFlashText]) + "…"
	}
	list := append(pendingFlashes(c), layout.Flash{Kind: kind, Text: text})
	c.Set(flashCookie, list)
	b, err := json.Marshal(list)
	if err != nil {
		return
	}
	http.SetCookie(c.Writer, &http.Cookie{
		Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString(b), Path: "/",
		MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: c.Request.TLS != nil,
	})
}

// pendingFlashes are the messages this response already queued.
func pendingFlashes(c *gin.Context) []layout.Flash {
	if v, ok := c.Get(flashCookie); ok {
		return v.([]layout.Flash)
	}
	return nil
}

// TakeFlashes returns the messages queued by the previous response and
// clears them, so each shows once. The page builder calls it.
func TakeFlashes(c *gin.Context) []layout.Flash {
	v, err := c.Cookie(flashCookie)
	if err != nil || v == "" {
		return nil
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return nil
	}
	var list []layout.Flash
	if json.Unmarshal(b, &list) != nil {
		return nil
	}
	out := list[:0]
	for _, f := range list {
		switch f.Kind {
		case layout.FlashSuccess, layout.FlashError, layout.FlashInfo:
			out = append(out, f)
		}
	}
	return out
}

func flashError(text string) layout.Flash { return layout.Flash{Kind: layout.FlashError, Text: text} }
