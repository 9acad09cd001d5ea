package sandbox

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strconv"
	"time"
)

// ChargeAction applies a control action to a charge, outside the API's
// rules where the bank or the payer would act: paid, unpaid, contested,
// refunded, expire.
func (s *Server) ChargeAction(id int64, action string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.charges[id]
	if c == nil {
		return fmt.Errorf("charge %d not found", id)
	}
	switch action {
	case "paid":
		if c.Status == "link" || c.Status == "new" {
			c.Method = "banking_billet"
			c.Billet = &billetInfo{Barcode: fakeBarcode(c.ID, c.Total), Code: randomHex(10), ExpireAt: s.now().Format(dateLayout)}
			s.setStatus(c, "waiting", "")
		}
		s.markPaid(c, s.discounted(c, "billet"), "Pagamento confirmado (controle do sandbox)")
	case "unpaid", "contested", "refunded":
		s.addHist(c, "Status alterado para "+action+" (controle do sandbox)")
		s.setStatus(c, action, "")
	case "expire":
		switch {
		case c.Link != nil && c.Status == "link":
			s.addHist(c, "Link de pagamento expirado")
			s.setStatus(c, "expired", "")
		case c.Status == "waiting":
			s.addHist(c, "Boleto vencido")
			s.setStatus(c, "unpaid", "")
		default:
			return fmt.Errorf("charge %d in status %s cannot expire", id, c.Status)
		}
	default:
		return fmt.Errorf("unknown action %q", action)
	}
	s.saveCharge(c)
	return nil
}

// AdvanceClock moves the sandbox clock forward and applies what falls due.
func (s *Server) AdvanceClock(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
	s.store.put("meta", "clock", int64(s.offset))
	s.sweep()
}

// InjectFailure makes the next n calls of a route (its pattern, e.g.
// "GET /cobrancas/v1/charge/{id}") fail with a 500 or hang ("timeout").
func (s *Server) InjectFailure(route, mode string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[route] = &injection{Remaining: n, Mode: mode}
}

// Requests lists the API requests received, newest first.
func (s *Server) Requests() []requestRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]requestRecord, len(s.requests))
	for i, r := range s.requests {
		out[len(out)-1-i] = r
	}
	return out
}

func (s *Server) apiRequests(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, s.Requests())
}

func (s *Server) apiChargeAction(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r, "id")
	if !ok {
		writeJSON(w, 404, map[string]string{"error": "charge not found"})
		return
	}
	if err := s.ChargeAction(id, r.PathValue("action")); err != nil {
		writeJSON(w, 409, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, 200, map[string]string{"ok": "true"})
}

func (s *Server) apiAdvanceClock(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Days int `json:"days"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Days < 1 {
		writeJSON(w, 400, map[string]string{"error": `send {"days": N} with N >= 1`})
		return
	}
	s.AdvanceClock(time.Duration(in.Days) * 24 * time.Hour)
	writeJSON(w, 200, map[string]string{"now": s.now().Format(tsLayout)})
}

func (s *Server) apiInjectFailure(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Route string `json:"route"`
		Mode  string `json:"mode"`
		Count int    `json:"count"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Route == "" || (in.Mode != "500" && in.Mode != "timeout") || in.Count < 1 {
		writeJSON(w, 400, map[string]string{"error": `send {"route": "GET /cobrancas/v1/charge/{id}", "mode": "500"|"timeout", "count": N}`})
		return
	}
	s.InjectFailure(in.Route, in.Mode, in.Count)
	writeJSON(w, 200, map[string]string{"ok": "true"})
}

type chargeRow struct {
	ID       int64  `json:"id"`
	Status   string `json:"status"`
	Total    int64  `json:"total"`
	CustomID string `json:"custom_id"`
	PayURL   string `json:"pay_url"`
	Created  string `json:"created_at"`
}

func (s *Server) chargeRows() []chargeRow {
	s.mu.Lock()
	defer s.mu.Unlock()
	var rows []chargeRow
	for _, c := range s.charges {
		row := chargeRow{ID: c.ID, Status: c.Status, Total: c.Total, Created: c.CreatedAt}
		if c.CustomID != nil {
			row.CustomID = *c.CustomID
		}
		if c.Link != nil {
			row.PayURL = "/pay/" + c.Link.Code
		} else if c.Billet != nil {
			row.PayURL = "/pay/" + c.Billet.Code
		}
		rows = append(rows, row)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].ID > rows[j].ID })
	return rows
}

func (s *Server) apiListCharges(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, s.chargeRows())
}

var controlsTmpl = template.Must(template.New("controls").Funcs(template.FuncMap{
	"reais": func(c int64) string { return "R$ " + formatReais(c) },
	"ms": func(d time.Duration) string {
		return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
	},
}).Parse(`<!DOCTYPE html>
<html lang="pt-BR"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Controles · Sandbox Efí</title>
<style>
body{margin:0;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f5f8;color:#1a1f2b}
.wrap{max-width:1100px;margin:24px auto;padding:0 16px} h1{font-size:1.4rem} h2{font-size:1.1rem}
.card{background:#fff;border:1px solid #dde1e8;border-radius:12px;padding:16px;margin-bottom:16px}
table{width:100%;border-collapse:collapse} th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #eef0f4} th{color:#5b6474;font-size:.8rem;text-transform:uppercase}
form.inline{display:inline} button{font:inherit;padding:4px 10px;border-radius:6px;border:1px solid #c5cbd6;background:#fff;cursor:pointer}
input,select{font:inherit;padding:4px 6px;border:1px solid #c5cbd6;border-radius:6px} .msg{background:#e7f6ec;color:#067647;padding:8px;border-radius:8px}
.err{background:#fdecea;color:#b42318}
</style></head><body><div class="wrap">
<h1>Sandbox Efí — controles</h1>
<p>Relógio do sandbox: <strong data-testid="sandbox-clock">{{.Now}}</strong></p>
{{if .Msg}}<p class="msg {{if .Err}}err{{end}}">{{.Msg}}</p>{{end}}
<div class="card"><h2>Relógio</h2>
<form method="post"><input type="hidden" name="op" value="advance"><label>Avançar <input name="days" type="number" min="1" value="1" size="4"> dia(s)</label> <button>Avançar</button></form></div>
<div class="card"><h2>Falhas</h2>
<form method="post"><input type="hidden" name="op" value="fail">
<label>Rota <select name="route">{{range .Routes}}<option>{{.}}</option>{{end}}</select></label>
<label>Modo <select name="mode"><option value="500">500</option><option value="timeout">timeout</option></select></label>
<label>Próximas <input name="count" type="number" min="1" value="1" size="4"> chamadas</label> <button>Aplicar</button></form></div>
<div class="card"><h2>Cobranças</h2>
<table><tr><th>ID</th><th>Status</th><th>Total</th><th>custom_id</th><th>Criada</th><th>Ações</th></tr>
{{range .Charges}}<tr><td>{{.ID}}</td><td>{{.Status}}</td><td>{{reais .Total}}</td><td>{{.CustomID}}</td><td>{{.Created}}</td><td>
{{if .PayURL}}<a href="{{.PayURL}}">página de pagamento</a>{{end}}
{{$id := .ID}}{{range $.Actions}}<form class="inline" method="post"><input type="hidden" name="op" value="charge"><input type="hidden" name="id" value="{{$id}}"><input type="hidden" name="action" value="{{.}}"><button>{{.}}</button></form> {{end}}
</td></tr>{{else}}<tr><td colspan="6">Nenhuma cobrança ainda.</td></tr>{{end}}</table></div>
<div class="card"><h2>Abertura de contas</h2>
<table><tr><th>Identificador</th><th>Documento</th><th>Status</th><th>Decisão do cliente final</th></tr>
{{range .Accounts}}<tr><td><code>{{.ID}}</code></td><td>{{.Document}}</td><td>{{.Status}}</td><td>
<a href="/_sandbox/accounts/{{.ID}}">página do cliente final</a>
{{if eq .Status "requested"}}<form class="inline" method="post"><input type="hidden" name="op" value="account"><input type="hidden" name="id" value="{{.ID}}"><input type="hidden" name="decision" value="open"><button>abrir conta</button></form>
<form class="inline" method="post"><input type="hidden" name="op" value="account"><input type="hidden" name="id" value="{{.ID}}"><input type="hidden" name="decision" value="refuse"><button>recusar</button></form>{{end}}
</td></tr>{{else}}<tr><td colspan="4">Nenhuma solicitação ainda.</td></tr>{{end}}</table></div>
<div class="card"><h2>Notificações e webhooks enviados</h2>
<table><tr><th>Quando</th><th>Tipo</th><th>URL</th><th>Status</th><th>Resposta</th></tr>
{{range .Deliveries}}<tr><td>{{.At.Format "02/01/2006 15:04:05"}}</td><td>{{.Kind}}</td><td><code>{{.URL}}</code></td><td>{{if .Status}}{{.Status}}{{else}}sem resposta{{end}}</td><td>{{.Response}}</td></tr>{{else}}<tr><td colspan="5">Nenhum envio ainda.</td></tr>{{end}}</table></div>
<div class="card"><h2>Histórico de Requisições</h2>
<table><tr><th>Quando</th><th>Método</th><th>Rota</th><th>Status</th><th>Duração</th></tr>
{{range .Requests}}<tr><td>{{.At.Format "02/01/2006 15:04:05"}}</td><td>{{.Method}}</td><td>{{.Path}}</td><td>{{.Status}}</td><td>{{ms .Duration}}</td></tr>{{else}}<tr><td colspan="5">Nenhuma requisição ainda.</td></tr>{{end}}</table></div>
</div></body></html>`))

func (s *Server) controlsPage(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/_sandbox/" {
		http.NotFound(w, r)
		return
	}
	s.renderControls(w, r.URL.Query().Get("msg"), r.URL.Query().Get("err") != "")
}

func (s *Server) renderControls(w http.ResponseWriter, msg string, isErr bool) {
	reqs := s.Requests()
	if len(reqs) > 200 {
		reqs = reqs[:200]
	}
	s.mu.Lock()
	now := s.now().Format("02/01/2006 15:04")
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	controlsTmpl.Execute(w, map[string]any{
		"Now": now, "Msg": msg, "Err": isErr, "Charges": s.chargeRows(), "Requests": reqs,
		"Actions": []string{"paid", "unpaid", "contested", "refunded", "expire"}, "Routes": apiRoutes, "Accounts": s.Accounts(), "Deliveries": firstN(s.Deliveries(), 100),
	})
}

// apiRoutes are the patterns a failure can be injected into.
var apiRoutes = []string{
	"POST /cobrancas/v1/charge/one-step/link", "GET /cobrancas/v1/charge/{id}", "GET /cobrancas/v1/charges",
	"PUT /cobrancas/v1/charge/{id}/cancel", "GET /cobrancas/v1/notification/{token}", "GET /cobrancas/v1/installments",
	"PUT /cobrancas/v1/charge/{id}/link", "POST /cobrancas/v1/charge/{id}/history",
}

func (s *Server) controlsSubmit(w http.ResponseWriter, r *http.Request) {
	msg, bad := "", false
	switch r.PostFormValue("op") {
	case "advance":
		days, err := strconv.Atoi(r.PostFormValue("days"))
		if err != nil || days < 1 {
			msg, bad = "Informe um número de dias maior que zero.", true
			break
		}
		s.AdvanceClock(time.Duration(days) * 24 * time.Hour)
		msg = fmt.Sprintf("Relógio avançado em %d dia(s).", days)
	case "fail":
		n, _ := strconv.Atoi(r.PostFormValue("count"))
		s.InjectFailure(r.PostFormValue("route"), r.PostFormValue("mode"), max(n, 1))
		msg = "As próximas chamadas de " + r.PostFormValue("route") + " vão falhar."
	case "account":
		if err := s.DecideAccount(r.PostFormValue("id"), r.PostFormValue("decision") == "open"); err != nil {
			msg, bad = err.Error(), true
		} else {
			msg = "Decisão registrada; o webhook de abertura de contas foi enviado."
		}
	case "charge":
		id, _ := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
		if err := s.ChargeAction(id, r.PostFormValue("action")); err != nil {
			msg, bad = err.Error(), true
		} else {
			msg = fmt.Sprintf("Cobrança %d: %s.", id, r.PostFormValue("action"))
		}
	}
	q := "?msg=" + templateEscape(msg)
	if bad {
		q += "&err=1"
	}
	http.Redirect(w, r, "/_sandbox/"+q, http.StatusSeeOther)
}

func templateEscape(s string) string { return template.URLQueryEscaper(s) }

func (s *Server) apiDecideAccount(w http.ResponseWriter, r *http.Request) {
	d := r.PathValue("decision")
	if d != "open" && d != "refuse" {
		writeJSON(w, 400, map[string]string{"error": "decision is open or refuse"})
		return
	}
	if err := s.DecideAccount(r.PathValue("id"), d == "open"); err != nil {
		writeJSON(w, 409, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, 200, map[string]string{"ok": "true"})
}

func firstN[T any](s []T, n int) []T {
	if len(s) > n {
		return s[:n]
	}
	return s
}
