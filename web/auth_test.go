package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/efiportal/portal/db"
	"github.com/efiportal/portal/services"
)

// TestRouteRoleMatrix walks every route gin has registered and checks, for
// each kind of visitor, that the gate lets in exactly the roles its
// declared policy names. A route registered without a policy fails here,
// so new routes are covered automatically.
func TestRouteRoleMatrix(t *testing.T) {
	ts := newTestServer(t)
	orgA, orgB := ts.org(t, "Loja A"), ts.org(t, "Loja B")
	merchantA, _ := ts.user(t, services.RoleMerchant, orgA)
	merchantB, _ := ts.user(t, services.RoleMerchant, orgB)
	partner, _ := ts.user(t, services.RolePartner, orgA)
	staff, _ := ts.user(t, services.RoleStaff, 0)
	anon := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	visitors := []struct {
		name   string
		role   string
		client *http.Client
	}{{"anonymous", "", anon}, {"merchant A", services.RoleMerchant, merchantA}, {"merchant B", services.RoleMerchant, merchantB},
		{"partner", services.RolePartner, partner}, {"staff", services.RoleStaff, staff}}

	routes := ts.srv.Engine().Routes()
	if len(routes) < 5 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	for _, r := range routes {
		key := r.Method + " " + r.Path
		p, ok := ts.srv.policies[key]
		if !ok {
			t.Errorf("route %s has no declared policy: register it with s.handle", key)
			continue
		}
		if r.Path == "/logout" || r.Path == "/logout/all" {
			continue // would end the shared sessions; covered by TestSignOut
		}
		path := strings.NewReplacer(":id", "999999", ":secret", "nope", "*path", "x").Replace(r.Path)
		for _, v := range visitors {
			req, _ := http.NewRequest(r.Method, ts.URL+path, strings.NewReader(""))
			req.Header.Set("Origin", ts.URL)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := v.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			toLogin := resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login")
			denied := toLogin || resp.StatusCode == http.StatusForbidden
			want := p.public || (v.role != "" && p.allows(v.role))
			if want == denied {
				t.Errorf("%s as %s: status %d (location %q); want allowed=%v", key, v.name, resp.StatusCode, resp.Header.Get("Location"), want)
			}
			if !want && v.role == "" && !toLogin {
				t.Errorf("%s as anonymous: want a redirect to the sign-in page, got %d", key, resp.StatusCode)
			}
		}
	}
}

func post(t *testing.T, c *http.Client, target string, form url.Values, header ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestDisablingAUserEndsTheirSessionAtOnce(t *testing.T) {
	ts := newTestServer(t)
	org := ts.org(t, "Loja A")
	merchant, merchantID := ts.user(t, services.RoleMerchant, org)
	if resp, _ := ts.getWith(t, merchant, "/"); resp.StatusCode != 200 {
		t.Fatalf("merchant home: %d", resp.StatusCode)
	}
	if err := ts.auth.SetActive(context.Background(), services.Actor{UserID: 999, Role: services.RoleStaff}, merchantID, false); err != nil {
		t.Fatal(err)
	}
	resp, _ := ts.getWith(t, merchant, "/")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("a disabled user's next click: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestSignOutAndSessionRotation(t *testing.T) {
	ts := newTestServer(t)
	staff, _ := ts.user(t, services.RoleStaff, 0)
	u, _ := url.Parse(ts.URL)
	first := staff.Jar.Cookies(u)[0].Value
	// Signing in again gets a new session id; the old one is gone.
	_, _ = ts.user(t, services.RoleStaff, 0)
	resp := post(t, staff, ts.URL+"/logout", nil, "Origin", ts.URL)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
		t.Fatalf("logout: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Replaying the old cookie after sign-out gets nothing.
	replay := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", ts.URL+"/", nil)
	req.AddCookie(&http.Cookie{Name: "portal_session", Value: first})
	r2, _ := replay.Do(req)
	if r2.StatusCode != http.StatusSeeOther {
		t.Fatalf("old session cookie still works after sign-out: %d", r2.StatusCode)
	}
	if c := resp.Header.Get("Set-Cookie"); !strings.Contains(c, "portal_session=;") || !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") {
		t.Fatalf("logout cookie: %q", c)
	}
}

func TestLoginSameAnswerAndThrottling(t *testing.T) {
	ts := newTestServer(t)
	ts.user(t, services.RoleStaff, 0)
	anon := &http.Client{}
	bodyOf := func(form url.Values, ip string) (int, string) {
		req, _ := http.NewRequest("POST", ts.URL+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", ts.URL)
		resp, err := anon.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		i := strings.Index(string(b), `data-testid="login-error">`)
		if i < 0 {
			return resp.StatusCode, ""
		}
		msg := string(b)[i+len(`data-testid="login-error">`):]
		return resp.StatusCode, msg[:strings.Index(msg, "<")]
	}
	s1, unknown := bodyOf(url.Values{"email": {"nobody@example.com"}, "password": {"whatever-password"}}, "")
	s2, wrong := bodyOf(url.Values{"email": {"staff1@example.com"}, "password": {"wrong-password-x"}}, "")
	if s1 != 401 || s1 != s2 || unknown != wrong || unknown == "" {
		t.Fatalf("unknown e-mail %d %q vs wrong password %d %q", s1, unknown, s2, wrong)
	}
	for range 4 {
		bodyOf(url.Values{"email": {"staff1@example.com"}, "password": {"wrong-password-x"}}, "")
	}
	st, msg := bodyOf(url.Values{"email": {"staff1@example.com"}, "password": {"senha-muito-segura-1"}}, "")
	if st != http.StatusTooManyRequests || !strings.Contains(msg, "Muitas tentativas") {
		t.Fatalf("after repeated failures: %d %q", st, msg)
	}
	rows, _, _ := ts.auth.Audit(context.Background(), services.Actor{Role: services.RoleStaff}, db.AuditFilter{Action: "session.login"})
	outcomes := map[string]int{}
	for _, r := range rows {
		outcomes[r.Outcome]++
	}
	if outcomes["ok"] != 1 || outcomes["bad_credentials"] != 5 || outcomes["throttled"] != 2 {
		t.Fatalf("sign-in attempts in the audit log: %v", outcomes)
	}
}

func TestCrossOriginPostsRefused(t *testing.T) {
	ts := newTestServer(t)
	staff, _ := ts.user(t, services.RoleStaff, 0)
	if resp := post(t, staff, ts.URL+"/locale", url.Values{"lang": {"en"}}, "Origin", "https://evil.example"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-origin form post: %d", resp.StatusCode)
	}
	if resp := post(t, staff, ts.URL+"/locale", url.Values{"lang": {"en"}}, "Sec-Fetch-Site", "cross-site"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site fetch: %d", resp.StatusCode)
	}
	// A same-origin htmx request passes.
	if resp := post(t, staff, ts.URL+"/locale", url.Values{"lang": {"en"}}, "Sec-Fetch-Site", "same-origin", "HX-Request", "true"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("same-origin htmx post: %d", resp.StatusCode)
	}
}
