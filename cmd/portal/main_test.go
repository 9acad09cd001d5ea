package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	neturl "net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/efiportal/portal/db"
)

// syncBuffer collects run's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var readyLine = regexp.MustCompile(`open (http://\S+)`)

// startPortal runs the real portal on port 0 with a fresh data folder and
// returns its URL; the portal stops when the test ends.
func startPortal(t *testing.T, env map[string]string) (string, *syncBuffer) {
	t.Helper()
	dir := t.TempDir()
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		switch k {
		case "PORTAL_ADDR":
			return "127.0.0.1:0"
		case "PORTAL_DATA_DIR":
			return filepath.Join(dir, "data")
		}
		return ""
	}
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, getenv, out) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run returned %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("portal did not shut down")
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := readyLine.FindStringSubmatch(out.String()); m != nil {
			return m[1], out
		}
		select {
		case err := <-done:
			t.Fatalf("portal exited early: %v\n%s", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("portal never printed its URL:\n%s", out.String())
	return "", nil
}

func TestRunServesHealthzOnPortZero(t *testing.T) {
	url, _ := startPortal(t, nil)
	resp, err := http.Get(url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "ok" {
		t.Fatalf("healthz: %d %q", resp.StatusCode, body)
	}
}

func TestRunCreatesDataDirAndDatabase(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	url, _ := startPortal(t, map[string]string{"PORTAL_DATA_DIR": dir})
	if resp, err := http.Get(url + "/readyz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz: %v %v", resp, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "portal.db")); err != nil {
		t.Fatalf("database not created: %v", err)
	}
}

func TestRunJSONLogs(t *testing.T) {
	url, out := startPortal(t, map[string]string{"PORTAL_LOG_FORMAT": "json"})
	http.Get(url + "/healthz")
	if !strings.Contains(out.String(), `"msg":"portal started"`) {
		t.Fatalf("no JSON log line:\n%s", out.String())
	}
}

func TestParseConfig(t *testing.T) {
	env := map[string]string{"PORTAL_ADDR": "0.0.0.0:9000", "PORTAL_TRUSTED_PROXIES": "10.0.0.1, 192.168.0.0/16", "PORTAL_LOG_LEVEL": "debug"}
	cfg, err := parseConfig([]string{"-addr", "127.0.0.1:9100"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:9100" {
		t.Errorf("flag should beat env: addr %q", cfg.Addr)
	}
	if len(cfg.TrustedProxies) != 2 || cfg.TrustedProxies[1] != "192.168.0.0/16" {
		t.Errorf("trusted proxies %v", cfg.TrustedProxies)
	}
	if cfg.DataDir != "./data" || cfg.baseURL("127.0.0.1:9100") != "http://127.0.0.1:9100" {
		t.Errorf("defaults: %+v", cfg)
	}
	for _, bad := range []map[string]string{
		{"PORTAL_LOG_FORMAT": "xml"},
		{"PORTAL_LOG_LEVEL": "loud"},
		{"PORTAL_BASE_URL": "ftp://x"},
	} {
		if _, err := parseConfig(nil, func(k string) string { return bad[k] }, io.Discard); err == nil {
			t.Errorf("config %v accepted", bad)
		}
	}
}

func TestSeedCommand(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string {
		if k == "PORTAL_DATA_DIR" {
			return dir
		}
		return ""
	}
	ctx := context.Background()
	// The organisation must exist: create the database and one organisation.
	d, err := db.Open(ctx, filepath.Join(dir, "portal.db"), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Write.ExecContext(ctx, `INSERT INTO organisations (id, name, document) VALUES (7, 'Loja Seed', '11222333000181')`); err != nil {
		t.Fatal(err)
	}
	d.Close()
	out := &syncBuffer{}
	if err := run(ctx, []string{"seed", "-org", "7", "-n", "300"}, getenv, out); err != nil {
		t.Fatalf("seed: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "seeded 300 links for organisation 7") {
		t.Fatalf("output: %s", out.String())
	}
	if err := run(ctx, []string{"seed"}, getenv, io.Discard); err == nil {
		t.Fatal("seed without -org accepted")
	}
}

func TestEmbeddedSandboxAndHooks(t *testing.T) {
	url, _ := startPortal(t, nil)
	resp, err := http.Get(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`href="(http://127\.0\.0\.1:\d+/_sandbox/)"`).FindSubmatch(body)
	if m == nil {
		t.Fatal("the header does not link to the embedded sandbox's controls")
	}
	resp, err = http.Get(string(m[1]))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("embedded sandbox controls: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = http.Post(url+"/hooks/efi/not-a-secret", "application/x-www-form-urlencoded", strings.NewReader("notification=x"))
	if err != nil || resp.StatusCode != 404 {
		t.Fatalf("callback with an unknown secret: %v %v", resp, err)
	}
}

func TestAdminCommands(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string {
		if k == "PORTAL_DATA_DIR" {
			return dir
		}
		return ""
	}
	ctx := context.Background()
	out := &syncBuffer{}
	if err := runAdmin(ctx, []string{"orgs", "add", "-name", "Loja CLI", "-document", "11.222.333/0001-81"}, getenv, strings.NewReader(""), out); err != nil {
		t.Fatal(err)
	}
	if err := runAdmin(ctx, []string{"users", "add", "-name", "Ana", "-email", "ana@cli.test", "-role", "merchant", "-org", "1"}, getenv, strings.NewReader("cavalo-bateria-grampo\n"), out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "organisation 1 created") || !strings.Contains(out.String(), "user 1 created") {
		t.Fatalf("output: %s", out.String())
	}
	err := runAdmin(ctx, []string{"users", "add", "-name", "Bia", "-email", "bia@cli.test", "-role", "merchant", "-org", "1"}, getenv, strings.NewReader("curta\n"), out)
	if err == nil || !strings.Contains(err.Error(), "password") {
		t.Fatalf("a short password was accepted: %v", err)
	}
}

func TestSettingsTestConnectionShowsSandboxScopes(t *testing.T) {
	url, _ := startPortal(t, map[string]string{"PORTAL_DEMO": "true"})
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	post := func(path string, form neturl.Values) string {
		req, _ := http.NewRequest("POST", url+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", url)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	post("/login", neturl.Values{"email": {"lojista@demo.local"}, "password": {"demonstracao-efi-2026"}})
	body := post("/settings/test", nil)
	if !strings.Contains(body, `data-testid="test-result"`) || !strings.Contains(body, "charge") || !strings.Contains(body, "gn.barcode.read") {
		t.Fatalf("test connection page lacks the granted scopes:\n%s", body)
	}
}
