package handlers

import (
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"sort"

	"github.com/gin-gonic/gin"

	"github.com/efiportal/portal/services"
	"github.com/efiportal/portal/services/efi"
	"github.com/efiportal/portal/services/settings"
	"github.com/efiportal/portal/templates/pages"
	"github.com/efiportal/portal/web/i18n"
)

// SettingsService is what the settings page needs.
type SettingsService interface {
	Get(ctx context.Context, a services.Actor) (settings.View, error)
	Save(ctx context.Context, a services.Actor, in settings.Input) error
	TestConnection(ctx context.Context, a services.Actor) (settings.Connection, error)
}

// Settings serves the organisation's Efí settings.
type Settings struct {
	page PageFunc
	svc  SettingsService
}

// NewSettings returns the handler.
func NewSettings(page PageFunc, svc SettingsService) *Settings {
	return &Settings{page: page, svc: svc}
}

func (h *Settings) view(c *gin.Context) (pages.SettingsView, bool) {
	v, err := h.svc.Get(c.Request.Context(), actorFrom(c))
	if err != nil {
		serviceError(c, h.page, err)
		return pages.SettingsView{}, false
	}
	return pages.SettingsView{Page: h.page(c, i18n.T(c.Request.Context(), "nav.settings"), "nav.settings"), Environment: v.Environment,
		ClientID: v.ClientID, SecretSet: v.SecretSet, CertKind: v.CertKind, CertSubject: v.CertSubject, CertNotAfter: v.CertNotAfter}, true
}

// Show handles GET /settings.
func (h *Settings) Show(c *gin.Context) {
	if v, ok := h.view(c); ok {
		Render(c, http.StatusOK, pages.Settings(v))
	}
}

// maxUpload bounds a certificate file.
const maxUpload = 64 << 10

func readUpload(c *gin.Context, name string) []byte {
	fh, err := c.FormFile(name)
	if err != nil || fh.Size > maxUpload {
		return nil
	}
	f, err := fh.Open()
	if err != nil {
		return nil
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f.(multipart.File), maxUpload))
	return b
}

// Save handles POST /settings. Secrets are write-only: the form never
// shows them, and an empty field keeps the stored one.
func (h *Settings) Save(c *gin.Context) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, 4*maxUpload)
	in := settings.Input{
		Environment: c.PostForm("environment"), ClientID: c.PostForm("client_id"), ClientSecret: c.PostForm("client_secret"),
		P12: readUpload(c, "p12"), P12Password: c.PostForm("p12_password"), CertPEM: readUpload(c, "cert_pem"), KeyPEM: readUpload(c, "key_pem"),
	}
	if err := h.svc.Save(c.Request.Context(), actorFrom(c), in); err != nil {
		p, ok := serviceError(c, h.page, err)
		if !ok {
			return
		}
		v, ok := h.view(c)
		if !ok {
			return
		}
		v.Environment, v.ClientID, v.Errors = in.Environment, in.ClientID, p.Fields
		Render(c, formStatus(c, p.Status), pages.Settings(v))
		return
	}
	flashKey(c, "settings.saved")
	redirect(c, "/settings")
}

// Test handles POST /settings/test: asks the API for tokens and shows the
// scopes granted, or the API's refusal in plain words.
func (h *Settings) Test(c *gin.Context) {
	ctx := c.Request.Context()
	v, ok := h.view(c)
	if !ok {
		return
	}
	res, err := h.svc.TestConnection(ctx, actorFrom(c))
	if err != nil {
		c.Error(err)
		v.Tested = true
		v.Failed = []pages.FamilyScopes{{Family: "efí", Error: i18n.T(ctx, "api.unreachable")}}
		Render(c, http.StatusOK, pages.Settings(v))
		return
	}
	v.Tested = true
	lang := string(i18n.From(ctx))
	for f, scopes := range res.Granted {
		v.Granted = append(v.Granted, pages.FamilyScopes{Family: i18n.T(ctx, "family."+string(f)), Scopes: scopes})
	}
	for f, err := range res.Failed {
		c.Error(err) // the API's own code stays in the log
		msg := i18n.T(ctx, "api.unreachable")
		if ue, ok := err.(*efi.Error); ok {
			msg = ue.Message(lang)
		}
		v.Failed = append(v.Failed, pages.FamilyScopes{Family: i18n.T(ctx, "family."+string(f)), Error: msg})
	}
	sort.Slice(v.Granted, func(i, j int) bool { return v.Granted[i].Family < v.Granted[j].Family })
	sort.Slice(v.Failed, func(i, j int) bool { return v.Failed[i].Family < v.Failed[j].Family })
	Render(c, http.StatusOK, pages.Settings(v))
}
