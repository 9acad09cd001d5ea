package efi

import (
	"context"
	"net/url"
	"time"
)

// BarcodeInfo is GET /codBarras/:codBarras (§9): a boleto or a tax/utility bill.
type BarcodeInfo struct {
	Tipo  string `json:"tipo"` // boleto or tributo
	Banco *struct {
		Codigo int    `json:"codigo"`
		Nome   string `json:"nome"`
	} `json:"banco"`
	CodBarras      string `json:"codBarras"`
	LinhaDigitavel string `json:"linhaDigitavel"`
	Datas          struct {
		Vencimento      string  `json:"vencimento"`
		LimitePagamento *string `json:"limitePagamento"`
	} `json:"datas"`
	Beneficiario *struct {
		Nome      string `json:"nome"`
		Fantasia  string `json:"fantasia"`
		Documento string `json:"documento"`
	} `json:"beneficiario"`
	Valores struct {
		Original int64 `json:"original"`
		Final    int64 `json:"final"`
	} `json:"valores"`
}

// DetailBarcode reads a barcode or linha digitável before paying it.
func (c *Client) DetailBarcode(ctx context.Context, code string) (BarcodeInfo, error) {
	var out BarcodeInfo
	err := c.call(ctx, Payments, "GET", "/codBarras/:codBarras", "/codBarras/"+url.PathEscape(code), nil, &out)
	return out, err
}

// BillPayment is a bill payment's state.
type BillPayment struct {
	IDPagamento string `json:"idPagamento"`
	ValorPago   int64  `json:"valorPago"`
	Status      string `json:"status"`
	Motivo      string `json:"retornoBancario,omitempty"`
	Data        struct {
		Solicitacao string `json:"solicitacao"`
		Pagamento   string `json:"pagamento"`
	} `json:"data"`
}

// PayBarcode is POST /codBarras/:codBarras: pays (or schedules, for a future date) a bill.
func (c *Client) PayBarcode(ctx context.Context, code string, value int64, date, description string) (BillPayment, error) {
	body := map[string]any{"valor": value, "dataPagamento": date}
	if description != "" {
		body["descricao"] = description
	}
	var out BillPayment
	err := c.call(ctx, Payments, "POST", "/codBarras/:codBarras", "/codBarras/"+url.PathEscape(code), body, &out)
	return out, err
}

// DetailBillPayment is GET /:idPagamento.
func (c *Client) DetailBillPayment(ctx context.Context, id string) (BillPayment, error) {
	var out BillPayment
	err := c.call(ctx, Payments, "GET", "/:idPagamento", "/"+url.PathEscape(id), nil, &out)
	return out, err
}

// BillSummary is GET /resumo.
type BillSummary struct {
	Solicitacoes struct {
		Total       int `json:"total"`
		Processando int `json:"processando"`
		Sucesso     int `json:"sucesso"`
		Falha       int `json:"falha"`
		Cancelada   int `json:"cancelada"`
	} `json:"solicitacoes"`
	SolicitacoesFalhas []int64 `json:"solicitacoesFalhas"`
}

// BillPaymentSummary summarises the payments between two dates.
func (c *Client) BillPaymentSummary(ctx context.Context, from, to time.Time) (BillSummary, error) {
	q := url.Values{"dataInicio": {from.Format(DateLayout)}, "dataFim": {to.Format(DateLayout)}}
	var out BillSummary
	err := c.call(ctx, Payments, "GET", "/resumo", "/resumo?"+q.Encode(), nil, &out)
	return out, err
}

// ConfigureBillWebhook is PUT /webhook.
func (c *Client) ConfigureBillWebhook(ctx context.Context, webhookURL string) error {
	return c.call(ctx, Payments, "PUT", "/webhook", "/webhook", map[string]string{"url": webhookURL}, nil)
}

// BillWebhook is one registered bill-payment webhook.
type BillWebhook struct {
	URL     string `json:"url"`
	Criacao string `json:"criacao"`
}

// ListBillWebhooks is GET /webhook?dataInicio=&dataFim=.
func (c *Client) ListBillWebhooks(ctx context.Context, from, to time.Time) ([]BillWebhook, error) {
	q := url.Values{"dataInicio": {from.UTC().Format(time.RFC3339)}, "dataFim": {to.UTC().Format(time.RFC3339)}}
	var out struct {
		Webhooks []BillWebhook `json:"webhooks"`
	}
	err := c.call(ctx, Payments, "GET", "/webhook", "/webhook?"+q.Encode(), nil, &out)
	return out.Webhooks, err
}

// DeleteBillWebhook is DELETE /webhook with the URL in the body.
func (c *Client) DeleteBillWebhook(ctx context.Context, webhookURL string) error {
	return c.call(ctx, Payments, "DELETE", "/webhook", "/webhook", map[string]string{"url": webhookURL}, nil)
}
