package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/gin-gonic/gin"
	"golang.org/x/crypto/bcrypt"

	"github.com/efiportal/portal/db"
	"github.com/efiportal/portal/services"
	"github.com/efiportal/portal/services/auth"
	"github.com/efiportal/portal/services/charges"
	"github.com/efiportal/portal/services/secrets"
	"github.com/efiportal/portal/services/settings"
	"github.com/efiportal/portal/static"
)

type testServer struct {
	*httptest.Server
	srv  *Server
	logs *strings.Builder
	auth *auth.Service
	n    atomic.Int32
}

func newTestServer(t *testing.T) *testServer {
	t.Helper()
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "portal.db"), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	logs := &strings.Builder{}
	a := auth.New(d, auth.Config{BcryptCost: bcrypt.MinCost, Logger: slog.New(slog.DiscardHandler)})
	noAPI := charges.ClientsFunc(func(context.Context, int64) (charges.API, error) { return nil, errors.New("no Efí API in web tests") })
	ch := charges.New(d, noAPI, charges.Config{BaseURL: "http://example.test", Logger: slog.New(slog.DiscardHandler)})
	srv, err := New(Config{BaseURL: "http://example.test", Logger: slog.New(slog.NewTextHandler(logs, nil))}, Deps{DB: d, Auth: a, Charges: ch, Settings: settings.New(d, testBox(), nil, nil, slog.New(slog.DiscardHandler))})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &testServer{Server: ts, srv: srv, logs: logs, auth: a}
}

// user creates a user (and an organisation for non-staff) and returns a
// client signed in as them.
func (ts *testServer) user(t *testing.T, role string, org int64) (*http.Client, int64) {
	t.Helper()
	ctx := context.Background()
	staff := services.Actor{Role: services.RoleStaff}
	email := fmt.Sprintf("%s%d@example.com", role, ts.n.Add(1))
	id, err := ts.auth.CreateUser(ctx, staff, auth.NewUser{Name: "Pessoa " + role, Email: email, Password: "senha-muito-segura-1", Role: role, OrgID: org})
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := url.Values{"email": {email}, "password": {"senha-muito-segura-1"}}
	req, _ := http.NewRequest("POST", ts.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", ts.URL)
	resp, err := c.Do(req)
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %v %v", role, resp, err)
	}
	resp.Body.Close()
	return c, id
}

func (ts *testServer) org(t *testing.T, name string) int64 {
	t.Helper()
	id, err := ts.auth.CreateOrganisation(context.Background(), services.Actor{Role: services.RoleStaff}, name, "11222333000181")
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (ts *testServer) get(t *testing.T, path string, header ...string) (*http.Response, string) {
	t.Helper()
	return ts.getWith(t, ts.Client(), path, header...)
}

func (ts *testServer) getWith(t *testing.T, c *http.Client, path string, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestUnknownPathRendersNotFoundPage(t *testing.T) {
	ts := newTestServer(t)
	resp, body := ts.get(t, "/no/such/page")
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status %d", resp.StatusCode)
	}
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
	if doc.Find(`[data-testid="error-404"]`).Length() != 1 || !strings.Contains(doc.Find("h1").Text(), "Página não encontrada") {
		t.Fatalf("404 page not rendered: %s", body)
	}
	if doc.Find("header.topbar").Length() != 1 {
		t.Fatal("404 page lost the layout")
	}
}

func TestPanicRendersCleanServerError(t *testing.T) {
	ts := newTestServer(t)
	ts.srv.Engine().GET("/boom", func(c *gin.Context) { panic("secret internal detail: db password hunter2") })
	resp, body := ts.get(t, "/boom")
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if strings.Contains(body, "hunter2") || strings.Contains(body, "goroutine") || strings.Contains(body, ".go:") {
		t.Fatalf("500 page leaks internals: %s", body)
	}
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
	rid := doc.Find(`[data-testid="request-id"]`).Text()
	if rid == "" || rid != resp.Header.Get("X-Request-Id") {
		t.Fatalf("500 page shows request id %q, header says %q", rid, resp.Header.Get("X-Request-Id"))
	}
	logs := ts.logs.String()
	if !strings.Contains(logs, "panic serving request") || !strings.Contains(logs, rid) || !strings.Contains(logs, "web_test.go") {
		t.Fatalf("the log lacks the panic, its request id or its stack:\n%s", logs)
	}
}

func TestStaticAssetHashedAndCached(t *testing.T) {
	ts := newTestServer(t)
	p := static.Path("css/app.css")
	if !strings.HasPrefix(p, "/static/css/app.") || p == "/static/css/app.css" {
		t.Fatalf("asset path %q has no content hash", p)
	}
	resp, body := ts.get(t, p)
	if resp.StatusCode != 200 || !strings.Contains(body, ".topbar") {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
		t.Fatalf("Cache-Control %q", cc)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
		t.Fatalf("Content-Type %q", ct)
	}
	if resp, _ := ts.get(t, "/static/css/app.css"); resp.StatusCode != 404 {
		t.Fatalf("unhashed name served with %d; want 404 so stale pages never get a wrong file", resp.StatusCode)
	}
	if resp, _ := ts.get(t, p, "If-None-Match", resp.Header.Get("ETag")); resp.StatusCode != http.StatusNotModified {
		t.Fatalf("conditional GET: %d", resp.StatusCode)
	}
	if resp, _ := ts.get(t, static.Path("vendor/htmx.min.js")); resp.StatusCode != 200 {
		t.Fatalf("htmx not served: %d", resp.StatusCode)
	}
}

func TestSecurityHeadersAndGzip(t *testing.T) {
	ts := newTestServer(t)
	req, _ := http.NewRequest("GET", ts.URL+"/login", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	tr := &http.Transport{DisableCompression: true}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") == "" {
		t.Errorf("missing nosniff or referrer policy: %v", resp.Header)
	}
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("page not gzipped: %v", resp.Header)
	}
}

func TestNoInlineScriptInLayout(t *testing.T) {
	ts := newTestServer(t)
	staff, _ := ts.user(t, services.RoleStaff, 0)
	_, body := ts.getWith(t, staff, "/")
	if !strings.Contains(body, `data-testid="home"`) {
		t.Fatal("home page not rendered")
	}
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
	doc.Find("script").Each(func(_ int, s *goquery.Selection) {
		if src, _ := s.Attr("src"); src == "" || strings.TrimSpace(s.Text()) != "" {
			t.Errorf("inline script in layout: %s", s.Text())
		}
	})
	doc.Find("*").Each(func(_ int, s *goquery.Selection) {
		for _, a := range s.Nodes[0].Attr {
			if strings.HasPrefix(a.Key, "on") || a.Key == "style" {
				t.Errorf("inline handler or style attribute %s on <%s>", a.Key, s.Nodes[0].Data)
			}
		}
	})
}

func TestLayoutInBothLanguages(t *testing.T) {
	ts := newTestServer(t)
	staff, _ := ts.user(t, services.RoleStaff, 0)
	for _, tc := range []struct {
		name, acceptLang, cookie, lang, skip, nav string
	}{
		{"default", "", "", "pt-BR", "Pular para o conteúdo", "Início"},
		{"browser english", "en-US,en;q=0.9", "", "en", "Skip to content", "Home"},
		{"choice beats browser", "en-US", "pt-BR", "pt-BR", "Pular para o conteúdo", "Início"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := []string{"Accept-Language", tc.acceptLang}
			if tc.cookie != "" {
				h = append(h, "Cookie", "lang="+tc.cookie)
			}
			_, body := ts.getWith(t, staff, "/", h...)
			doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
			if got, _ := doc.Find("html").Attr("lang"); got != tc.lang {
				t.Errorf("html lang = %q, want %q", got, tc.lang)
			}
			if got := doc.Find("a.skip-link").Text(); got != tc.skip {
				t.Errorf("skip link %q, want %q", got, tc.skip)
			}
			if got := doc.Find(".nav-wide nav a[aria-current=page]").Text(); got != tc.nav {
				t.Errorf("active nav %q, want %q", got, tc.nav)
			}
			if doc.Find("#toasts[aria-live]").Length() != 1 || doc.Find("main#main").Length() != 1 {
				t.Error("layout lacks the aria-live toast region or the main landmark")
			}
		})
	}
}

func TestLocaleSwitchKeepsPageAndRefusesOffsiteReturn(t *testing.T) {
	ts := newTestServer(t)
	client := ts.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for _, tc := range []struct{ ret, want string }{
		{"/links?status=paid", "/links?status=paid"},
		{"https://evil.example/", "/"},
		{"//evil.example/", "/"},
	} {
		form := url.Values{"lang": {"en"}, "return": {tc.ret}}
		req, _ := http.NewRequest("POST", ts.URL+"/locale", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", ts.URL)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != tc.want {
			t.Errorf("return %q: %d to %q, want %q", tc.ret, resp.StatusCode, resp.Header.Get("Location"), tc.want)
		}
		if !strings.Contains(resp.Header.Get("Set-Cookie"), "lang=en") {
			t.Errorf("no lang cookie set: %q", resp.Header.Get("Set-Cookie"))
		}
	}
}

func TestOpsEndpoints(t *testing.T) {
	ts := newTestServer(t)
	if resp, body := ts.get(t, "/healthz"); resp.StatusCode != 200 || body != "ok" {
		t.Fatalf("healthz: %d %q", resp.StatusCode, body)
	}
	if resp, body := ts.get(t, "/readyz"); resp.StatusCode != 200 || body != "ready" {
		t.Fatalf("readyz: %d %q", resp.StatusCode, body)
	}
	ts.get(t, "/login")
	_, body := ts.get(t, "/metrics")
	for _, want := range []string{
		`portal_http_requests_total{method="GET",route="/login",status="200"} 1`,
		`portal_http_request_duration_seconds_bucket{method="GET",route="/login"`,
		`go_sql_open_connections{db_name="writer"}`,
		`go_sql_open_connections{db_name="readers"}`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestReadyzFailsWhenDatabaseClosed(t *testing.T) {
	ts := newTestServer(t)
	ts.srv.deps.DB.Close()
	if resp, _ := ts.get(t, "/readyz"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz with a closed database: %d", resp.StatusCode)
	}
}

func testBox() *secrets.Box {
	b, _ := secrets.New([]byte("0123456789abcdef0123456789abcdef"))
	return b
}
