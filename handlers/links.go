package handlers

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/efiportal/portal/db"
	"github.com/efiportal/portal/services"
	"github.com/efiportal/portal/services/charges"
	"github.com/efiportal/portal/services/links"
	"github.com/efiportal/portal/templates/components"
	"github.com/efiportal/portal/templates/pages"
	"github.com/efiportal/portal/web/i18n"
)

// ChargeService is what the links, charges and events pages need.
type ChargeService interface {
	CreateLink(ctx context.Context, a services.Actor, l links.Link) (int64, error)
	UpdateLink(ctx context.Context, a services.Actor, id int64, l links.Link) error
	ResendLink(ctx context.Context, a services.Actor, id int64, email string) error
	AddNote(ctx context.Context, a services.Actor, id int64, text string) error
	Cancel(ctx context.Context, a services.Actor, id int64) error
	UpdateMetadata(ctx context.Context, a services.Actor, id int64, customID, notificationURL string) error
	Get(ctx context.Context, a services.Actor, id int64) (charges.Detail, error)
	List(ctx context.Context, a services.Actor, f charges.Filter) (db.ChargePage, error)
	ExportCSV(ctx context.Context, a services.Actor, f charges.Filter, w io.Writer) error
	InstallmentsFor(ctx context.Context, a services.Actor, orgID, total int64) ([]charges.Installments, error)
	Organisations(ctx context.Context, a services.Actor) ([]db.Organisation, error)
	Events(ctx context.Context, a services.Actor, orgFilter int64, state string, afterID int64) ([]db.WebhookEvent, bool, error)
	Event(ctx context.Context, a services.Actor, id int64) (db.WebhookEvent, error)
	Reprocess(ctx context.Context, a services.Actor, id int64) error
}

// Charges serves the links, charges and events pages.
type Charges struct {
	page PageFunc
	svc  ChargeService
	now  func() time.Time
}

// NewCharges returns the handler.
func NewCharges(page PageFunc, svc ChargeService) *Charges {
	return &Charges{page: page, svc: svc, now: time.Now}
}

func (h *Charges) id(c *gin.Context) (int64, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		ErrorPage(c, h.page, http.StatusNotFound)
		return 0, false
	}
	return id, true
}

// readForm reads the link form as typed: items are items.N.name/value/amount.
func readForm(c *gin.Context) links.Form {
	f := links.Form{
		IdempotencyKey:         c.PostForm("idempotency_key"),
		PaymentMethod:          c.PostForm("payment_method"),
		BilletDiscount:         c.PostForm("billet_discount"),
		CardDiscount:           c.PostForm("card_discount"),
		ConditionalType:        c.PostForm("conditional_type"),
		ConditionalValue:       c.PostForm("conditional_value"),
		ConditionalUntil:       c.PostForm("conditional_until"),
		Message:                c.PostForm("message"),
		ExpireAt:               c.PostForm("expire_at"),
		RequestDeliveryAddress: c.PostForm("request_delivery_address") != "",
		CustomID:               c.PostForm("custom_id"),
		CustomerEmail:          c.PostForm("customer_email"),
	}
	for i := 0; i < links.MaxItems+1; i++ {
		p := "items." + strconv.Itoa(i) + "."
		name, okN := c.GetPostForm(p + "name")
		value, okV := c.GetPostForm(p + "value")
		if !okN && !okV {
			break
		}
		f.Items = append(f.Items, links.ItemInput{Name: name, Value: value, Amount: c.PostForm(p + "amount")})
	}
	return f
}

func (h *Charges) formView(c *gin.Context, f links.Form, errs map[string]string, notice string) pages.LinkFormView {
	ctx := c.Request.Context()
	return pages.LinkFormView{Page: h.page(c, i18n.T(ctx, "links.new"), "nav.links"), Form: f, Errors: errs, Notice: notice,
		Total: links.ItemsTotal(i18n.From(ctx), f.Items)}
}

// New handles GET /links/new: a fresh form with its idempotency key.
func (h *Charges) New(c *gin.Context) {
	f := links.Form{IdempotencyKey: links.NewIdempotencyKey(), PaymentMethod: links.MethodAll,
		Items:    []links.ItemInput{{Amount: "1"}},
		ExpireAt: h.now().In(i18n.Zone).AddDate(0, 0, 7).Format("2006-01-02")}
	Render(c, http.StatusOK, pages.LinkNew(h.formView(c, f, nil, "")))
}

// applyOp adds or removes an item row ("add", "remove:N").
func applyOp(f *links.Form, op string) {
	switch {
	case op == "add" && len(f.Items) < links.MaxItems:
		f.Items = append(f.Items, links.ItemInput{Amount: "1"})
	case strings.HasPrefix(op, "remove:"):
		i, err := strconv.Atoi(strings.TrimPrefix(op, "remove:"))
		if err == nil && i >= 0 && i < len(f.Items) && len(f.Items) > 1 {
			f.Items = append(f.Items[:i], f.Items[i+1:]...)
		}
	}
}

// Items handles POST /links/items: adds or removes a row in place (htmx)
// and answers the items fieldset with its running total.
func (h *Charges) Items(c *gin.Context) {
	f := readForm(c)
	applyOp(&f, c.Query("op"))
	Render(c, http.StatusOK, pages.ItemsFieldset(h.formView(c, f, nil, "")))
}

// Total handles POST /links/total: the running total while typing.
func (h *Charges) Total(c *gin.Context) {
	Render(c, http.StatusOK, pages.ItemsTotal(links.ItemsTotal(i18n.From(c.Request.Context()), readForm(c).Items)))
}

// Validate handles POST /links/validate: validates the whole form and
// answers the error of the one field that changed (HX-Trigger-Name).
func (h *Charges) Validate(c *gin.Context) {
	ctx := c.Request.Context()
	field := c.GetHeader("HX-Trigger-Name")
	_, errs := links.Validate(i18n.From(ctx), readForm(c), h.now())
	msg := ""
	if m, ok := errs[field]; ok {
		msg = translate(ctx, m)
	}
	Render(c, http.StatusOK, components.FieldError("f-"+field, msg))
}

// Create handles POST /links. A row op (add/remove without JavaScript)
// re-renders the form; otherwise the link is validated and created once
// per form (its idempotency key).
func (h *Charges) Create(c *gin.Context) {
	ctx := c.Request.Context()
	f := readForm(c)
	if op := c.PostForm("op"); op != "" {
		applyOp(&f, op)
		Render(c, http.StatusOK, pages.LinkNew(h.formView(c, f, nil, "")))
		return
	}
	l, errs := links.Validate(i18n.From(ctx), f, h.now())
	if errs != nil {
		if _, stale := errs["form"]; stale {
			f.IdempotencyKey = links.NewIdempotencyKey()
		}
		Render(c, formStatus(c, http.StatusUnprocessableEntity), pages.LinkNew(h.formView(c, f, translateFields(ctx, errs), "")))
		return
	}
	id, err := h.svc.CreateLink(ctx, actorFrom(c), l)
	if err != nil {
		p, ok := serviceError(c, h.page, err)
		if !ok {
			return
		}
		notice := p.Msg
		if len(p.Fields) > 0 {
			notice = ""
		}
		Render(c, formStatus(c, p.Status), pages.LinkNew(h.formView(c, f, p.Fields, notice)))
		return
	}
	flashKey(c, "links.created")
	redirect(c, fmt.Sprintf("/links/%d", id))
}

func (h *Charges) detailView(c *gin.Context, d charges.Detail) pages.LinkDetailView {
	ctx := c.Request.Context()
	v := pages.LinkDetailView{Page: h.page(c, d.Charge.Title, "nav.links"), D: d}
	if !d.CanCancel {
		v.CancelBlocked = translate(ctx, d.CancelBlocked)
	}
	l := i18n.From(ctx)
	v.Settings = links.Form{PaymentMethod: d.Charge.PaymentMethod, ExpireAt: d.Charge.ExpireAt}
	if d.Link != nil {
		v.Settings.Message = d.Link.Message
		if d.Link.BilletDiscount > 0 {
			v.Settings.BilletDiscount = i18n.FormatMoneyInput(l, d.Link.BilletDiscount)
		}
		if d.Link.CardDiscount > 0 {
			v.Settings.CardDiscount = i18n.FormatMoneyInput(l, d.Link.CardDiscount)
		}
	}
	return v
}

func (h *Charges) get(c *gin.Context, id int64) (charges.Detail, bool) {
	d, err := h.svc.Get(c.Request.Context(), actorFrom(c), id)
	if err != nil {
		serviceError(c, h.page, err)
		return d, false
	}
	return d, true
}

// LinkDetail handles GET /links/:id.
func (h *Charges) LinkDetail(c *gin.Context) {
	id, ok := h.id(c)
	if !ok {
		return
	}
	d, ok := h.get(c, id)
	if !ok {
		return
	}
	if d.Charge.Kind != db.KindLink {
		c.Redirect(http.StatusSeeOther, fmt.Sprintf("/charges/%d", id))
		return
	}
	Render(c, http.StatusOK, pages.LinkDetail(h.detailView(c, d)))
}

// LinkStatus handles GET /links/:id/status: the badge htmx polls, so the
// page turns paid without a reload.
func (h *Charges) LinkStatus(c *gin.Context) {
	id, ok := h.id(c)
	if !ok {
		return
	}
	d, ok := h.get(c, id)
	if !ok {
		return
	}
	if was := c.Query("was"); was != "" && was != d.Charge.Status {
		// The rest of the page (timeline, actions) refreshes itself.
		c.Header("HX-Trigger", "status-changed")
	}
	Render(c, http.StatusOK, pages.LinkStatus(d.Charge))
}

// QR handles GET /links/:id/qr.png: the payment URL as a QR code.
func (h *Charges) QR(c *gin.Context) {
	id, ok := h.id(c)
	if !ok {
		return
	}
	d, ok := h.get(c, id)
	if !ok {
		return
	}
	if d.Charge.PaymentURL == "" {
		ErrorPage(c, h.page, http.StatusNotFound)
		return
	}
	png, err := qrcode.Encode(d.Charge.PaymentURL, qrcode.Medium, 360)
	if err != nil {
		c.Error(err)
		ErrorPage(c, h.page, http.StatusInternalServerError)
		return
	}
	if c.Query("download") != "" {
		c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="link-%d.png"`, d.Charge.EfiChargeID))
	}
	c.Header("Cache-Control", "private, max-age=3600")
	c.Data(http.StatusOK, "image/png", png)
}

// Settings handles POST /links/:id/settings.
func (h *Charges) Settings(c *gin.Context) {
	ctx := c.Request.Context()
	id, ok := h.id(c)
	if !ok {
		return
	}
	d, ok := h.get(c, id)
	if !ok {
		return
	}
	f := readForm(c)
	// The settings form changes settings only: validate it with the link's
	// own items and key.
	f.IdempotencyKey = "pl_aaaaaaaaaaaaaaaa"
	for _, it := range d.Items {
		f.Items = append(f.Items, links.ItemInput{Name: it.Name, Value: i18n.FormatMoneyInput(i18n.From(ctx), it.Value), Amount: strconv.FormatInt(it.Amount, 10)})
	}
	l, errs := links.Validate(i18n.From(ctx), f, h.now())
	fail := func(status int, fields map[string]string, notice string) {
		v := h.detailView(c, d)
		v.Settings, v.SettingsErrors, v.OpenSettings, v.Notice = f, fields, true, notice
		Render(c, formStatus(c, status), pages.LinkDetail(v))
	}
	if errs != nil {
		fail(http.StatusUnprocessableEntity, translateFields(ctx, errs), "")
		return
	}
	if err := h.svc.UpdateLink(ctx, actorFrom(c), id, l); err != nil {
		if p, ok := serviceError(c, h.page, err); ok {
			fail(p.Status, p.Fields, p.Msg)
		}
		return
	}
	flashKey(c, "links.settings_saved")
	redirect(c, fmt.Sprintf("/links/%d", id))
}

// simpleAction runs an action on a charge and returns to its page; a
// failure re-renders the page with the message under the action's field.
func (h *Charges) simpleAction(c *gin.Context, base string, do func(ctx context.Context, a services.Actor, id int64) error, done string,
	onFail func(v *pages.LinkDetailView, cv *pages.ChargeDetailView, fields map[string]string, msg string)) {
	ctx := c.Request.Context()
	id, ok := h.id(c)
	if !ok {
		return
	}
	err := do(ctx, actorFrom(c), id)
	if err == nil {
		flashKey(c, done)
		redirect(c, fmt.Sprintf("%s/%d", base, id))
		return
	}
	p, ok := serviceError(c, h.page, err)
	if !ok {
		return
	}
	d, ok := h.get(c, id)
	if !ok {
		return
	}
	if base == "/links" {
		v := h.detailView(c, d)
		onFail(&v, nil, p.Fields, p.Msg)
		Render(c, formStatus(c, p.Status), pages.LinkDetail(v))
		return
	}
	v := h.chargeView(c, d)
	onFail(nil, &v, p.Fields, p.Msg)
	Render(c, formStatus(c, p.Status), pages.ChargeDetail(v))
}

// Resend handles POST /links/:id/resend.
func (h *Charges) Resend(c *gin.Context) {
	email := c.PostForm("email")
	h.simpleAction(c, "/links", func(ctx context.Context, a services.Actor, id int64) error {
		return h.svc.ResendLink(ctx, a, id, email)
	}, "links.resent",
		func(v *pages.LinkDetailView, _ *pages.ChargeDetailView, fields map[string]string, msg string) {
			v.ResendEmail, v.ResendError = email, orMsg(fields["email"], msg)
		})
}

// LinkNote handles POST /links/:id/notes.
func (h *Charges) LinkNote(c *gin.Context) {
	text := c.PostForm("description")
	h.simpleAction(c, "/links", func(ctx context.Context, a services.Actor, id int64) error { return h.svc.AddNote(ctx, a, id, text) }, "charges.note_added",
		func(v *pages.LinkDetailView, _ *pages.ChargeDetailView, fields map[string]string, msg string) {
			v.Note, v.NoteError = text, orMsg(fields["description"], msg)
		})
}

// LinkCancel handles POST /links/:id/cancel.
func (h *Charges) LinkCancel(c *gin.Context) {
	h.simpleAction(c, "/links", h.svc.Cancel, "charges.canceled",
		func(v *pages.LinkDetailView, _ *pages.ChargeDetailView, _ map[string]string, msg string) {
			v.Notice = msg
		})
}

func orMsg(field, msg string) string {
	if field != "" {
		return field
	}
	return msg
}
