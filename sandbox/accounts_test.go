package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func (e *env) familyCall(tokenPath, prefix, method, path string, body any, header ...string) (int, any) {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.ts.URL+tokenPath, strings.NewReader(`{"grant_type":"client_credentials"}`))
	req.SetBasicAuth(DefaultClientID, DefaultClientSecret)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	var tok map[string]any
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	var b []byte
	if body != nil {
		b, _ = json.Marshal(body)
	}
	req, _ = http.NewRequest(method, e.ts.URL+prefix+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+tok["access_token"].(string))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var v any
	json.Unmarshal(raw, &v)
	return resp.StatusCode, v
}

func TestAccountOpening(t *testing.T) {
	var mu sync.Mutex
	var events []string
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var v map[string]any
		json.NewDecoder(r.Body).Decode(&v)
		mu.Lock()
		events = append(events, v["evento"].(string))
		mu.Unlock()
	}))
	defer receiver.Close()
	e := start(t, Config{})
	acc := func(method, path string, body any, header ...string) (int, map[string]any) {
		st, v := e.familyCall("/abrircontas/v1/oauth/token", "/abrircontas/v1", method, path, body, header...)
		m, _ := v.(map[string]any)
		return st, m
	}
	person := map[string]any{
		"clienteFinal": map[string]any{"cpf": "94271564656", "nomeCompleto": "Maria da Silva", "dataNascimento": "13/08/1990",
			"celular": "31987654321", "email": "maria@example.com",
			"endereco": map[string]any{"cep": "35400000", "estado": "MG", "cidade": "Ouro Preto", "bairro": "Centro", "logradouro": "Rua Direita", "numero": "7"}},
		"meioDeNotificacao": []string{"sms"}, "escoposIntegrados": []string{"cob.write", "pix.read"},
	}
	if st, v := acc("POST", "/conta-simplificada", person); st != 412 || v["nome"] != "webhook_nao_cadastrado" {
		t.Fatalf("without a webhook: %d %v", st, v)
	}
	if st, v := acc("POST", "/webhook", map[string]string{"webhookUrl": receiver.URL}); st != 400 || v["nome"] != "protocolo_da_url" {
		t.Fatalf("http webhook: %d %v", st, v)
	}
	st, v := acc("POST", "/webhook", map[string]string{"webhookUrl": receiver.URL}, "x-skip-mtls-checking", "true")
	if st != 200 || v["identificadorWebhook"] == "" {
		t.Fatalf("configure webhook: %d %v", st, v)
	}
	bad := map[string]any{"clienteFinal": map[string]any{"cpf": "12345678900"}, "meioDeNotificacao": []string{"sms"}, "escoposIntegrados": []string{"cob.write"}}
	if st, v := acc("POST", "/conta-simplificada", bad); st != 400 || v["nome"] != "cpf_invalido" {
		t.Fatalf("bad cpf: %d %v", st, v)
	}
	st, v = acc("POST", "/conta-simplificada", person)
	if st != 200 {
		t.Fatalf("request: %d %v", st, v)
	}
	id := v["contaSimplificada"].(map[string]any)["identificador"].(string)
	if st, v := acc("POST", "/conta-simplificada", person); st != 409 || v["nome"] != "solicitacao_duplicada" {
		t.Fatalf("duplicate: %d %v", st, v)
	}
	if st, v := acc("GET", "/conta-simplificada/"+id+"/credenciais", nil); st != 412 || v["nome"] != "conta_em_processamento" {
		t.Fatalf("credentials before opening: %d %v", st, v)
	}
	// The customer refuses: blocked for 2 business days.
	if err := e.sb.DecideAccount(id, false); err != nil {
		t.Fatal(err)
	}
	if st, _ := acc("POST", "/conta-simplificada", person); st != 409 {
		t.Fatalf("a refused customer asked again at once: %d", st)
	}
	e.sb.AdvanceClock(5 * 24 * time.Hour)
	st, v = acc("POST", "/conta-simplificada", person)
	if st != 200 {
		t.Fatalf("after the block: %d %v", st, v)
	}
	id2 := v["contaSimplificada"].(map[string]any)["identificador"].(string)
	// The end customer accepts on the page their message links to.
	resp, err := http.PostForm(e.ts.URL+"/_sandbox/accounts/"+id2, map[string][]string{"decision": {"open"}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("approval page: %v %v", resp, err)
	}
	resp.Body.Close()
	st, v = acc("GET", "/conta-simplificada/"+id2+"/credenciais", nil)
	if st != 200 || !strings.HasPrefix(v["clientId"].(string), "Client_Id_") {
		t.Fatalf("credentials: %d %v", st, v)
	}
	st2, cert := e.familyCall("/abrircontas/v1/oauth/token", "/abrircontas/v1", "POST", "/conta-simplificada/"+id2+"/certificado", nil)
	if s, ok := cert.(string); st2 != 201 || !ok || len(s) < 100 {
		t.Fatalf("certificate: %d %v", st2, cert)
	}
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(events) >= 2 })
	mu.Lock()
	defer mu.Unlock()
	if events[0] != "conta_recusada_pelo_cliente_final" || events[1] != "conta_aberta" {
		t.Fatalf("webhook events: %v", events)
	}
}
