package efi

import (
	"context"
	"net/url"
	"time"
)

// PixWebhook is a Pix key's webhook.
type PixWebhook struct {
	WebhookURL string `json:"webhookUrl"`
	Chave      string `json:"chave"`
	Criacao    string `json:"criacao"`
}

// ConfigurePixWebhook is PUT /v2/webhook/:chave.
func (c *Client) ConfigurePixWebhook(ctx context.Context, key, webhookURL string) error {
	return c.call(ctx, Pix, "PUT", "/v2/webhook/:chave", "/v2/webhook/"+url.PathEscape(key), map[string]string{"webhookUrl": webhookURL}, nil)
}

// DetailPixWebhook is GET /v2/webhook/:chave.
func (c *Client) DetailPixWebhook(ctx context.Context, key string) (PixWebhook, error) {
	var out PixWebhook
	err := c.call(ctx, Pix, "GET", "/v2/webhook/:chave", "/v2/webhook/"+url.PathEscape(key), nil, &out)
	return out, err
}

// ListPixWebhooks is GET /v2/webhook?inicio=&fim=.
func (c *Client) ListPixWebhooks(ctx context.Context, from, to time.Time) ([]PixWebhook, error) {
	q := url.Values{"inicio": {from.UTC().Format(time.RFC3339)}, "fim": {to.UTC().Format(time.RFC3339)}}
	var out struct {
		Webhooks []PixWebhook `json:"webhooks"`
	}
	err := c.call(ctx, Pix, "GET", "/v2/webhook", "/v2/webhook?"+q.Encode(), nil, &out)
	return out.Webhooks, err
}

// DeletePixWebhook is DELETE /v2/webhook/:chave.
func (c *Client) DeletePixWebhook(ctx context.Context, key string) error {
	return c.call(ctx, Pix, "DELETE", "/v2/webhook/:chave", "/v2/webhook/"+url.PathEscape(key), nil, nil)
}
