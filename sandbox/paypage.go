package sandbox

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
)

// The hosted payment page: where the payer of a link or boleto "pays" in
// the sandbox. No external assets and no script, so it works under any CSP.
var payTmpl = template.Must(template.New("pay").Funcs(template.FuncMap{
	"reais": func(c int64) string { return "R$ " + formatReais(c) },
	"mul":   func(a, b int64) int64 { return a * b },
}).Parse(`<!DOCTYPE html>
<html lang="pt-BR"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pagamento · Sandbox Efí</title>
<style>
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f5f8;color:#1a1f2b}
.wrap{max-width:560px;margin:32px auto;padding:0 16px}
.card{background:#fff;border:1px solid #dde1e8;border-radius:12px;padding:20px;margin-bottom:16px;box-shadow:0 1px 3px rgba(16,24,40,.08)}
.tag{display:inline-block;background:#fef4e6;color:#a15c07;border-radius:999px;padding:2px 10px;font-size:.8rem;font-weight:600}
h1{font-size:1.3rem;margin:.4em 0} table{width:100%;border-collapse:collapse} td{padding:6px 0;border-bottom:1px solid #eef0f4}
td.r{text-align:right;white-space:nowrap} .total{font-size:1.4rem;font-weight:700;text-align:right;margin-top:10px}
button{font:inherit;font-weight:600;padding:10px 16px;border-radius:8px;border:0;background:#e9581f;color:#fff;cursor:pointer;width:100%}
button.alt{background:#0f766e} label{display:block;font-weight:600;margin:8px 0 4px}
input,select{font:inherit;padding:8px;border:1px solid #c5cbd6;border-radius:8px;width:100%;box-sizing:border-box}
.muted{color:#5b6474;font-size:.9rem} .ok{color:#067647} .bad{color:#b42318} .notice{background:#e8f1fd;color:#1d4ed8;padding:10px;border-radius:8px}
</style></head><body><div class="wrap">
<p><span class="tag">Sandbox Efí — nenhum dinheiro real</span></p>
{{if .Done}}
<div class="card" data-testid="pay-result">
  {{if eq .Charge.Status "paid"}}<h1 class="ok">Pagamento confirmado</h1><p>Recebemos {{reais .Charge.PaidValue}}. Você já pode fechar esta página.</p>
  {{else if eq .Charge.Status "unpaid"}}<h1 class="bad">Pagamento recusado</h1><p>{{.Charge.Reason}}</p>
  {{else}}<h1>Status: {{.Charge.Status}}</h1>{{end}}
</div>
{{else}}
<div class="card">
  <h1>Pagamento #{{.Charge.ID}}</h1>
  {{with .Charge.Link}}{{if .Message}}<p class="muted">{{.Message}}</p>{{end}}{{end}}
  <table>{{range .Charge.Items}}<tr><td>{{.Amount}} × {{.Name}}</td><td class="r">{{reais (mul .Value .Amount)}}</td></tr>{{end}}</table>
  <p class="total" data-testid="pay-total">{{reais .Charge.Total}}</p>
  {{with .Charge.Link}}{{if .BilletDiscount}}<p class="muted">Desconto no boleto: {{reais .BilletDiscount}}</p>{{end}}{{if .CardDiscount}}<p class="muted">Desconto no cartão: {{reais .CardDiscount}}</p>{{end}}<p class="muted">Válido até {{.ExpireAt}}</p>{{end}}
</div>
{{if not .Payable}}<div class="card"><p class="notice" data-testid="pay-closed">Esta cobrança não pode mais ser paga (status: {{.Charge.Status}}).</p></div>
{{else}}
{{if .Billet}}<div class="card">
  <h2>Boleto</h2>
  {{with .Charge.Billet}}<p class="muted">Linha digitável</p><p data-testid="barcode"><code>{{.Barcode}}</code></p><p class="muted">Vencimento: {{.ExpireAt}}</p>{{end}}
  <p class="muted">No sandbox, o boleto é compensado na hora.</p>
  <form method="post"><input type="hidden" name="method" value="billet"><button type="submit" data-testid="pay-billet">{{if .Charge.Billet}}Pagar este boleto{{else}}Pagar com boleto{{end}}</button></form>
</div>{{end}}
{{if .Card}}<div class="card">
  <h2>Cartão de crédito</h2>
  <form method="post"><input type="hidden" name="method" value="card">
  <label for="card_number">Número do cartão</label><input id="card_number" name="card_number" inputmode="numeric" autocomplete="off" value="5555 6666 7777 8884" data-testid="card-number">
  <label for="installments">Parcelas</label><select id="installments" name="installments">{{range .Installments}}<option value="{{.}}">{{.}}x</option>{{end}}</select>
  <p class="muted">Cartões de teste: o último dígito decide. 1 → dados inválidos; 2 → recusado por segurança (ex.: 4000 0000 0000 0002); 3 → tente mais tarde; outro → aprovado.</p>
  <button type="submit" class="alt" data-testid="pay-card">Pagar com cartão</button></form>
</div>{{end}}
{{end}}{{end}}
</div></body></html>`))

type payView struct {
	Charge       *charge
	Payable      bool
	Billet, Card bool
	Done         bool
	Installments []int
}

// chargeByCode finds the charge a pay-page code belongs to (caller holds mu).
func (s *Server) chargeByCode(code string) *charge {
	for _, c := range s.charges {
		if (c.Link != nil && c.Link.Code == code) || (c.Billet != nil && c.Billet.Code == code) {
			return c
		}
	}
	return nil
}

func (s *Server) payView(c *charge) payView {
	v := payView{Charge: c, Installments: []int{1, 2, 3, 6, 12}}
	switch {
	case c.Link != nil && c.Status == "link":
		v.Payable = true
		v.Billet = c.Link.PaymentMethod != "credit_card"
		v.Card = c.Link.PaymentMethod != "banking_billet"
	case (c.Method == "banking_billet" || c.Method == "carnet") && (c.Status == "waiting" || c.Status == "unpaid" || c.Status == "canceled"):
		// A cancelled boleto printed earlier can still be paid (§3.3).
		v.Payable, v.Billet = true, true
	}
	return v
}

func (s *Server) payPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweep()
	c := s.chargeByCode(r.PathValue("code"))
	if c == nil {
		http.Error(w, "Link de pagamento não encontrado.", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	payTmpl.Execute(w, s.payView(c))
}

// discounted is what the payer pays by a method: the total less the
// method's discount and the conditional discount while it is valid.
func (s *Server) discounted(c *charge, method string) int64 {
	v := c.Total
	l := c.Link
	if l == nil {
		return v
	}
	if method == "billet" {
		v -= l.BilletDiscount
	} else {
		v -= l.CardDiscount
	}
	if l.ConditionalType != "" && s.now().Format(dateLayout) <= l.ConditionalDate {
		if l.ConditionalType == "percentage" {
			v -= v * l.ConditionalValue / 10000
		} else {
			v -= l.ConditionalValue
		}
	}
	return max(v, 0)
}

func (s *Server) payPageSubmit(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chargeByCode(r.PathValue("code"))
	if c == nil {
		http.Error(w, "Link de pagamento não encontrado.", http.StatusNotFound)
		return
	}
	v := s.payView(c)
	method := r.PostFormValue("method")
	if !v.Payable || (method == "billet" && !v.Billet) || (method == "card" && !v.Card) || (method != "billet" && method != "card") {
		w.WriteHeader(http.StatusConflict)
		v.Done = true
		payTmpl.Execute(w, v)
		return
	}
	value := s.discounted(c, method)
	if method == "billet" {
		if c.Method == "" {
			c.Method = "banking_billet"
			c.Billet = &billetInfo{Barcode: fakeBarcode(c.ID, value), Code: randomHex(10), ExpireAt: s.now().Format(dateLayout)}
			s.addHist(c, "Pagamento via boleto aguardando confirmação")
			s.setStatus(c, "waiting", "")
		}
		s.markPaid(c, value, "Pagamento via boleto confirmado")
	} else {
		number := strings.ReplaceAll(strings.ReplaceAll(r.PostFormValue("card_number"), " ", ""), "-", "")
		n, _ := strconv.Atoi(r.PostFormValue("installments"))
		if len(number) < 13 || !allDigits(number) {
			number = "0000000000000001"
		}
		c.Method = "credit_card"
		c.Card = &cardInfo{Mask: number[:6] + strings.Repeat("X", len(number)-10) + number[len(number)-4:], Installments: max(n, 1), InstallmentValue: value / int64(max(n, 1))}
		s.addHist(c, "Pagamento via cartão de crédito aguardando confirmação")
		s.setStatus(c, "waiting", "")
		if reason := cardRefusal(number[len(number)-1:]); reason != "" {
			s.refuse(c, reason)
		} else {
			s.setStatus(c, "approved", "")
			s.markPaid(c, value, "Pagamento via cartão de crédito confirmado")
		}
	}
	s.saveCharge(c)
	v = s.payView(c)
	v.Done = true
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	payTmpl.Execute(w, v)
}
