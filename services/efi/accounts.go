package efi

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"time"
)

// Address is the end customer's address (Abertura de Contas).
type Address struct {
	CEP         string `json:"cep"`
	Estado      string `json:"estado"`
	Cidade      string `json:"cidade"`
	Bairro      string `json:"bairro"`
	Logradouro  string `json:"logradouro"`
	Numero      string `json:"numero"`
	Complemento string `json:"complemento,omitempty"`
}

// EndCustomer is the person or company the account is opened for.
type EndCustomer struct {
	CPF            string  `json:"cpf"`
	NomeCompleto   string  `json:"nomeCompleto"`
	DataNascimento string  `json:"dataNascimento"` // DD/MM/AAAA
	NomeMae        string  `json:"nomeMae,omitempty"`
	Celular        string  `json:"celular"`
	Email          string  `json:"email"`
	CNPJ           string  `json:"cnpj,omitempty"`
	RazaoSocial    string  `json:"razaoSocial,omitempty"`
	Endereco       Address `json:"endereco"`
}

// SimplifiedAccountRequest is POST /conta-simplificada (§8.1).
type SimplifiedAccountRequest struct {
	ClienteFinal      EndCustomer `json:"clienteFinal"`
	MeioDeNotificacao []string    `json:"meioDeNotificacao"`
	EscoposIntegrados []string    `json:"escoposIntegrados"`
}

// RequestSimplifiedAccount asks Efí to open an account; the answer is its identifier.
func (c *Client) RequestSimplifiedAccount(ctx context.Context, r SimplifiedAccountRequest) (string, error) {
	var out struct {
		ContaSimplificada struct {
			Identificador string `json:"identificador"`
		} `json:"contaSimplificada"`
	}
	err := c.call(ctx, Accounts, "POST", "/conta-simplificada", "/conta-simplificada", r, &out)
	return out.ContaSimplificada.Identificador, err
}

// AccountCredentials are the opened account's API credentials (secrets: never log them).
type AccountCredentials struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	Conta        struct {
		Numero    string `json:"numero"`
		Digito    string `json:"digito,omitempty"`
		PayeeCode string `json:"payeeCode"`
	} `json:"conta"`
	Escopos []string `json:"escopos"`
	Ativo   bool     `json:"ativo"`
}

// AccountCredentialsFor is GET /conta-simplificada/:id/credenciais.
func (c *Client) AccountCredentialsFor(ctx context.Context, id string) (AccountCredentials, error) {
	var out AccountCredentials
	err := c.call(ctx, Accounts, "GET", "/conta-simplificada/:id/credenciais", "/conta-simplificada/"+url.PathEscape(id)+"/credenciais", nil, &out)
	return out, err
}

// AccountCertificate is POST /conta-simplificada/:id/certificado: the
// account's .p12, which the API sends as a base64 JSON string.
func (c *Client) AccountCertificate(ctx context.Context, id string) (string, error) {
	var out json.RawMessage
	err := c.call(ctx, Accounts, "POST", "/conta-simplificada/:id/certificado", "/conta-simplificada/"+url.PathEscape(id)+"/certificado", nil, &out)
	var s string
	if err == nil {
		err = json.Unmarshal(out, &s)
	}
	return s, err
}

// AccountWebhook is one account-opening webhook.
type AccountWebhook struct {
	WebhookURL           string `json:"webhookUrl"`
	IdentificadorWebhook string `json:"identificadorWebhook"`
	Criacao              string `json:"criacao"`
}

// ConfigureAccountWebhook is POST /webhook: creates one (id "") or edits it.
func (c *Client) ConfigureAccountWebhook(ctx context.Context, webhookURL, id string) (string, error) {
	body := map[string]string{"webhookUrl": webhookURL}
	if id != "" {
		body = map[string]string{"url": webhookURL, "chave": id}
	}
	var out struct {
		IdentificadorWebhook string `json:"identificadorWebhook"`
	}
	err := c.call(ctx, Accounts, "POST", "/webhook", "/webhook", body, &out)
	return out.IdentificadorWebhook, err
}

// DetailAccountWebhook is GET /webhook/:id.
func (c *Client) DetailAccountWebhook(ctx context.Context, id string) (AccountWebhook, error) {
	var out AccountWebhook
	err := c.call(ctx, Accounts, "GET", "/webhook/:id", "/webhook/"+url.PathEscape(id), nil, &out)
	return out, err
}

// Pagination is the paging block of the list answers.
type Pagination struct {
	PaginaAtual            int `json:"paginaAtual"`
	ItensPorPagina         int `json:"itensPorPagina"`
	QuantidadeDePaginas    int `json:"quantidadeDePaginas"`
	QuantidadeTotalDeItens int `json:"quantidadeTotalDeItens"`
}

// ListAccountWebhooks is GET /webhooks?inicio=&fim=&paginacao...
func (c *Client) ListAccountWebhooks(ctx context.Context, from, to time.Time, page, perPage int) ([]AccountWebhook, Pagination, error) {
	q := url.Values{"inicio": {from.UTC().Format(time.RFC3339)}, "fim": {to.UTC().Format(time.RFC3339)},
		"paginacao.paginaAtual": {strconv.Itoa(page)}}
	if perPage > 0 {
		q.Set("paginacao.itensPorPagina", strconv.Itoa(perPage))
	}
	var out struct {
		Parametros struct {
			Paginacao Pagination `json:"paginacao"`
		} `json:"parametros"`
		Webhooks []AccountWebhook `json:"webhooks"`
	}
	err := c.call(ctx, Accounts, "GET", "/webhooks", "/webhooks?"+q.Encode(), nil, &out)
	return out.Webhooks, out.Parametros.Paginacao, err
}

// DeleteAccountWebhook is DELETE /webhook/:id.
func (c *Client) DeleteAccountWebhook(ctx context.Context, id string) error {
	return c.call(ctx, Accounts, "DELETE", "/webhook/:id", "/webhook/"+url.PathEscape(id), nil, nil)
}
