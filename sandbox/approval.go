package sandbox

import (
	"html/template"
	"net/http"
)

// The page the end customer of a simplified account would open from the
// SMS or WhatsApp message: accept or refuse the account.
var approvalTmpl = template.Must(template.New("approval").Parse(`<!DOCTYPE html>
<html lang="pt-BR"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Abertura de conta · Sandbox Efí</title>
<style>
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f5f8;color:#1a1f2b}
.wrap{max-width:480px;margin:32px auto;padding:0 16px}.card{background:#fff;border:1px solid #dde1e8;border-radius:12px;padding:20px}
.tag{display:inline-block;background:#fef4e6;color:#a15c07;border-radius:999px;padding:2px 10px;font-size:.8rem;font-weight:600}
button{font:inherit;font-weight:600;padding:10px 16px;border-radius:8px;border:0;cursor:pointer;width:100%;margin-top:8px}
.ok{background:#0f766e;color:#fff}.no{background:#fff;border:1px solid #b42318;color:#b42318}
</style></head><body><div class="wrap">
<p><span class="tag">Sandbox Efí — mensagem simulada</span></p>
<div class="card" data-testid="approval">
{{if .Done}}<h1>Obrigado!</h1><p>Sua resposta foi registrada: {{.Status}}.</p>
{{else if eq .Status "requested"}}
<h1>Olá, {{.Name}}</h1>
<p>Recebemos um pedido para abrir uma conta Efí em seu nome (documento {{.Document}}). Você aceita?</p>
<form method="post"><input type="hidden" name="decision" value="open"><button class="ok" data-testid="accept">Aceitar e abrir minha conta</button></form>
<form method="post"><input type="hidden" name="decision" value="refuse"><button class="no" data-testid="refuse">Recusar</button></form>
{{else}}<p>Este pedido já foi respondido: {{.Status}}.</p>{{end}}
</div></div></body></html>`))

func (s *Server) approvalView(id string, done bool) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[id]
	if a == nil {
		return nil, false
	}
	name, _ := a.Customer["nomeCompleto"].(string)
	return map[string]any{"Name": name, "Document": a.Document, "Status": a.Status, "Done": done}, true
}

func (s *Server) approvalPage(w http.ResponseWriter, r *http.Request) {
	v, ok := s.approvalView(r.PathValue("id"), false)
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	approvalTmpl.Execute(w, v)
}

func (s *Server) approvalSubmit(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.DecideAccount(id, r.PostFormValue("decision") == "open"); err != nil {
		w.WriteHeader(http.StatusConflict)
	}
	v, ok := s.approvalView(id, true)
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	approvalTmpl.Execute(w, v)
}
