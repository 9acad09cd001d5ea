package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/efiportal/portal/db"
	"github.com/efiportal/portal/services"
	"github.com/efiportal/portal/services/auth"
	"github.com/efiportal/portal/services/charges"
)

// BenchmarkListPages measures the links and charges list pages over a
// database of BENCH_ROWS synthetic links (default 1,000,000): the server
// time of each page (engine.ServeHTTP, no network), median and p99, for
// the first page, a deep page reached by cursor, a status filter and a
// search. The seeded file is kept in the temp folder and reused.
//
//	go test ./web -run '^$' -bench ListPages -benchtime 1x
func BenchmarkListPages(b *testing.B) {
	rows := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("BENCH_ROWS")); err == nil && v > 0 {
		rows = v
	}
	ctx := context.Background()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("efi-portal-bench-%d.db", rows))
	_, statErr := os.Stat(path)
	d, err := db.Open(ctx, path, db.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	a := auth.New(d, auth.Config{BcryptCost: bcrypt.MinCost, Logger: slog.New(slog.DiscardHandler)})
	staff := services.Actor{Role: services.RoleStaff}
	if errors.Is(statErr, os.ErrNotExist) {
		org, err := a.CreateOrganisation(ctx, staff, "Loja Bench", "11222333000181")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := a.CreateUser(ctx, staff, auth.NewUser{Name: "Lojista", Email: "bench@loja.test", Password: "cafe-com-leite-2026", Role: services.RoleMerchant, OrgID: org}); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := d.SeedCharges(ctx, org, rows, 1, nil); err != nil {
			os.Remove(path)
			b.Fatal(err)
		}
		b.Logf("seeded %d links in %s", rows, time.Since(start).Round(time.Second))
	}
	noAPI := charges.ClientsFunc(func(context.Context, int64) (charges.API, error) { return nil, errors.New("no API") })
	srv, err := New(Config{BaseURL: "http://bench.test", Logger: slog.New(slog.DiscardHandler)},
		Deps{DB: d, Auth: a, Charges: charges.New(d, noAPI, charges.Config{Logger: slog.New(slog.DiscardHandler)})})
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	cookie := benchSignIn(b, h)

	get := func(target string) (time.Duration, string) {
		req := httptest.NewRequest("GET", target, nil)
		req.Header.Set("Cookie", cookie)
		w := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(w, req)
		d := time.Since(start)
		if w.Code != 200 {
			b.Fatalf("%s: %d", target, w.Code)
		}
		return d, w.Body.String()
	}
	// A deep page: follow "next" 50 times.
	deep := "/links"
	for range 50 {
		_, body := get(deep)
		i := strings.Index(body, `rel="next" href="`)
		if i < 0 {
			break
		}
		deep = strings.ReplaceAll(body[i+len(`rel="next" href="`):][:strings.Index(body[i+len(`rel="next" href="`):], `"`)], "&amp;", "&")
	}
	pages := []struct{ name, url string }{
		{"links_first", "/links"},
		{"links_page51", deep},
		{"links_status", "/links?status=paid"},
		{"links_search", "/links?q=" + url.QueryEscape("pedido-90500000")},
		{"links_search_word", "/links?q=caneca"},
		{"charges_first", "/charges"},
		{"charges_range", "/charges?from=2026-06-01&to=2026-06-30"},
	}
	b.ResetTimer()
	for b.Loop() {
		for _, p := range pages {
			const n = 200
			times := make([]time.Duration, n)
			for i := range n {
				times[i], _ = get(p.url)
			}
			slices.Sort(times)
			med, p99 := times[n/2], times[n*99/100]
			b.ReportMetric(float64(med.Microseconds())/1000, p.name+"_median_ms")
			b.ReportMetric(float64(p99.Microseconds())/1000, p.name+"_p99_ms")
			fmt.Printf("%-18s rows=%d median=%.2fms p99=%.2fms\n", p.name, rows, float64(med.Microseconds())/1000, float64(p99.Microseconds())/1000)
		}
	}
}

func benchSignIn(b *testing.B, h http.Handler) string {
	form := url.Values{"email": {"bench@loja.test"}, "password": {"cafe-com-leite-2026"}}
	req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	for _, c := range w.Result().Cookies() {
		if c.Name == "portal_session" {
			return c.Name + "=" + c.Value
		}
	}
	b.Fatalf("sign-in failed: %d", w.Code)
	return ""
}
