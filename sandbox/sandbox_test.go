package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

type env struct {
	t   *testing.T
	sb  *Server
	ts  *httptest.Server
	tok string
}

func start(t *testing.T, cfg Config) *env {
	t.Helper()
	if cfg.DBPath == "" {
		cfg.DBPath = filepath.Join(t.TempDir(), "sandbox.db")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.CallbackRetryDelays == nil {
		cfg.CallbackRetryDelays = []time.Duration{10 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond}
	}
	sb, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(sb.Handler())
	sb.SetPublicURL(ts.URL)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sb.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; ts.Close(); sb.Close() })
	return &env{t: t, sb: sb, ts: ts}
}

func (e *env) token() string {
	e.t.Helper()
	if e.tok != "" {
		return e.tok
	}
	req, _ := http.NewRequest("POST", e.ts.URL+"/cobrancas/v1/authorize", strings.NewReader(`{"grant_type":"client_credentials"}`))
	req.SetBasicAuth(DefaultClientID, DefaultClientSecret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	json.NewDecoder(resp.Body).Decode(&v)
	if resp.StatusCode != 200 {
		e.t.Fatalf("authorize: %d %v", resp.StatusCode, v)
	}
	e.tok = v["access_token"].(string)
	return e.tok
}

// call sends an API request and decodes the JSON answer.
func (e *env) call(method, path string, body any) (int, map[string]any) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.ts.URL+"/cobrancas"+path, rd)
	req.Header.Set("Authorization", "Bearer "+e.token())
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	json.NewDecoder(resp.Body).Decode(&v)
	return resp.StatusCode, v
}

func future(days int) string { return time.Now().AddDate(0, 0, days).Format(dateLayout) }

func linkBody(notify string) map[string]any {
	b := map[string]any{
		"items":    []map[string]any{{"name": "Camiseta", "value": 5990, "amount": 2}, {"name": "Caneca", "value": 2500}},
		"settings": map[string]any{"payment_method": "all", "expire_at": future(10), "request_delivery_address": false, "billet_discount": 500, "message": "Obrigado!"},
		"metadata": map[string]any{"custom_id": "pedido-1"},
	}
	if notify != "" {
		b["metadata"].(map[string]any)["notification_url"] = notify
	}
	return b
}

func data(v map[string]any) map[string]any { d, _ := v["data"].(map[string]any); return d }

func TestTokens(t *testing.T) {
	e := start(t, Config{ChargesTokenTTL: 50 * time.Millisecond})
	req, _ := http.NewRequest("POST", e.ts.URL+"/cobrancas/v1/authorize", strings.NewReader(`{"grant_type":"client_credentials"}`))
	req.SetBasicAuth(DefaultClientID, "wrong")
	resp, _ := http.DefaultClient.Do(req)
	if resp.StatusCode != 401 {
		t.Fatalf("bad secret: %d", resp.StatusCode)
	}
	if st, _ := e.call("GET", "/v1/charge/1", nil); st != 400 {
		t.Fatalf("fresh token on unknown charge: %d, want 400 property_does_not_exists", st)
	}
	time.Sleep(80 * time.Millisecond)
	if st, v := e.call("GET", "/v1/charge/1", nil); st != 401 || v["code"] == nil {
		t.Fatalf("expired token: %d %v", st, v)
	}
	// A Cobranças token is refused by another family's routes and vice versa.
	e2 := start(t, Config{Scopes: []string{}})
	if st, v := e2.call("GET", "/v1/charge/1", nil); st != 403 || v["error"] != "insufficient_scope" {
		t.Fatalf("token without the scope: %d %v", st, v)
	}
}

func TestLinkLifecycleWithCallbackAndPayPage(t *testing.T) {
	var mu sync.Mutex
	var tokens []string
	var fetched []map[string]any
	var e *env
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		mu.Lock()
		tokens = append(tokens, r.PostForm.Get("notification"))
		mu.Unlock()
		// The receiver fetches the token back, as the docs require.
		_, v := e.call("GET", "/v1/notification/"+r.PostForm.Get("notification"), nil)
		mu.Lock()
		fetched = append(fetched, v)
		mu.Unlock()
	}))
	defer receiver.Close()
	e = start(t, Config{})

	st, v := e.call("POST", "/v1/charge/one-step/link", linkBody(receiver.URL))
	if st != 200 {
		t.Fatalf("create link: %d %v", st, v)
	}
	d := data(v)
	if d["status"] != "link" || d["total"].(float64) != 14480 || !strings.HasPrefix(d["payment_url"].(string), e.ts.URL+"/pay/") {
		t.Fatalf("link response: %v", d)
	}
	id := int64(d["charge_id"].(float64))

	// The payer opens the page and pays by boleto.
	resp, err := http.Get(d["payment_url"].(string))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "R$ 144,80") || !strings.Contains(string(page), "Pagar com boleto") {
		t.Fatalf("pay page: %s", page)
	}
	resp, _ = http.PostForm(d["payment_url"].(string), url.Values{"method": {"billet"}})
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "Pagamento confirmado") || !strings.Contains(string(page), "R$ 139,80") {
		t.Fatalf("after paying (boleto discount R$ 5,00): %s", page)
	}

	_, v = e.call("GET", "/v1/charge/"+itoa(id), nil)
	if data(v)["status"] != "paid" {
		t.Fatalf("detail after paying: %v", data(v))
	}
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(fetched) >= 2 })
	mu.Lock()
	last := fetched[len(fetched)-1]
	mu.Unlock()
	changes := last["data"].([]any)
	final := changes[len(changes)-1].(map[string]any)
	if final["status"].(map[string]any)["current"] != "paid" || final["value"].(float64) != 13980 || final["identifiers"].(map[string]any)["charge_id"].(float64) != float64(id) {
		t.Fatalf("last change: %v", final)
	}
	for i, c := range changes {
		if c.(map[string]any)["id"].(float64) != float64(i+1) {
			t.Fatalf("change ids not a sequence: %v", changes)
		}
	}
	if tokens[0] == "" || tokens[0] != tokens[len(tokens)-1] {
		t.Fatalf("the token must be the same for the charge's life: %v", tokens)
	}

	// A paid charge cannot be cancelled.
	if st, v := e.call("PUT", "/v1/charge/"+itoa(id)+"/cancel", nil); st != 400 || v["code"].(float64) != 3500043 {
		t.Fatalf("cancel paid: %d %v", st, v)
	}
}

func TestCardRefusedOnPayPageLeavesUnpaidWithReason(t *testing.T) {
	e := start(t, Config{})
	_, v := e.call("POST", "/v1/charge/one-step/link", linkBody(""))
	d := data(v)
	resp, _ := http.PostForm(d["payment_url"].(string), url.Values{"method": {"card"}, "card_number": {"4000 0000 0000 0002"}, "installments": {"1"}})
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "Pagamento recusado") {
		t.Fatalf("page: %s", page)
	}
	_, v = e.call("GET", "/v1/charge/"+itoa(int64(d["charge_id"].(float64))), nil)
	if data(v)["status"] != "unpaid" || data(v)["reason"] != "Transação não autorizada por motivos de segurança." {
		t.Fatalf("after refusal: %v", data(v))
	}
}

func TestValidationErrors(t *testing.T) {
	e := start(t, Config{})
	tests := []struct {
		name     string
		edit     func(map[string]any)
		code     float64
		property string
	}{
		{"unknown property", func(b map[string]any) { b["itens"] = 1 }, 3500034, "/itens"},
		{"message too short", func(b map[string]any) { b["settings"].(map[string]any)["message"] = "oi" }, 3500034, "/settings/message"},
		{"expiry in the past", func(b map[string]any) { b["settings"].(map[string]any)["expire_at"] = "2020-01-01" }, 4600007, "/settings/expire_at"},
		{"bad date format", func(b map[string]any) { b["settings"].(map[string]any)["expire_at"] = "01/01/2030" }, 3500034, "/settings/expire_at"},
		{"bad method", func(b map[string]any) { b["settings"].(map[string]any)["payment_method"] = "pix" }, 3500034, "/settings/payment_method"},
		{"empty item name", func(b map[string]any) { b["items"].([]map[string]any)[0]["name"] = "" }, 3500034, "/items/0/name"},
		{"below R$ 5,00", func(b map[string]any) { b["items"] = []map[string]any{{"name": "x", "value": 100}} }, 4600036, ""},
		{"discount not below total", func(b map[string]any) { b["settings"].(map[string]any)["billet_discount"] = 99999 }, 3500034, "/settings/billet_discount"},
		{"bad notification url", func(b map[string]any) { b["metadata"].(map[string]any)["notification_url"] = "ftp://x" }, 3500034, "/metadata/notification_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := linkBody("")
			tt.edit(b)
			st, v := e.call("POST", "/v1/charge/one-step/link", b)
			if st != 400 || v["code"].(float64) != tt.code {
				t.Fatalf("%d %v", st, v)
			}
			if tt.property != "" {
				desc, _ := v["error_description"].(map[string]any)
				if desc["property"] != tt.property {
					t.Fatalf("property %v, want %s", v["error_description"], tt.property)
				}
			}
		})
	}
}

func TestStatusMachineGuards(t *testing.T) {
	e := start(t, Config{})
	_, v := e.call("POST", "/v1/charge", map[string]any{"items": []map[string]any{{"name": "Curso", "value": 10000}}})
	id := itoa(int64(data(v)["charge_id"].(float64)))
	if data(v)["status"] != "new" {
		t.Fatalf("create: %v", v)
	}
	// settle and billet update need waiting/unpaid.
	if st, v := e.call("PUT", "/v1/charge/"+id+"/settle", nil); st != 400 || v["code"].(float64) != 3500069 {
		t.Fatalf("settle new: %d %v", st, v)
	}
	pay := map[string]any{"payment": map[string]any{"banking_billet": map[string]any{"expire_at": future(3),
		"customer": map[string]any{"name": "Gorbadoc Oldbuck", "cpf": "94271564656"}}}}
	if st, v := e.call("POST", "/v1/charge/"+id+"/pay", pay); st != 200 || data(v)["status"] != "waiting" || data(v)["barcode"] == "" {
		t.Fatalf("pay billet: %d %v", st, v)
	}
	if st, v := e.call("POST", "/v1/charge/"+id+"/pay", pay); st != 400 || v["code"].(float64) != 3500030 {
		t.Fatalf("pay twice: %d %v", st, v)
	}
	if st, _ := e.call("PUT", "/v1/charge/"+id+"/billet", map[string]any{"expire_at": future(5)}); st != 200 {
		t.Fatalf("billet update while waiting: %d", st)
	}
	if st, _ := e.call("PUT", "/v1/charge/"+id+"/cancel", nil); st != 200 {
		t.Fatalf("cancel waiting: %d", st)
	}
	// A cancelled boleto can still be paid.
	if err := e.sb.ChargeAction(mustAtoi(id), "paid"); err != nil {
		t.Fatal(err)
	}
	if _, v := e.call("GET", "/v1/charge/"+id, nil); data(v)["status"] != "paid" {
		t.Fatalf("cancelled boleto paid later: %v", data(v))
	}
	// Invalid CPF.
	_, v = e.call("POST", "/v1/charge", map[string]any{"items": []map[string]any{{"name": "Curso", "value": 10000}}})
	id2 := itoa(int64(data(v)["charge_id"].(float64)))
	pay["payment"].(map[string]any)["banking_billet"].(map[string]any)["customer"] = map[string]any{"name": "Ana Lima", "cpf": "12345678900"}
	if st, v := e.call("POST", "/v1/charge/"+id2+"/pay", pay); st != 400 || v["error_description"].(map[string]any)["property"] != "/payment/banking_billet/customer/cpf" {
		t.Fatalf("invalid cpf: %d %v", st, v)
	}
}

func TestCallbackRetriesUntilAccepted(t *testing.T) {
	var mu sync.Mutex
	attempts := 0
	var e *env
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		attempts++
		n := attempts
		mu.Unlock()
		switch {
		case n < 3:
			w.WriteHeader(503)
		case n == 4:
			// Only fetching the token makes the callback count as received.
			r.ParseForm()
			e.call("GET", "/v1/notification/"+r.PostForm.Get("notification"), nil)
		}
	}))
	defer receiver.Close()
	e = start(t, Config{})
	e.call("POST", "/v1/charge/one-step/link", linkBody(receiver.URL))
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return attempts >= 4 })
	time.Sleep(150 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if attempts != 4 {
		t.Fatalf("%d attempts, want 4 (two failures, a 200 without fetching the token, then a 200 that fetched it)", attempts)
	}
	ds := e.sb.Deliveries()
	if len(ds) != 4 || ds[0].Status != 200 || ds[3].Status != 503 {
		t.Fatalf("delivery log: %+v", ds)
	}
}

func TestClockExpiresLinksAndPersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.db")
	e := start(t, Config{DBPath: path})
	_, v := e.call("POST", "/v1/charge/one-step/link", linkBody(""))
	id := itoa(int64(data(v)["charge_id"].(float64)))
	e.sb.AdvanceClock(11 * 24 * time.Hour)
	if _, v := e.call("GET", "/v1/charge/"+id, nil); data(v)["status"] != "expired" {
		t.Fatalf("after 11 days: %v", data(v)["status"])
	}
	e.sb.Close()

	// Reopen the same file: the charge, its status and the clock survive.
	sb2, err := New(context.Background(), Config{DBPath: path})
	if err != nil {
		t.Fatal(err)
	}
	defer sb2.Close()
	c := sb2.charges[mustAtoi(id)]
	if c == nil || c.Status != "expired" || sb2.offset != 11*24*time.Hour {
		t.Fatalf("after restart: %+v offset %v", c, sb2.offset)
	}
	if len(sb2.tokens[c.Token].Changes) != 3 {
		t.Fatalf("notification changes lost: %+v", sb2.tokens[c.Token])
	}
}

func TestQuotaFailureInjectionAndRequestLog(t *testing.T) {
	e := start(t, Config{DailyQuota: 3})
	e.sb.InjectFailure("GET /cobrancas/v1/charge/{id}", "500", 1)
	if st, v := e.call("GET", "/v1/charge/1", nil); st != 500 || v["code"].(float64) != 3500000 {
		t.Fatalf("injected failure: %d %v", st, v)
	}
	e.call("GET", "/v1/charge/1", nil)
	e.call("GET", "/v1/charge/1", nil)
	if st, v := e.call("GET", "/v1/charge/1", nil); st != 429 || v["code"].(float64) != 3500049 {
		t.Fatalf("over quota: %d %v", st, v)
	}
	reqs := e.sb.Requests()
	if len(reqs) != 4 || reqs[0].Status != 429 || reqs[3].Status != 500 || reqs[0].Route != "GET /cobrancas/v1/charge/{id}" {
		t.Fatalf("request log: %+v", reqs)
	}
}

func TestInstallmentsAndLists(t *testing.T) {
	e := start(t, Config{})
	st, v := e.call("GET", "/v1/installments?total=10000&brand=visa", nil)
	inst := data(v)["installments"].([]any)
	if st != 200 || len(inst) != 12 || inst[0].(map[string]any)["value"].(float64) != 10000 || inst[0].(map[string]any)["has_interest"] != false {
		t.Fatalf("installments: %d %v", st, v)
	}
	if inst[11].(map[string]any)["value"].(float64)*12 <= 10000 {
		t.Fatal("installments with interest must cost more than the total")
	}
	if st, v := e.call("GET", "/v1/installments?total=10000&brand=nubank", nil); st != 400 || v["code"].(float64) != 3500056 {
		t.Fatalf("bad brand: %d %v", st, v)
	}
	e.call("POST", "/v1/charge/one-step/link", linkBody(""))
	today := time.Now().Format(dateLayout)
	st, v = e.call("GET", "/v1/charges?charge_type=billet&begin_date="+today+"&end_date="+future(1)+"&custom_id=pedido-1", nil)
	list := v["data"].([]any)
	if st != 200 || len(list) != 1 || list[0].(map[string]any)["id"] == nil {
		t.Fatalf("list by custom_id: %d %v", st, v)
	}
	if st, _ := e.call("GET", "/v1/charges?begin_date="+today, nil); st != 400 {
		t.Fatalf("list without charge_type: %d", st)
	}
}

func TestDocuments(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want bool
	}{{"94271564656", true}, {"12345678909", true}, {"12345678900", false}, {"11111111111", false}, {"1234567890", false}} {
		if ValidCPF(tc.doc) != tc.want {
			t.Errorf("ValidCPF(%s) != %v", tc.doc, tc.want)
		}
	}
	for _, tc := range []struct {
		doc  string
		want bool
	}{{"11222333000181", true}, {"11222333000180", false}, {"00000000000000", false}} {
		if ValidCNPJ(tc.doc) != tc.want {
			t.Errorf("ValidCNPJ(%s) != %v", tc.doc, tc.want)
		}
	}
}

func TestControlsPage(t *testing.T) {
	e := start(t, Config{})
	_, v := e.call("POST", "/v1/charge/one-step/link", linkBody(""))
	id := itoa(int64(data(v)["charge_id"].(float64)))
	resp, _ := http.PostForm(e.ts.URL+"/_sandbox/", url.Values{"op": {"charge"}, "id": {id}, "action": {"paid"}})
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(page), "Histórico de Requisições") || !strings.Contains(string(page), "Cobrança "+id+": paid.") {
		t.Fatalf("controls page: %s", page)
	}
	if _, v := e.call("GET", "/v1/charge/"+id, nil); data(v)["status"] != "paid" {
		t.Fatalf("control did not pay: %v", data(v))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func mustAtoi(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition not met in 5 s")
}

func TestCardRetryAndRefund(t *testing.T) {
	e := start(t, Config{})
	customer := map[string]any{"name": "Gorbadoc Oldbuck", "cpf": "94271564656", "email": "g@example.com"}
	card := func(last string) map[string]any {
		return map[string]any{"credit_card": map[string]any{"installments": 1, "payment_token": strings.Repeat("a", 39) + last, "customer": customer}}
	}
	_, v := e.call("POST", "/v1/charge/one-step", map[string]any{"items": []map[string]any{{"name": "Curso", "value": 10000}}, "payment": card("2")})
	id := itoa(int64(data(v)["charge_id"].(float64)))
	if data(v)["status"] != "unpaid" {
		t.Fatalf("refused card: %v", data(v))
	}
	if st, _ := e.call("POST", "/v1/charge/card/"+id+"/refund", nil); st != 400 {
		t.Fatal("refund of an unpaid charge accepted")
	}
	if st, v := e.call("POST", "/v1/charge/"+id+"/retry", map[string]any{"payment": card("4")}); st != 200 || data(v)["status"] != "approved" {
		t.Fatalf("retry: %d %v", st, v)
	}
	e.sb.ChargeAction(mustAtoi(id), "paid")
	if st, v := e.call("POST", "/v1/charge/card/"+id+"/refund", map[string]any{"amount": 2000}); st != 200 || v["message"] != "Reembolso em processamento" {
		t.Fatalf("partial refund: %d %v", st, v)
	}
	if st, _ := e.call("POST", "/v1/charge/card/"+id+"/refund", nil); st != 200 {
		t.Fatal("full refund refused")
	}
	if _, v := e.call("GET", "/v1/charge/"+id, nil); data(v)["status"] != "refunded" {
		t.Fatalf("after full refund: %v", data(v)["status"])
	}
}
