package sandbox

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// account is a simplified account request (§8).
type account struct {
	ID           string         `json:"identificador"`
	Status       string         `json:"status"` // requested, opened, refused
	Document     string         `json:"document"`
	Customer     map[string]any `json:"clienteFinal"`
	Scopes       []string       `json:"escopos"`
	RequestedAt  time.Time      `json:"requested_at"`
	DecidedAt    time.Time      `json:"decided_at"`
	ClientID     string         `json:"client_id,omitempty"`
	ClientSecret string         `json:"client_secret,omitempty"`
	Number       string         `json:"numero,omitempty"`
	PayeeCode    string         `json:"payee_code,omitempty"`
	Certificates int            `json:"certificates"`
}

// accountWebhook is the integrator's account-opening webhook.
type accountWebhook struct {
	URL     string `json:"webhookUrl"`
	ID      string `json:"identificadorWebhook"`
	Criacao string `json:"criacao"`
}

func nomeErr(w http.ResponseWriter, status int, nome, msg string) {
	writeJSON(w, status, map[string]string{"nome": nome, "mensagem": msg})
}

var (
	celularRe = regexp.MustCompile(`^[1-9]{2}9[0-9]{8}$`)
	cepRe     = regexp.MustCompile(`^[0-9]{8}$`)
	ufRe      = regexp.MustCompile(`^(?:A[CLPM]|BA|CE|DF|ES|GO|M[ATSG]|P[RBAEI]|R[JNSOR]|S[CEP]|TO)$`)
)

// requestAccount is POST /conta-simplificada.
func (s *Server) requestAccount(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ClienteFinal      map[string]any `json:"clienteFinal"`
		MeioDeNotificacao []string       `json:"meioDeNotificacao"`
		EscoposIntegrados []string       `json:"escoposIntegrados"`
		Cupom             string         `json:"cupom"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.ClienteFinal == nil {
		nomeErr(w, 400, "json_invalido", "O corpo da requisição deve conter clienteFinal.")
		return
	}
	cf := in.ClienteFinal
	str := func(m map[string]any, k string) string { v, _ := m[k].(string); return v }
	addr, _ := cf["endereco"].(map[string]any)
	birth, err := time.Parse("02/01/2006", str(cf, "dataNascimento"))
	switch {
	case !ValidCPF(str(cf, "cpf")):
		nomeErr(w, 400, "cpf_invalido", "O CPF informado é inválido.")
		return
	case !nameRe.MatchString(str(cf, "nomeCompleto")):
		nomeErr(w, 400, "nome_completo_invalido", "Informe o nome completo.")
		return
	case err != nil:
		nomeErr(w, 400, "data_nascimento_invalida", "A data de nascimento deve estar no formato DD/MM/AAAA.")
		return
	case birth.AddDate(18, 0, 0).After(s.now()):
		nomeErr(w, 400, "menoridade", "O titular da conta deve ser maior de idade.")
		return
	case !celularRe.MatchString(str(cf, "celular")):
		nomeErr(w, 400, "celular_invalido", "O celular informado é inválido.")
		return
	case !validEmail(str(cf, "email")):
		nomeErr(w, 400, "email_invalido", "O e-mail informado é inválido.")
		return
	case str(cf, "cnpj") != "" && !ValidCNPJ(str(cf, "cnpj")):
		nomeErr(w, 400, "cnpj_invalido", "O CNPJ informado é inválido.")
		return
	case addr == nil || !cepRe.MatchString(str(addr, "cep")):
		nomeErr(w, 400, "cep_invalido", "O CEP informado é inválido.")
		return
	case !ufRe.MatchString(str(addr, "estado")) || str(addr, "cidade") == "" || str(addr, "bairro") == "" || str(addr, "logradouro") == "" || str(addr, "numero") == "":
		nomeErr(w, 400, "endereco_invalido", "Informe estado, cidade, bairro, logradouro e número do endereço.")
		return
	case len(in.MeioDeNotificacao) == 0 || len(in.EscoposIntegrados) == 0:
		nomeErr(w, 400, "parametros_invalidos", "Informe ao menos um meio de notificação e um escopo integrado.")
		return
	}
	for _, m := range in.MeioDeNotificacao {
		if m != "sms" && m != "whatsapp" {
			nomeErr(w, 400, "meio_de_notificacao_invalido", "Use sms ou whatsapp.")
			return
		}
	}
	doc := str(cf, "cnpj")
	if doc == "" {
		doc = str(cf, "cpf")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.accHooks) == 0 {
		nomeErr(w, 412, "webhook_nao_cadastrado", "Cadastre um webhook antes de solicitar a abertura de contas.")
		return
	}
	for _, a := range s.accounts {
		if a.Document != doc {
			continue
		}
		switch a.Status {
		case "requested", "opened":
			nomeErr(w, 409, "solicitacao_duplicada", "Já existe uma solicitação de abertura de conta para este documento.")
			return
		case "refused":
			if s.now().Before(addBusinessDays(a.DecidedAt, 2)) {
				nomeErr(w, 409, "solicitacao_duplicada", "O cliente recusou a abertura recentemente; uma nova solicitação só pode ser feita após 2 dias úteis.")
				return
			}
		}
	}
	a := &account{ID: newUUID(), Status: "requested", Document: doc, Customer: cf, Scopes: in.EscoposIntegrados, RequestedAt: s.now()}
	s.accounts[a.ID] = a
	s.store.put("account", a.ID, a)
	writeJSON(w, 200, map[string]any{"contaSimplificada": map[string]string{"identificador": a.ID}})
}

func validEmail(e string) bool {
	a, err := mail.ParseAddress(e)
	return err == nil && a.Address == e
}

// addBusinessDays skips Saturdays and Sundays.
func addBusinessDays(t time.Time, n int) time.Time {
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if t.Weekday() != time.Saturday && t.Weekday() != time.Sunday {
			n--
		}
	}
	return t
}

func (s *Server) accountFor(w http.ResponseWriter, r *http.Request) (*account, bool) {
	a := s.accounts[r.PathValue("id")]
	if a == nil {
		nomeErr(w, 404, "conta_nao_encontrada", "A conta informada não foi encontrada.")
		return nil, false
	}
	switch a.Status {
	case "requested":
		nomeErr(w, 412, "conta_em_processamento", "A conta ainda está em processamento.")
		return nil, false
	case "refused":
		nomeErr(w, 412, "conta_nao_aprovada_ou_recusada", "A conta não foi aprovada ou foi recusada.")
		return nil, false
	}
	return a, true
}

func (s *Server) accountCredentials(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accountFor(w, r)
	if !ok {
		return
	}
	writeJSON(w, 200, map[string]any{"clientId": a.ClientID, "clientSecret": a.ClientSecret,
		"conta": map[string]string{"numero": a.Number, "digito": "0", "payeeCode": a.PayeeCode}, "escopos": a.Scopes, "ativo": true})
}

// accountCertificate answers the account's .p12 as a base64 JSON string,
// a real certificate made for it (POST; the legacy GET is accepted too).
func (s *Server) accountCertificate(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accountFor(w, r)
	if !ok {
		return
	}
	if a.Certificates >= 5 {
		nomeErr(w, 403, "quantidade_limite_de_certificados", "O limite de certificados desta conta foi atingido.")
		return
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: a.Number},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(3, 0, 0), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		nomeErr(w, 500, "erro_aplicacao", "Não foi possível gerar o certificado.")
		return
	}
	cert, _ := x509.ParseCertificate(der)
	p12, err := pkcs12.Modern.Encode(key, cert, nil, "")
	if err != nil {
		nomeErr(w, 500, "erro_aplicacao", "Não foi possível gerar o certificado.")
		return
	}
	a.Certificates++
	s.store.put("account", a.ID, a)
	writeJSON(w, http.StatusCreated, base64.StdEncoding.EncodeToString(p12))
}

// DecideAccount is the end customer's answer: open or refuse the account.
// It fires the account-opening webhook.
func (s *Server) DecideAccount(id string, open bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[id]
	if a == nil || a.Status != "requested" {
		return errAccountState
	}
	a.DecidedAt = s.now()
	event := "conta_recusada_pelo_cliente_final"
	if open {
		a.Status, event = "opened", "conta_aberta"
		a.ClientID, a.ClientSecret = "Client_Id_"+randomHex(20), "Client_Secret_"+randomHex(20)
		a.Number, a.PayeeCode = strconv.Itoa(100000+len(s.accounts)), randomHex(16)
	} else {
		a.Status = "refused"
	}
	s.store.put("account", a.ID, a)
	payload, _ := json.Marshal(map[string]any{"contaSimplificada": map[string]string{"identificador": a.ID}, "evento": event})
	for _, h := range s.accHooks {
		s.jsonCallbacks = append(s.jsonCallbacks, &jsonDelivery{URL: h.URL, Body: payload, Next: time.Now()})
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

type accountError string

func (e accountError) Error() string { return string(e) }

const errAccountState = accountError("account not found or already decided")

// jsonDelivery is a pending JSON webhook POST (account opening, bill payment).
type jsonDelivery struct {
	URL      string
	Body     []byte
	Attempts int
	Next     time.Time
}

// deliverJSON posts due JSON webhooks with the same retry schedule.
func (s *Server) deliverJSON(ctx context.Context) {
	s.mu.Lock()
	now := time.Now()
	var due, rest []*jsonDelivery
	for _, d := range s.jsonCallbacks {
		if !d.Next.After(now) {
			due = append(due, d)
		} else {
			rest = append(rest, d)
		}
	}
	s.jsonCallbacks = rest
	s.mu.Unlock()
	for _, d := range due {
		cctx, cancel := context.WithTimeout(ctx, s.cfg.CallbackTimeout)
		req, _ := http.NewRequestWithContext(cctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := s.cfg.HTTPClient.Do(req)
		cancel()
		rec := deliveryRecord{At: time.Now(), URL: d.URL, Kind: "webhook"}
		if err != nil {
			rec.Response = err.Error()
			s.recordDelivery(rec)
		} else {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			resp.Body.Close()
			rec.Status, rec.Response = resp.StatusCode, string(b)
			s.recordDelivery(rec)
			if resp.StatusCode >= 200 && resp.StatusCode < 300 {
				continue
			}
		}
		if d.Attempts >= len(s.cfg.CallbackRetryDelays) {
			continue
		}
		d.Next = time.Now().Add(s.cfg.CallbackRetryDelays[d.Attempts])
		d.Attempts++
		s.mu.Lock()
		s.jsonCallbacks = append(s.jsonCallbacks, d)
		s.mu.Unlock()
	}
}

// configureAccountWebhook is POST /webhook: create {webhookUrl} or edit {url, chave}.
func (s *Server) configureAccountWebhook(w http.ResponseWriter, r *http.Request) {
	var in struct {
		WebhookURL string `json:"webhookUrl"`
		URL        string `json:"url"`
		Chave      string `json:"chave"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		nomeErr(w, 400, "url_webhook", "Informe a URL do webhook.")
		return
	}
	target := in.WebhookURL
	if in.Chave != "" {
		target = in.URL
	}
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		nomeErr(w, 400, "url_webhook", "A URL do webhook é inválida.")
		return
	}
	if u.Scheme != "https" && r.Header.Get("x-skip-mtls-checking") != "true" {
		nomeErr(w, 400, "protocolo_da_url", "A URL do webhook deve usar HTTPS.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.Chave != "" {
		h := s.accHooks[in.Chave]
		if h == nil {
			nomeErr(w, 400, "chave_invalida", "O identificador do webhook é inválido.")
			return
		}
		h.URL = target
		s.store.put("accwebhook", h.ID, h)
		writeJSON(w, 200, map[string]string{"identificadorWebhook": h.ID})
		return
	}
	for _, h := range s.accHooks {
		if h.URL == target {
			nomeErr(w, 400, "url_cadastrada", "Esta URL já está cadastrada.")
			return
		}
	}
	h := &accountWebhook{URL: target, ID: newUUID(), Criacao: s.now().UTC().Format("2006-01-02T15:04:05.000Z")}
	s.accHooks[h.ID] = h
	s.store.put("accwebhook", h.ID, h)
	writeJSON(w, 200, map[string]string{"identificadorWebhook": h.ID})
}

func (s *Server) detailAccountWebhook(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.accHooks[r.PathValue("id")]
	if h == nil {
		nomeErr(w, 400, "identificador_webhook", "O identificador do webhook é inválido.")
		return
	}
	writeJSON(w, 200, h)
}

func (s *Server) listAccountWebhooks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, err1 := time.Parse(time.RFC3339, q.Get("inicio"))
	to, err2 := time.Parse(time.RFC3339, q.Get("fim"))
	if err1 != nil || err2 != nil || to.Before(from) {
		nomeErr(w, 400, "data_invalida", "Informe inicio e fim (RFC 3339); a data fim deve ser maior ou igual à data início.")
		return
	}
	page, _ := strconv.Atoi(q.Get("paginacao.paginaAtual"))
	per, _ := strconv.Atoi(q.Get("paginacao.itensPorPagina"))
	if per <= 0 || per > 1000 {
		per = 100
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := []*accountWebhook{}
	for _, h := range s.accHooks {
		t, _ := time.Parse("2006-01-02T15:04:05.000Z", h.Criacao)
		if !t.Before(from) && !t.After(to) {
			list = append(list, h)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Criacao < list[j].Criacao })
	total := len(list)
	start := min(page*per, total)
	list = list[start:min(start+per, total)]
	writeJSON(w, 200, map[string]any{"parametros": map[string]any{"inicio": q.Get("inicio"), "fim": q.Get("fim"),
		"paginacao": map[string]int{"paginaAtual": page, "itensPorPagina": per, "quantidadeDePaginas": (total + per - 1) / per, "quantidadeTotalDeItens": total}},
		"webhooks": list})
}

func (s *Server) deleteAccountWebhook(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("id")
	if s.accHooks[id] == nil {
		nomeErr(w, 400, "identificador_webhook", "O identificador do webhook é inválido.")
		return
	}
	delete(s.accHooks, id)
	s.store.db.Exec(`DELETE FROM docs WHERE kind = 'accwebhook' AND id = ?`, id)
	w.WriteHeader(http.StatusNoContent)
}

// Accounts lists the account requests (for the controls page).
func (s *Server) Accounts() []account {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []account
	for _, a := range s.accounts {
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RequestedAt.After(out[j].RequestedAt) })
	return out
}
