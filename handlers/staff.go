package handlers

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/efiportal/portal/db"
	"github.com/efiportal/portal/services"
	"github.com/efiportal/portal/services/auth"
	"github.com/efiportal/portal/templates/pages"
	"github.com/efiportal/portal/web/i18n"
)

// PeopleService is what the staff pages need.
type PeopleService interface {
	Organisations(ctx context.Context, a services.Actor) ([]db.Organisation, error)
	CreateOrganisation(ctx context.Context, a services.Actor, name, document string) (int64, error)
	Users(ctx context.Context, a services.Actor) ([]db.User, error)
	CreateUser(ctx context.Context, a services.Actor, in auth.NewUser) (int64, error)
	SetActive(ctx context.Context, a services.Actor, userID int64, active bool) error
	ResetPassword(ctx context.Context, a services.Actor, userID int64, password string) error
	Audit(ctx context.Context, a services.Actor, f db.AuditFilter) ([]db.AuditRow, bool, error)
	AuditActions(ctx context.Context) ([]string, error)
}

// Staff serves organisations, users and the audit log.
type Staff struct {
	page PageFunc
	svc  PeopleService
}

// NewStaff returns the handler.
func NewStaff(page PageFunc, svc PeopleService) *Staff { return &Staff{page: page, svc: svc} }

func (h *Staff) orgsView(c *gin.Context, name, document string, errs map[string]string) (pages.OrgsView, bool) {
	orgs, err := h.svc.Organisations(c.Request.Context(), actorFrom(c))
	if err != nil {
		serviceError(c, h.page, err)
		return pages.OrgsView{}, false
	}
	return pages.OrgsView{Page: h.page(c, i18n.T(c.Request.Context(), "nav.orgs"), "nav.orgs"), Orgs: orgs, Name: name, Document: document, Errors: errs}, true
}

// Orgs handles GET /orgs.
func (h *Staff) Orgs(c *gin.Context) {
	if v, ok := h.orgsView(c, "", "", nil); ok {
		Render(c, http.StatusOK, pages.Orgs(v))
	}
}

// CreateOrg handles POST /orgs.
func (h *Staff) CreateOrg(c *gin.Context) {
	name, doc := c.PostForm("name"), c.PostForm("document")
	if _, err := h.svc.CreateOrganisation(c.Request.Context(), actorFrom(c), name, doc); err != nil {
		p, ok := serviceError(c, h.page, err)
		if !ok {
			return
		}
		if v, ok := h.orgsView(c, name, doc, p.Fields); ok {
			Render(c, formStatus(c, p.Status), pages.Orgs(v))
		}
		return
	}
	flashKey(c, "orgs.created")
	redirect(c, "/orgs")
}

func (h *Staff) usersView(c *gin.Context, f pages.UserForm, errs map[string]string) (pages.UsersView, bool) {
	ctx := c.Request.Context()
	a := actorFrom(c)
	users, err := h.svc.Users(ctx, a)
	if err != nil {
		serviceError(c, h.page, err)
		return pages.UsersView{}, false
	}
	orgs, _ := h.svc.Organisations(ctx, a)
	if f.Role == "" {
		f.Role = services.RoleMerchant
	}
	return pages.UsersView{Page: h.page(c, i18n.T(ctx, "nav.users"), "nav.users"), Users: users, Orgs: orgs, Form: f, Errors: errs, Self: a.UserID}, true
}

// Users handles GET /users.
func (h *Staff) Users(c *gin.Context) {
	if v, ok := h.usersView(c, pages.UserForm{}, nil); ok {
		Render(c, http.StatusOK, pages.Users(v))
	}
}

// CreateUser handles POST /users.
func (h *Staff) CreateUser(c *gin.Context) {
	f := pages.UserForm{Name: c.PostForm("name"), Email: c.PostForm("email"), Role: c.PostForm("role"), OrgID: c.PostForm("org_id")}
	org, _ := strconv.ParseInt(f.OrgID, 10, 64)
	_, err := h.svc.CreateUser(c.Request.Context(), actorFrom(c), auth.NewUser{Name: f.Name, Email: f.Email, Password: c.PostForm("password"), Role: f.Role, OrgID: org})
	if err != nil {
		p, ok := serviceError(c, h.page, err)
		if !ok {
			return
		}
		if v, ok := h.usersView(c, f, p.Fields); ok {
			Render(c, formStatus(c, p.Status), pages.Users(v))
		}
		return
	}
	flashKey(c, "users.created")
	redirect(c, "/users")
}

func (h *Staff) userAction(c *gin.Context, do func(ctx context.Context, a services.Actor, id int64) error, done string) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		ErrorPage(c, h.page, http.StatusNotFound)
		return
	}
	if err := do(c.Request.Context(), actorFrom(c), id); err != nil {
		p, ok := serviceError(c, h.page, err)
		if !ok {
			return
		}
		msg := p.Msg
		for _, m := range p.Fields {
			msg = m
		}
		if v, ok := h.usersView(c, pages.UserForm{}, nil); ok {
			v.Page.Flashes = append(v.Page.Flashes, flashError(msg))
			Render(c, formStatus(c, p.Status), pages.Users(v))
		}
		return
	}
	flashKey(c, done)
	redirect(c, "/users")
}

// Disable handles POST /users/:id/disable: the person's sessions end at once.
func (h *Staff) Disable(c *gin.Context) {
	h.userAction(c, func(ctx context.Context, a services.Actor, id int64) error { return h.svc.SetActive(ctx, a, id, false) }, "users.disabled_done")
}

// Enable handles POST /users/:id/enable.
func (h *Staff) Enable(c *gin.Context) {
	h.userAction(c, func(ctx context.Context, a services.Actor, id int64) error { return h.svc.SetActive(ctx, a, id, true) }, "users.enabled_done")
}

// ResetPassword handles POST /users/:id/password.
func (h *Staff) ResetPassword(c *gin.Context) {
	pw := c.PostForm("password")
	h.userAction(c, func(ctx context.Context, a services.Actor, id int64) error {
		return h.svc.ResetPassword(ctx, a, id, pw)
	}, "users.password_done")
}

func auditFilter(c *gin.Context) (db.AuditFilter, url.Values) {
	q := url.Values{}
	f := db.AuditFilter{Action: c.Query("action")}
	for _, k := range []string{"org", "user", "action", "from", "to"} {
		if v := c.Query(k); v != "" {
			q.Set(k, v)
		}
	}
	f.OrgID, _ = strconv.ParseInt(c.Query("org"), 10, 64)
	f.UserID, _ = strconv.ParseInt(c.Query("user"), 10, 64)
	if t, err := time.ParseInLocation("2006-01-02", c.Query("from"), i18n.Zone); err == nil {
		f.From = t
	}
	if t, err := time.ParseInLocation("2006-01-02", c.Query("to"), i18n.Zone); err == nil {
		f.To = t.AddDate(0, 0, 1)
	}
	f.AfterID, _ = strconv.ParseInt(c.Query("after"), 10, 64)
	return f, q
}

// Audit handles GET /audit.
func (h *Staff) Audit(c *gin.Context) {
	ctx := c.Request.Context()
	a := actorFrom(c)
	f, q := auditFilter(c)
	rows, more, err := h.svc.Audit(ctx, a, f)
	if err != nil {
		serviceError(c, h.page, err)
		return
	}
	actions, _ := h.svc.AuditActions(ctx)
	v := pages.AuditView{Page: h.page(c, i18n.T(ctx, "nav.audit"), "nav.audit"), Staff: a.IsStaff(), Rows: rows, Actions: actions,
		Org: c.Query("org"), Action: f.Action, From: c.Query("from"), To: c.Query("to"), Query: q.Encode()}
	if a.IsStaff() {
		v.Orgs, _ = h.svc.Organisations(ctx, a)
		v.Users, _ = h.svc.Users(ctx, a)
		v.User = c.Query("user")
	}
	if more && len(rows) > 0 {
		nq := url.Values{}
		for k, vs := range q {
			nq[k] = vs
		}
		nq.Set("after", strconv.FormatInt(rows[len(rows)-1].ID, 10))
		v.NextURL = "/audit?" + nq.Encode()
	}
	if f.AfterID > 0 {
		v.FirstURL = "/audit?" + q.Encode()
	}
	Render(c, http.StatusOK, pages.Audit(v))
}

// AuditCSV handles GET /audit/export.csv: every entry of the filter.
func (h *Staff) AuditCSV(c *gin.Context) {
	ctx := c.Request.Context()
	a := actorFrom(c)
	f, _ := auditFilter(c)
	f.Limit = 1000
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="auditoria-%s.csv"`, time.Now().In(i18n.Zone).Format("2006-01-02")))
	w := csv.NewWriter(c.Writer)
	w.Write([]string{"id", "at", "user", "role", "organisation", "action", "target", "ip", "outcome"})
	for {
		rows, more, err := h.svc.Audit(ctx, a, f)
		if err != nil {
			c.Error(err)
			if !c.Writer.Written() {
				serviceError(c, h.page, err)
			}
			return
		}
		for _, r := range rows {
			w.Write([]string{strconv.FormatInt(r.ID, 10), r.At.Format(time.RFC3339), r.UserEmail, r.Role, r.OrgName, r.Action, r.Target, r.IP, r.Outcome})
		}
		if !more {
			break
		}
		f.AfterID = rows[len(rows)-1].ID
	}
	w.Flush()
}
