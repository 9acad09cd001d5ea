package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"
)

// billPayment is a bill paid by barcode (§9).
type billPayment struct {
	ID          string    `json:"idPagamento"`
	Code        string    `json:"codBarras"`
	Kind        string    `json:"tipo"`
	Value       int64     `json:"valorPago"`
	Status      string    `json:"status"`
	Date        string    `json:"dataPagamento"`
	Description string    `json:"descricao,omitempty"`
	Reason      string    `json:"retornoBancario,omitempty"`
	RequestedAt time.Time `json:"solicitacao"`
	PaidAt      time.Time `json:"pagamento"`
}

type barcode struct {
	kind     string // boleto or tributo
	code     string
	value    int64
	dueDate  string
	typeable string
}

// parseBarcode reads a boleto (44-digit barcode or 47-digit linha
// digitável) or a tax/utility bill (44 or 48 digits, starting with 8).
func parseBarcode(s string) (barcode, bool) {
	if !allDigits(s) {
		return barcode{}, false
	}
	switch {
	case s[0] == '8' && (len(s) == 44 || len(s) == 48):
		code := s
		if len(s) == 48 { // drop the four field check digits
			code = s[0:11] + s[12:23] + s[24:35] + s[36:47]
		}
		v, _ := strconv.ParseInt(code[4:15], 10, 64)
		return barcode{kind: "tributo", code: code, value: v, dueDate: "contraApresentacao", typeable: s}, true
	case len(s) == 44:
		if boletoDV(s[0:4]+s[5:]) != s[4] {
			return barcode{}, false
		}
		return boletoFrom(s), true
	case len(s) == 47:
		code := s[0:4] + s[32:47] + s[4:9] + s[10:20] + s[21:31]
		if boletoDV(code[0:4]+code[5:]) != code[4] {
			return barcode{}, false
		}
		b := boletoFrom(code)
		b.typeable = s
		return b, true
	}
	return barcode{}, false
}

func boletoFrom(code string) barcode {
	factor, _ := strconv.Atoi(code[5:9])
	v, _ := strconv.ParseInt(code[9:19], 10, 64)
	due := ""
	if factor > 0 {
		due = time.Date(1997, 10, 7, 0, 0, 0, 0, time.UTC).AddDate(0, 0, factor).Format(dateLayout)
	}
	return barcode{kind: "boleto", code: code, value: v, dueDate: due}
}

// boletoDV is the general check digit of a boleto barcode (mod 11).
func boletoDV(digits43 string) byte {
	sum, w := 0, 2
	for i := len(digits43) - 1; i >= 0; i-- {
		sum += int(digits43[i]-'0') * w
		w++
		if w > 9 {
			w = 2
		}
	}
	r := 11 - sum%11
	if r == 0 || r == 10 || r == 11 {
		r = 1
	}
	return byte('0' + r)
}

func (s *Server) detailBarcode(w http.ResponseWriter, r *http.Request) {
	b, ok := parseBarcode(r.PathValue("codBarras"))
	if !ok {
		nomeErr(w, 400, "codigo_de_barras_invalido", "O código de barras ou a linha digitável informada é inválida.")
		return
	}
	s.mu.Lock()
	s.lookedUp[b.code] = true
	s.mu.Unlock()
	out := map[string]any{"tipo": b.kind, "codBarras": b.code, "linhaDigitavel": b.typeable,
		"datas":   map[string]any{"vencimento": b.dueDate, "limitePagamento": nil},
		"valores": map[string]any{"original": b.value, "abatimento": 0, "multa": 0, "juros": 0, "desconto": 0, "final": b.value}}
	if b.kind == "boleto" {
		if due, err := time.Parse(dateLayout, b.dueDate); err == nil {
			out["datas"] = map[string]any{"vencimento": due.Format(tsLayout), "limitePagamento": due.AddDate(0, 0, 59).Format(tsLayout)}
		} else {
			out["datas"] = map[string]any{"vencimento": "contraApresentacao", "limitePagamento": ""}
		}
		out["banco"] = map[string]any{"codigo": atoiOr(b.code[0:3]), "nome": "EFI S.A."}
		out["beneficiario"] = map[string]any{"nome": "Beneficiário Sandbox", "fantasia": "Sandbox", "documento": "11222333000181"}
		out["pagador"] = map[string]any{"nome": "Pagador Sandbox", "documento": "94271564656"}
		out["informacoesPagamento"] = map[string]any{"divergente": map[string]any{"deveAceitar": false, "valorMinimo": b.value, "valorMaximo": b.value}, "parcial": map[string]any{"deveAceitar": false, "limiteDePagamentos": 1}, "podeSerPago": true}
	} else {
		out["banco"], out["beneficiario"], out["pagador"], out["informacoesPagamento"] = nil, nil, nil, nil
	}
	writeJSON(w, 200, out)
}

func atoiOr(s string) int { n, _ := strconv.Atoi(s); return n }

// payBarcode pays or schedules a bill; the barcode must have been looked up.
func (s *Server) payBarcode(w http.ResponseWriter, r *http.Request) {
	b, ok := parseBarcode(r.PathValue("codBarras"))
	if !ok {
		nomeErr(w, 400, "codigo_de_barras_invalido", "O código de barras ou a linha digitável informada é inválida.")
		return
	}
	var in struct {
		Valor         int64  `json:"valor"`
		DataPagamento string `json:"dataPagamento"`
		Descricao     string `json:"descricao"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.Valor <= 0 || !dateRe.MatchString(in.DataPagamento) {
		nomeErr(w, 400, "parametros_invalidos", "Informe valor (em centavos) e dataPagamento (AAAA-MM-DD).")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.lookedUp[b.code] {
		nomeErr(w, 400, "consulta_obrigatoria", "Consulte o código de barras antes de pagá-lo.")
		return
	}
	if in.Valor != b.value && b.value > 0 {
		nomeErr(w, 400, "valor_divergente", fmt.Sprintf("O valor informado difere do valor do documento (%d).", b.value))
		return
	}
	now := s.now()
	today := now.Format(dateLayout)
	cutoff := 22
	if b.kind == "tributo" {
		cutoff = 18
	}
	switch {
	case in.DataPagamento < today:
		nomeErr(w, 400, "data_pagamento_invalida", "A data de pagamento não pode estar no passado.")
		return
	case in.DataPagamento == today && now.Hour() >= cutoff:
		nomeErr(w, 400, "horario_limite_excedido", fmt.Sprintf("O horário limite para pagamento hoje (%dh) já passou; agende para o próximo dia útil.", cutoff))
		return
	}
	p := &billPayment{ID: strconv.FormatInt(s.nextID("billpayment", 31000000), 10), Code: b.code, Kind: b.kind, Value: in.Valor,
		Status: "EM_PROCESSAMENTO", Date: in.DataPagamento, Description: in.Descricao, RequestedAt: now}
	if in.DataPagamento > today {
		p.Status = "AGENDADO"
	}
	s.bills[p.ID] = p
	s.setBillStatus(p, p.Status, "CRIADO")
	writeJSON(w, http.StatusCreated, map[string]any{"idPagamento": p.ID, "valorPago": p.Value, "status": p.Status,
		"data": map[string]any{"solicitacao": p.RequestedAt.Format(tsLayout), "pagamento": p.Date}})
}

// setBillStatus records a status and fires the payment webhooks (caller holds mu).
func (s *Server) setBillStatus(p *billPayment, status, previous string) {
	p.Status = status
	s.store.put("billpayment", p.ID, p)
	payload, _ := json.Marshal(map[string]any{"identificador": p.ID, "valor": fmt.Sprintf("%d.%02d", p.Value/100, p.Value%100),
		"status": map[string]string{"anterior": previous, "atual": status}, "dataPagamento": p.Date, "codigoBarras": p.Code})
	for _, h := range s.billHooks {
		s.jsonCallbacks = append(s.jsonCallbacks, &jsonDelivery{URL: h.URL, Body: payload, Next: time.Now()})
	}
}

// processBills settles what is due: today's payments are settled, and
// scheduled ones when the clock reaches their date. A payment above
// R$ 1.000.000,00 fails as over the monthly limit (a sandbox rule to
// exercise NAO_REALIZADO). The caller holds mu.
func (s *Server) processBills() {
	today := s.now().Format(dateLayout)
	for _, p := range s.bills {
		if (p.Status != "EM_PROCESSAMENTO" && p.Status != "AGENDADO") || p.Date > today {
			continue
		}
		prev := p.Status
		if p.Value > 100000000 {
			p.Reason = "Limite mensal excedido."
			s.setBillStatus(p, "NAO_REALIZADO", prev)
			continue
		}
		p.PaidAt = s.now()
		s.setBillStatus(p, "LIQUIDADO", prev)
	}
}

func (s *Server) detailBill(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.bills[r.PathValue("idPagamento")]
	if p == nil {
		nomeErr(w, 404, "pagamento_nao_encontrado", "O pagamento informado não foi encontrado.")
		return
	}
	if p.Status == "NAO_REALIZADO" {
		writeJSON(w, 200, map[string]any{"idPagamento": p.ID, "codBarras": p.Code, "valorPago": p.Value, "status": p.Status,
			"retornoBancario": p.Reason, "protocolo": nil, "descricao": p.Description, "horario": map[string]string{"solicitacao": p.RequestedAt.UTC().Format("2006-01-02T15:04:05.000Z")}})
		return
	}
	paid := ""
	if !p.PaidAt.IsZero() {
		paid = p.PaidAt.Format(tsLayout)
	}
	writeJSON(w, 200, map[string]any{"idPagamento": p.ID, "valorPago": p.Value, "status": p.Status, "motivoRecusa": nil,
		"data": map[string]any{"solicitacao": p.RequestedAt.Format(tsLayout), "pagamento": nilIfEmpty(paid)}})
}

func (s *Server) billSummary(w http.ResponseWriter, r *http.Request) {
	from, to := r.URL.Query().Get("dataInicio"), r.URL.Query().Get("dataFim")
	if !dateRe.MatchString(from) || !dateRe.MatchString(to) || to < from {
		nomeErr(w, 400, "parametros_invalidos", "Informe dataInicio e dataFim (AAAA-MM-DD).")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	counts := map[string]int{"total": 0, "processando": 0, "sucesso": 0, "falha": 0, "cancelada": 0}
	failed := []int64{}
	for _, p := range s.bills {
		d := p.RequestedAt.Format(dateLayout)
		if d < from || d > to {
			continue
		}
		counts["total"]++
		switch p.Status {
		case "LIQUIDADO":
			counts["sucesso"]++
		case "NAO_REALIZADO":
			counts["falha"]++
			id, _ := strconv.ParseInt(p.ID, 10, 64)
			failed = append(failed, id)
		case "CANCELADO":
			counts["cancelada"]++
		default:
			counts["processando"]++
		}
	}
	sort.Slice(failed, func(i, j int) bool { return failed[i] < failed[j] })
	writeJSON(w, 200, map[string]any{"datas": map[string]string{"inicial": from, "final": to}, "solicitacoes": counts, "solicitacoesFalhas": failed})
}

type billWebhook struct {
	URL     string `json:"url"`
	Criacao string `json:"criacao"`
}

func (s *Server) putBillWebhook(w http.ResponseWriter, r *http.Request) {
	var in struct {
		URL string `json:"url"`
	}
	json.NewDecoder(r.Body).Decode(&in)
	u, err := url.Parse(in.URL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && r.Header.Get("x-skip-mtls-checking") != "true") {
		nomeErr(w, 400, "url_invalida", "Informe uma URL HTTPS válida.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := &billWebhook{URL: in.URL, Criacao: s.now().UTC().Format("2006-01-02T15:04:05.000Z")}
	s.billHooks[in.URL] = h
	s.store.put("billwebhook", in.URL, h)
	writeJSON(w, http.StatusCreated, map[string]string{"url": in.URL})
}

func (s *Server) listBillWebhooks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if _, err := time.Parse(time.RFC3339, q.Get("dataInicio")); err != nil {
		nomeErr(w, 400, "parametros_invalidos", "Informe dataInicio e dataFim (RFC 3339).")
		return
	}
	if _, err := time.Parse(time.RFC3339, q.Get("dataFim")); err != nil {
		nomeErr(w, 400, "parametros_invalidos", "Informe dataInicio e dataFim (RFC 3339).")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := []*billWebhook{}
	for _, h := range s.billHooks {
		list = append(list, h)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Criacao < list[j].Criacao })
	writeJSON(w, 200, map[string]any{"parametros": map[string]any{"inicio": q.Get("dataInicio"), "fim": q.Get("dataFim"),
		"paginacao": map[string]int{"paginaAtual": 0, "itensPorPagina": 100, "quantidadeDePaginas": 1, "quantidadeTotalDeItens": len(list)}}, "webhooks": list})
}

func (s *Server) deleteBillWebhook(w http.ResponseWriter, r *http.Request) {
	var in struct {
		URL string `json:"url"`
	}
	json.NewDecoder(r.Body).Decode(&in)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.billHooks[in.URL] == nil {
		nomeErr(w, 404, "webhook_nao_encontrado", "Webhook não encontrado.")
		return
	}
	delete(s.billHooks, in.URL)
	s.store.db.Exec(`DELETE FROM docs WHERE kind = 'billwebhook' AND id = ?`, in.URL)
	w.WriteHeader(http.StatusNoContent)
}
