package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/efiportal/portal/db"
	"github.com/efiportal/portal/services"
	"github.com/efiportal/portal/services/charges"
	"github.com/efiportal/portal/templates/pages"
	"github.com/efiportal/portal/web/i18n"
)

// listFilter reads a list's filter from the query string.
func (h *Charges) listFilter(c *gin.Context, kind string) (pages.ListFilter, charges.Filter, map[string]string) {
	ctx := c.Request.Context()
	lf := pages.ListFilter{Status: c.Query("status"), From: c.Query("from"), To: c.Query("to"), Q: c.Query("q"), Org: c.Query("org")}
	f := charges.Filter{Kind: kind, Status: lf.Status, Query: lf.Q, After: c.Query("after"), Before: c.Query("before")}
	errs := map[string]string{}
	if lf.From != "" {
		t, err := time.ParseInLocation("2006-01-02", lf.From, i18n.Zone)
		if err != nil {
			errs["from"] = i18n.T(ctx, "form.date")
		}
		f.From = t
	}
	if lf.To != "" {
		t, err := time.ParseInLocation("2006-01-02", lf.To, i18n.Zone)
		if err != nil {
			errs["to"] = i18n.T(ctx, "form.date")
		}
		f.To = t.AddDate(0, 0, 1) // the whole "to" day
	}
	if lf.Org != "" {
		f.OrgID, _ = strconv.ParseInt(lf.Org, 10, 64)
	}
	return lf, f, errs
}

func (h *Charges) list(c *gin.Context, base, kind, title, active string) {
	ctx := c.Request.Context()
	a := actorFrom(c)
	lf, f, errs := h.listFilter(c, kind)
	page, err := h.svc.List(ctx, a, f)
	if err != nil {
		serviceError(c, h.page, err)
		return
	}
	orgs, _ := h.svc.Organisations(ctx, a)
	v := pages.ChargeListView{Page: h.page(c, title, active), Base: base, Links: kind == db.KindLink, Staff: a.IsStaff(),
		Orgs: orgs, Filter: lf, Errors: errs, Rows: page.Charges}
	q := lf.Query()
	pageURL := func(k string, cur *db.Cursor) string {
		u := base + "?" + k + "=" + cur.Encode()
		if q != "" {
			u += "&" + q
		}
		return u
	}
	if page.Next != nil {
		v.Pager.NextURL = pageURL("after", page.Next)
	}
	if page.Prev != nil {
		v.Pager.PrevURL = pageURL("before", page.Prev)
	}
	Render(c, http.StatusOK, pages.ChargeList(v))
}

// Links handles GET /links.
func (h *Charges) Links(c *gin.Context) {
	h.list(c, "/links", db.KindLink, i18n.T(c.Request.Context(), "nav.links"), "nav.links")
}

// List handles GET /charges.
func (h *Charges) List(c *gin.Context) {
	h.list(c, "/charges", "", i18n.T(c.Request.Context(), "nav.charges"), "nav.charges")
}

func (h *Charges) export(c *gin.Context, kind, name string) {
	_, f, _ := h.listFilter(c, kind)
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.csv"`, name, time.Now().In(i18n.Zone).Format("2006-01-02")))
	if err := h.svc.ExportCSV(c.Request.Context(), actorFrom(c), f, c.Writer); err != nil {
		c.Error(err)
		if !c.Writer.Written() {
			serviceError(c, h.page, err)
		}
	}
}

// ExportLinks handles GET /links/export.csv.
func (h *Charges) ExportLinks(c *gin.Context) { h.export(c, db.KindLink, "links") }

// Export handles GET /charges/export.csv.
func (h *Charges) Export(c *gin.Context) { h.export(c, "", "cobrancas") }

func (h *Charges) chargeView(c *gin.Context, d charges.Detail) pages.ChargeDetailView {
	v := pages.ChargeDetailView{Page: h.page(c, d.Charge.Title, "nav.charges"), D: d, CustomID: d.Charge.CustomID, NotificationURL: d.Charge.NotificationURL}
	if !d.CanCancel {
		v.CancelBlocked = translate(c.Request.Context(), d.CancelBlocked)
	}
	return v
}

// Detail handles GET /charges/:id.
func (h *Charges) Detail(c *gin.Context) {
	id, ok := h.id(c)
	if !ok {
		return
	}
	d, ok := h.get(c, id)
	if !ok {
		return
	}
	Render(c, http.StatusOK, pages.ChargeDetail(h.chargeView(c, d)))
}

// Cancel handles POST /charges/:id/cancel.
func (h *Charges) Cancel(c *gin.Context) {
	h.simpleAction(c, "/charges", h.svc.Cancel, "charges.canceled",
		func(_ *pages.LinkDetailView, v *pages.ChargeDetailView, _ map[string]string, msg string) {
			v.Notice = msg
		})
}

// Note handles POST /charges/:id/notes.
func (h *Charges) Note(c *gin.Context) {
	text := c.PostForm("description")
	h.simpleAction(c, "/charges", func(ctx context.Context, a services.Actor, id int64) error { return h.svc.AddNote(ctx, a, id, text) }, "charges.note_added",
		func(_ *pages.LinkDetailView, v *pages.ChargeDetailView, fields map[string]string, msg string) {
			v.Note, v.NoteError = text, orMsg(fields["description"], msg)
		})
}

// Metadata handles POST /charges/:id/metadata.
func (h *Charges) Metadata(c *gin.Context) {
	customID, notifyURL := c.PostForm("custom_id"), c.PostForm("notification_url")
	h.simpleAction(c, "/charges", func(ctx context.Context, a services.Actor, id int64) error {
		return h.svc.UpdateMetadata(ctx, a, id, customID, notifyURL)
	}, "charges.metadata_saved", func(_ *pages.LinkDetailView, v *pages.ChargeDetailView, fields map[string]string, msg string) {
		v.CustomID, v.NotificationURL, v.MetaErrors = customID, notifyURL, fields
		if len(fields) == 0 {
			v.Notice = msg
		}
	})
}

// Installments handles GET /charges/installments?total=…: the table per card brand.
func (h *Charges) Installments(c *gin.Context) {
	ctx := c.Request.Context()
	a := actorFrom(c)
	orgs, _ := h.svc.Organisations(ctx, a)
	v := pages.InstallmentsView{Page: h.page(c, i18n.T(ctx, "charges.installments"), "nav.charges"), Staff: a.IsStaff(), Orgs: orgs,
		Total: c.Query("total"), Org: c.Query("org"), Errors: map[string]string{}}
	if v.Total != "" {
		v.Asked = true
		total, err := i18n.ParseMoney(i18n.From(ctx), v.Total)
		org, _ := strconv.ParseInt(v.Org, 10, 64)
		if err != nil {
			v.Errors["total"] = i18n.T(ctx, "form.money.invalid")
		} else if tables, err := h.svc.InstallmentsFor(ctx, a, org, total); err != nil {
			p, ok := serviceError(c, h.page, err)
			if !ok {
				return
			}
			v.Errors, v.Notice = p.Fields, p.Msg
			if len(p.Fields) > 0 {
				v.Notice = ""
			}
		} else {
			v.Tables = tables
		}
	}
	Render(c, http.StatusOK, pages.InstallmentsPage(v))
}

// Events handles GET /events: the callback log.
func (h *Charges) Events(c *gin.Context) {
	ctx := c.Request.Context()
	a := actorFrom(c)
	org, _ := strconv.ParseInt(c.Query("org"), 10, 64)
	after, _ := strconv.ParseInt(c.Query("after"), 10, 64)
	list, more, err := h.svc.Events(ctx, a, org, c.Query("state"), after)
	if err != nil {
		serviceError(c, h.page, err)
		return
	}
	orgs, _ := h.svc.Organisations(ctx, a)
	v := pages.EventsView{Page: h.page(c, i18n.T(ctx, "nav.events"), "nav.events"), Staff: a.IsStaff(), Orgs: orgs,
		State: c.Query("state"), Org: c.Query("org"), Events: list}
	q := url.Values{}
	if v.State != "" {
		q.Set("state", v.State)
	}
	if v.Org != "" {
		q.Set("org", v.Org)
	}
	if more && len(list) > 0 {
		q.Set("after", strconv.FormatInt(list[len(list)-1].ID, 10))
		v.NextURL = "/events?" + q.Encode()
		q.Del("after")
	}
	if after > 0 {
		v.FirstURL = "/events?" + q.Encode()
	}
	Render(c, http.StatusOK, pages.Events(v))
}

// Event handles GET /events/:id.
func (h *Charges) Event(c *gin.Context) {
	id, ok := h.id(c)
	if !ok {
		return
	}
	a := actorFrom(c)
	e, err := h.svc.Event(c.Request.Context(), a, id)
	if err != nil {
		serviceError(c, h.page, err)
		return
	}
	Render(c, http.StatusOK, pages.EventDetail(pages.EventDetailView{Page: h.page(c, i18n.T(c.Request.Context(), "events.event"), "nav.events"), Staff: a.IsStaff(), E: e}))
}

// Reprocess handles POST /events/:id/reprocess.
func (h *Charges) Reprocess(c *gin.Context) {
	id, ok := h.id(c)
	if !ok {
		return
	}
	if err := h.svc.Reprocess(c.Request.Context(), actorFrom(c), id); err != nil {
		serviceError(c, h.page, err)
		return
	}
	flashKey(c, "events.requeued")
	redirect(c, fmt.Sprintf("/events/%d", id))
}
