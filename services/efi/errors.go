package efi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Errors of their own kind: the call did not get an answer.
var (
	// ErrNetwork means the API could not be reached (DNS, refused, reset).
	ErrNetwork = errors.New("efí api unreachable")
	// ErrTimeout means the API did not answer in time: a creation may or
	// may not have happened upstream.
	ErrTimeout = errors.New("efí api timed out")
)

// Error is an answer of the API that is not a success, from any of its
// error body shapes (contract §2): charges' {code, error,
// error_description}, {nome, mensagem}, RFC 7807, and OAuth's.
type Error struct {
	// Status is the HTTP status.
	Status int
	// Code is Efí's own code (3500034, 4600007...) or 0.
	Code int
	// Slug is the error's name ("validation_error", "insufficient_scope", nome).
	Slug string
	// Property is the request field the API names, as it names it ("/items/0/value").
	Property string
	// Description is the API's own message (Portuguese).
	Description string

	auth bool // the token route refused the credentials
}

func (e *Error) Error() string {
	s := fmt.Sprintf("efí api: http %d", e.Status)
	if e.Code != 0 {
		s += " code " + strconv.Itoa(e.Code)
	}
	if e.Slug != "" {
		s += " " + e.Slug
	}
	if e.Property != "" {
		s += " at " + e.Property
	}
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
}

// HTTPStatus is the answer's status.
func (e *Error) HTTPStatus() int { return e.Status }

// Field is the request field the error concerns as a JSON path
// ("items[0].value", "settings.expire_at"), or "".
func (e *Error) Field() string {
	p := strings.Trim(e.Property, "/")
	if p == "" {
		return ""
	}
	var b strings.Builder
	for i, part := range strings.Split(p, "/") {
		if _, err := strconv.Atoi(part); err == nil {
			b.WriteString("[" + part + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(part)
	}
	return b.String()
}

// friendly are sentences for the codes a merchant meets most, by language.
var friendly = map[int][2]string{
	3500010: {"A cobrança não foi encontrada na Efí.", "The charge was not found at Efí."},
	3500030: {"Esta cobrança já tem uma forma de pagamento definida.", "This charge already has a payment method."},
	3500038: {"Só é possível alterar boletos aguardando pagamento ou vencidos.", "Only boletos waiting for payment or overdue can be changed."},
	3500043: {"Esta cobrança não pode mais ser cancelada: só é possível cancelar cobranças novas, aguardando pagamento, inadimplentes ou com link.", "This charge can no longer be cancelled: only new, waiting, unpaid or link charges can."},
	3500049: {"O limite diário de uso da API Efí foi atingido. Tente novamente amanhã.", "The daily Efí API limit was reached. Try again tomorrow."},
	3500055: {"O limite diário de uso da API Efí foi atingido. Tente novamente amanhã.", "The daily Efí API limit was reached. Try again tomorrow."},
	3500056: {"Bandeira de cartão inválida.", "Invalid card brand."},
	3500080: {"Esta cobrança já tem um link de pagamento.", "This charge already has a payment link."},
	4600007: {"A data de vencimento deve ser hoje ou uma data futura.", "The due date must be today or later."},
	4600036: {"O valor mínimo de uma cobrança na Efí é R$ 5,00.", "The smallest charge Efí issues is R$ 5.00."},
}

// Message is a sentence for the person, in "pt-BR" or "en": a known code's
// own sentence, else the API's words (Portuguese), else one by status.
func (e *Error) Message(lang string) string {
	en := strings.HasPrefix(lang, "en")
	if f, ok := friendly[e.Code]; ok {
		if en {
			return f[1]
		}
		return f[0]
	}
	switch {
	case e.auth || e.Status == 401:
		if en {
			return "Efí refused the credentials: check the client id, client secret and certificate in the settings."
		}
		return "A Efí recusou as credenciais: confira o client id, o client secret e o certificado nas configurações."
	case e.Status == 403:
		if en {
			return "The Efí application lacks the permission (scope) this action needs."
		}
		return "A aplicação Efí não tem a permissão (escopo) necessária para esta ação."
	case e.Status == 429:
		if en {
			return "Too many requests to Efí right now. Try again in a moment."
		}
		return "Muitas requisições à Efí neste momento. Tente novamente em instantes."
	case e.Status >= 500:
		if en {
			return "Efí is having trouble right now. Try again in a moment."
		}
		return "A Efí está com instabilidade no momento. Tente novamente em instantes."
	}
	if e.Description != "" {
		return e.Description
	}
	if en {
		return "Efí refused the request."
	}
	return "A Efí recusou a solicitação."
}

// decodeError reads any of the API's error bodies.
func decodeError(status int, body []byte) *Error {
	e := &Error{Status: status}
	var raw map[string]json.RawMessage
	if json.Unmarshal(body, &raw) != nil {
		e.Description = strings.TrimSpace(string(body))
		if len(e.Description) > 300 {
			e.Description = e.Description[:300]
		}
		return e
	}
	str := func(k string) string {
		var s string
		json.Unmarshal(raw[k], &s)
		return s
	}
	if c, ok := raw["code"]; ok {
		json.Unmarshal(c, &e.Code)
	}
	switch {
	case raw["error_description"] != nil && raw["code"] != nil: // charges
		e.Slug = str("error")
		var d struct {
			Property string `json:"property"`
			Message  string `json:"message"`
		}
		if json.Unmarshal(raw["error_description"], &d) == nil && d.Message != "" {
			e.Property, e.Description = d.Property, d.Message
		} else {
			e.Description = str("error_description")
		}
	case raw["nome"] != nil: // Pix extensions, Pagamentos, Abertura de Contas
		e.Slug, e.Description = str("nome"), str("mensagem")
		if e.Description == "" {
			e.Description = str("message")
		}
	case raw["type"] != nil || raw["title"] != nil: // RFC 7807-like
		e.Slug, e.Description = str("title"), str("detail")
		var v struct {
			Violacoes []struct {
				Razao       string `json:"razao"`
				Propriedade string `json:"propriedade"`
			} `json:"violacoes"`
		}
		if json.Unmarshal(body, &v) == nil && len(v.Violacoes) > 0 {
			e.Property, e.Description = "/"+strings.ReplaceAll(v.Violacoes[0].Propriedade, ".", "/"), v.Violacoes[0].Razao
		}
	case raw["error"] != nil: // OAuth, or the Pagamentos legacy {error, message}
		e.Slug, e.Description = str("error"), str("error_description")
		if e.Description == "" {
			e.Description = str("message")
		}
	case raw["message"] != nil: // Pagamentos legacy
		e.Description = str("message")
		e.Slug = str("error")
	}
	return e
}

// transportError classifies a failure to get an answer.
func transportError(err error) error {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	case errors.Is(err, context.Canceled):
		return err
	}
	return fmt.Errorf("%w: %w", ErrNetwork, err)
}
