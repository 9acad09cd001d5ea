package sandbox

import (
	"net/http"
	"net/url"
	"sort"
	"time"
	"unicode/utf8"
)

// pixWebhook is a Pix key's webhook (§10).
type pixWebhook struct {
	WebhookURL string `json:"webhookUrl"`
	Chave      string `json:"chave"`
	Criacao    string `json:"criacao"`
}

func pixError(w http.ResponseWriter, status int, nome, msg string) {
	writeJSON(w, status, map[string]string{"nome": nome, "mensagem": msg})
}

// putPixWebhook is PUT /v2/webhook/:chave: the URL must be HTTPS, unless
// the caller sends x-skip-mtls-checking (the sandbox's callbacks are not
// mTLS-checked either way).
func (s *Server) putPixWebhook(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("chave")
	if n := utf8.RuneCountInString(key); n < 1 || n > 77 {
		pixError(w, 400, "valor_invalido", "A chave informada é inválida.")
		return
	}
	var in struct {
		WebhookURL string `json:"webhookUrl"`
	}
	if e := decode(r, &in); e != nil {
		pixError(w, 400, "json_invalido", "O corpo da requisição não é um JSON válido.")
		return
	}
	u, err := url.Parse(in.WebhookURL)
	if err != nil || u.Host == "" {
		pixError(w, 400, "valor_invalido", "URL inválida.")
		return
	}
	if u.Scheme != "https" && r.Header.Get("x-skip-mtls-checking") != "true" {
		pixError(w, 400, "valor_invalido", "A URL do webhook deve usar o protocolo HTTPS.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := &pixWebhook{WebhookURL: in.WebhookURL, Chave: key, Criacao: s.now().UTC().Format("2006-01-02T15:04:05.000Z")}
	s.pixHooks[key] = h
	s.store.put("pixwebhook", key, h)
	writeJSON(w, http.StatusCreated, h)
}

func (s *Server) getPixWebhook(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.pixHooks[r.PathValue("chave")]
	if h == nil {
		pixError(w, 404, "webhook_nao_encontrado", "Webhook não encontrado para a chave informada.")
		return
	}
	writeJSON(w, 200, h)
}

func (s *Server) listPixWebhooks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, err1 := time.Parse(time.RFC3339, q.Get("inicio"))
	to, err2 := time.Parse(time.RFC3339, q.Get("fim"))
	if err1 != nil || err2 != nil || to.Before(from) {
		pixError(w, 400, "data_invalida", "Os parâmetros inicio e fim são obrigatórios (RFC 3339) e fim deve ser posterior a inicio.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	list := []*pixWebhook{}
	for _, h := range s.pixHooks {
		t, _ := time.Parse("2006-01-02T15:04:05.000Z", h.Criacao)
		if !t.Before(from) && !t.After(to) {
			list = append(list, h)
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Criacao < list[j].Criacao })
	writeJSON(w, 200, map[string]any{"parametros": map[string]any{"inicio": q.Get("inicio"), "fim": q.Get("fim"),
		"paginacao": map[string]int{"paginaAtual": 0, "itensPorPagina": 100, "quantidadeDePaginas": 1, "quantidadeTotalDeItens": len(list)}},
		"webhooks": list})
}

func (s *Server) deletePixWebhook(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := r.PathValue("chave")
	if s.pixHooks[key] == nil {
		pixError(w, 404, "webhook_nao_encontrado", "Webhook não encontrado para a chave informada.")
		return
	}
	delete(s.pixHooks, key)
	s.store.db.Exec(`DELETE FROM docs WHERE kind = 'pixwebhook' AND id = ?`, key)
	w.WriteHeader(http.StatusNoContent)
}
