package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestPlansAndSubscriptions(t *testing.T) {
	e := start(t, Config{})
	st, v := e.call("POST", "/v1/plan", map[string]any{"name": "Mensal", "interval": 1, "repeats": 3})
	if st != 200 {
		t.Fatalf("create plan: %d %v", st, v)
	}
	planID := itoa(int64(data(v)["plan_id"].(float64)))
	if st, v := e.call("POST", "/v1/plan", map[string]any{"name": "x", "interval": 25}); st != 400 || v["error_description"].(map[string]any)["property"] != "/interval" {
		t.Fatalf("interval 25: %d %v", st, v)
	}
	if st, v := e.call("POST", "/v1/plan", map[string]any{"name": "x", "interval": 1, "repeats": 1}); st != 400 {
		t.Fatalf("repeats 1: %d %v", st, v)
	}
	if _, v := e.call("GET", "/v1/plans?name=mens", nil); len(v["data"].([]any)) != 1 {
		t.Fatalf("list plans by name: %v", v)
	}
	body := map[string]any{
		"items": []map[string]any{{"name": "Plano mensal", "value": 4990}},
		"payment": map[string]any{"banking_billet": map[string]any{"expire_at": future(3),
			"customer": map[string]any{"name": "Gorbadoc Oldbuck", "cpf": "94271564656"}}},
	}
	st, v = e.call("POST", "/v1/plan/"+planID+"/subscription/one-step", body)
	if st != 200 || data(v)["status"] != "active" || data(v)["charge"].(map[string]any)["status"] != "waiting" {
		t.Fatalf("one-step subscription: %d %v", st, v)
	}
	subID := itoa(int64(data(v)["subscription_id"].(float64)))
	// The plan is in use: it cannot be deleted.
	if st, v := e.call("DELETE", "/v1/plan/"+planID, nil); st != 400 || v["code"].(float64) != 3500032 {
		t.Fatalf("delete plan in use: %d %v", st, v)
	}
	// Two months later two more charges exist; the third repeat ends it.
	e.sb.AdvanceClock(35 * 24 * time.Hour)
	e.sb.AdvanceClock(35 * 24 * time.Hour)
	_, v = e.call("GET", "/v1/subscription/"+subID, nil)
	if data(v)["occurrences"].(float64) != 3 {
		t.Fatalf("after two months: %v", data(v))
	}
	e.sb.AdvanceClock(35 * 24 * time.Hour)
	_, v = e.call("GET", "/v1/subscription/"+subID, nil)
	if data(v)["status"] != "expired" || data(v)["occurrences"].(float64) != 3 {
		t.Fatalf("after the last repeat: %v", data(v))
	}
	if st, v := e.call("PUT", "/v1/subscription/"+subID+"/cancel", nil); st != 400 || v["code"].(float64) != 3500040 {
		t.Fatalf("cancel expired: %d %v", st, v)
	}
	// Two steps, card installments refused, then cancel.
	st, v = e.call("POST", "/v1/plan/"+planID+"/subscription", map[string]any{"items": []map[string]any{{"name": "Plano", "value": 4990}}})
	if st != 200 || data(v)["status"] != "new" {
		t.Fatalf("two-step: %d %v", st, v)
	}
	sub2 := itoa(int64(data(v)["subscription_id"].(float64)))
	card := map[string]any{"payment": map[string]any{"credit_card": map[string]any{"installments": 3, "payment_token": strings.Repeat("a", 40),
		"customer": map[string]any{"name": "Gorbadoc Oldbuck", "cpf": "94271564656", "email": "g@example.com"}}}}
	if st, v := e.call("POST", "/v1/subscription/"+sub2+"/pay", card); st != 400 || v["code"].(float64) != 3500021 {
		t.Fatalf("installments on a subscription: %d %v", st, v)
	}
	if st, _ := e.call("PUT", "/v1/subscription/"+sub2+"/cancel", nil); st != 200 {
		t.Fatal("cancel new subscription")
	}
}

func TestPixWebhooks(t *testing.T) {
	e := start(t, Config{})
	req, _ := http.NewRequest("POST", e.ts.URL+"/pix/oauth/token", strings.NewReader(`{"grant_type":"client_credentials"}`))
	req.SetBasicAuth(DefaultClientID, DefaultClientSecret)
	req.Header.Set("Content-Type", "application/json")
	resp, _ := http.DefaultClient.Do(req)
	var tok map[string]any
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if !strings.Contains(tok["scope"].(string), "webhook.write") {
		t.Fatalf("pix token: %v", tok)
	}
	pix := func(method, path string, body any, header ...string) (int, map[string]any) {
		var b []byte
		if body != nil {
			b, _ = json.Marshal(body)
		}
		req, _ := http.NewRequest(method, e.ts.URL+"/pix"+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+tok["access_token"].(string))
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		json.NewDecoder(resp.Body).Decode(&v)
		return resp.StatusCode, v
	}
	if st, v := pix("PUT", "/v2/webhook/chave@loja.com", map[string]string{"webhookUrl": "http://loja.com/pix"}); st != 400 || v["nome"] != "valor_invalido" {
		t.Fatalf("http webhook without skip: %d %v", st, v)
	}
	if st, _ := pix("PUT", "/v2/webhook/chave@loja.com", map[string]string{"webhookUrl": "https://loja.com/pix"}); st != 201 {
		t.Fatalf("configure: %d", st)
	}
	if st, v := pix("GET", "/v2/webhook/chave@loja.com", nil); st != 200 || v["webhookUrl"] != "https://loja.com/pix" {
		t.Fatalf("detail: %d %v", st, v)
	}
	from, to := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	if st, v := pix("GET", "/v2/webhook?inicio="+from+"&fim="+to, nil); st != 200 || len(v["webhooks"].([]any)) != 1 {
		t.Fatalf("list: %d %v", st, v)
	}
	if st, _ := pix("DELETE", "/v2/webhook/chave@loja.com", nil); st != 204 {
		t.Fatalf("delete: %d", st)
	}
	if st, v := pix("GET", "/v2/webhook/chave@loja.com", nil); st != 404 || v["nome"] != "webhook_nao_encontrado" {
		t.Fatalf("after delete: %d %v", st, v)
	}
	// A charges token is refused by the Pix routes.
	req, _ = http.NewRequest("GET", e.ts.URL+"/pix/v2/webhook/x", nil)
	req.Header.Set("Authorization", "Bearer "+e.token())
	resp, _ = http.DefaultClient.Do(req)
	if resp.StatusCode != 401 {
		t.Fatalf("charges token on pix: %d", resp.StatusCode)
	}
}

func TestSubscriptionNotificationToken(t *testing.T) {
	e := start(t, Config{})
	_, v := e.call("POST", "/v1/plan", map[string]any{"name": "Mensal", "interval": 1})
	planID := itoa(int64(data(v)["plan_id"].(float64)))
	tok := make(chan string, 20)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		tok <- r.PostForm.Get("notification")
	}))
	defer receiver.Close()
	e.call("POST", "/v1/plan/"+planID+"/subscription/one-step", map[string]any{
		"items":    []map[string]any{{"name": "Plano", "value": 4990}},
		"metadata": map[string]any{"notification_url": receiver.URL},
		"payment": map[string]any{"banking_billet": map[string]any{"expire_at": future(3),
			"customer": map[string]any{"name": "Gorbadoc Oldbuck", "cpf": "94271564656"}}},
	})
	var token string
	select {
	case token = <-tok:
	case <-time.After(5 * time.Second):
		t.Fatal("no callback")
	}
	_, v = e.call("GET", "/v1/notification/"+token, nil)
	types := map[string]int{}
	for _, c := range v["data"].([]any) {
		types[c.(map[string]any)["type"].(string)]++
	}
	if types["subscription"] != 2 || types["subscription_charge"] != 2 {
		t.Fatalf("subscription token changes: %v", types)
	}
}
