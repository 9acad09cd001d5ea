package efi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestEveryEndpointOverHTTP calls each method once against a server that
// checks the method, the path (under the family's base) and the body, and
// answers the API's success shape; the result must decode.
func TestEveryEndpointOverHTTP(t *testing.T) {
	type seen struct{ method, path, body string }
	var got seen
	answer := `{"code":200}`
	_, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = seen{r.Method, r.URL.RequestURI(), string(b)}
		io.WriteString(w, answer)
	})
	ctx := context.Background()
	day := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	card := CreditCard{PaymentToken: strings.Repeat("a", 40), Customer: Customer{Name: "Ana Lima"}}
	tests := []struct {
		name, method, path, body, answer string
		call                             func() (any, error)
		check                            func(any) bool
	}{
		{"create charge", "POST", "/cobrancas/v1/charge", `"items"`, `{"code":200,"data":{"charge_id":7,"status":"new"}}`,
			func() (any, error) {
				return c.CreateCharge(ctx, CreateChargeRequest{Items: []Item{{Name: "x", Value: 500}}})
			},
			func(v any) bool { return v.(Created).ChargeID == 7 }},
		{"one-step", "POST", "/cobrancas/v1/charge/one-step", `"banking_billet"`, `{"code":200,"data":{"charge_id":8,"barcode":"123"}}`,
			func() (any, error) {
				return c.CreateOneStepCharge(ctx, OneStepRequest{Payment: Payment{BankingBillet: &BankingBillet{ExpireAt: "2026-12-01"}}})
			}, func(v any) bool { return v.(PayResult).Barcode == "123" }},
		{"pay", "POST", "/cobrancas/v1/charge/8/pay", `"credit_card"`, `{"code":200,"data":{"status":"approved"}}`,
			func() (any, error) { return c.PayCharge(ctx, 8, Payment{CreditCard: &card}) }, func(v any) bool { return v.(PayResult).Status == "approved" }},
		{"detail", "GET", "/cobrancas/v1/charge/8", "", `{"code":200,"data":{"charge_id":8,"link":{"payment_url":"u"}}}`,
			func() (any, error) { return c.DetailCharge(ctx, 8) }, func(v any) bool { return v.(Charge).Link.PaymentURL == "u" }},
		{"list", "GET", "/cobrancas/v1/charges?begin_date=2026-11-01&charge_type=billet&custom_id=x&end_date=2026-11-30", "", `{"code":200,"data":[{"id":1}]}`,
			func() (any, error) {
				return c.ListCharges(ctx, ListChargesParams{ChargeType: "billet", BeginDate: "2026-11-01", EndDate: "2026-11-30", CustomID: "x"})
			}, func(v any) bool { return v.([]ChargeSummary)[0].ID == 1 }},
		{"metadata", "PUT", "/cobrancas/v1/charge/8/metadata", `"custom_id":"r"`, "", func() (any, error) { return nil, c.UpdateChargeMetadata(ctx, 8, Metadata{CustomID: "r"}) }, nil},
		{"billet", "PUT", "/cobrancas/v1/charge/8/billet", `"expire_at":"2026-12-01"`, "", func() (any, error) { return nil, c.UpdateBillet(ctx, 8, "2026-12-01") }, nil},
		{"cancel", "PUT", "/cobrancas/v1/charge/8/cancel", "", "", func() (any, error) { return nil, c.CancelCharge(ctx, 8) }, nil},
		{"settle", "PUT", "/cobrancas/v1/charge/8/settle", "", "", func() (any, error) { return nil, c.SettleCharge(ctx, 8) }, nil},
		{"history", "POST", "/cobrancas/v1/charge/8/history", `"description":"n"`, "", func() (any, error) { return nil, c.AddChargeHistory(ctx, 8, "n") }, nil},
		{"resend billet", "POST", "/cobrancas/v1/charge/8/billet/resend", `"email"`, "", func() (any, error) { return nil, c.ResendBillet(ctx, 8, "a@b.c") }, nil},
		{"refund", "POST", "/cobrancas/v1/charge/card/8/refund", `"amount":100`, "", func() (any, error) { return nil, c.RefundCard(ctx, 8, 100) }, nil},
		{"retry", "POST", "/cobrancas/v1/charge/8/retry", `"payment_token"`, `{"code":200,"data":{"status":"waiting"}}`,
			func() (any, error) { return c.RetryCard(ctx, 8, card) }, func(v any) bool { return v.(PayResult).Status == "waiting" }},
		{"installments", "GET", "/cobrancas/v1/installments?total=1000&brand=elo", "", `{"code":200,"data":{"name":"elo","installments":[{"installment":1,"value":1000}]}}`,
			func() (any, error) { return c.GetInstallments(ctx, 1000, "elo") }, func(v any) bool { return v.(Installments).Installments[0].Value == 1000 }},
		{"one-step link", "POST", "/cobrancas/v1/charge/one-step/link", `"settings"`, `{"code":200,"data":{"charge_id":9,"payment_url":"p"}}`,
			func() (any, error) {
				return c.CreateOneStepLink(ctx, OneStepLinkRequest{Settings: LinkSettings{ExpireAt: "2026-12-01"}})
			},
			func(v any) bool { return v.(Link).PaymentURL == "p" }},
		{"define link", "POST", "/cobrancas/v1/charge/9/link", `"payment_method":"all"`, `{"code":200,"data":{"status":"link"}}`,
			func() (any, error) { return c.DefineLink(ctx, 9, LinkSettings{PaymentMethod: "all"}) }, func(v any) bool { return v.(Link).Status == "link" }},
		{"update link", "PUT", "/cobrancas/v1/charge/9/link", `"expire_at"`, `{"code":200,"data":{"status":"link"}}`,
			func() (any, error) { return c.UpdateLink(ctx, 9, LinkSettings{ExpireAt: "2026-12-02"}) }, func(v any) bool { return v.(Link).Status == "link" }},
		{"resend link", "POST", "/cobrancas/v1/charge/9/link/resend", `"email"`, "", func() (any, error) { return nil, c.ResendLink(ctx, 9, "a@b.c") }, nil},
		{"notification", "GET", "/cobrancas/v1/notification/tok", "", `{"code":200,"data":[{"id":1,"type":"carnet_charge","status":{"current":"waiting","previous":"new"},"identifiers":{"carnet_id":3,"charge_id":4}}]}`,
			func() (any, error) { return c.GetNotification(ctx, "tok") },
			func(v any) bool {
				n := v.([]NotificationChange)[0]
				return n.Identifiers.CarnetID == 3 && n.Identifiers.ChargeID == 4 && *n.Status.Previous == "new"
			}},
		{"create carnet", "POST", "/cobrancas/v1/carnet", `"repeats":3`, `{"code":200,"data":{"carnet_id":5,"charges":[{"charge_id":1,"parcel":"1"}]}}`,
			func() (any, error) { return c.CreateCarnet(ctx, CarnetRequest{Repeats: 3}) }, func(v any) bool { return v.(Carnet).Charges[0].Parcel == 1 }},
		{"detail carnet", "GET", "/cobrancas/v1/carnet/5", "", `{"code":200,"data":{"carnet_id":5,"charges":[{"charge_id":1,"parcel":2}]}}`,
			func() (any, error) { return c.DetailCarnet(ctx, 5) }, func(v any) bool { return v.(Carnet).Charges[0].Parcel == 2 }},
		{"carnet metadata", "PUT", "/cobrancas/v1/carnet/5/metadata", `"notification_url"`, "", func() (any, error) {
			return nil, c.UpdateCarnetMetadata(ctx, 5, Metadata{NotificationURL: "https://x"})
		}, nil},
		{"carnet parcel", "PUT", "/cobrancas/v1/carnet/5/parcel/2", `"expire_at"`, "", func() (any, error) { return nil, c.UpdateCarnetParcel(ctx, 5, 2, "2026-12-10") }, nil},
		{"carnet parcels", "PUT", "/cobrancas/v1/carnet/5/parcels", `"parcels":[{"parcel":2`, "", func() (any, error) {
			return nil, c.UpdateCarnetParcels(ctx, 5, []ParcelDate{{Parcel: 2, ExpireAt: "2026-12-10"}})
		}, nil},
		{"cancel carnet", "PUT", "/cobrancas/v1/carnet/5/cancel", "", "", func() (any, error) { return nil, c.CancelCarnet(ctx, 5) }, nil},
		{"cancel parcel", "PUT", "/cobrancas/v1/carnet/5/parcel/2/cancel", "", "", func() (any, error) { return nil, c.CancelCarnetParcel(ctx, 5, 2) }, nil},
		{"settle carnet", "PUT", "/cobrancas/v1/carnet/5/settle", "", "", func() (any, error) { return nil, c.SettleCarnet(ctx, 5) }, nil},
		{"settle parcel", "PUT", "/cobrancas/v1/carnet/5/parcel/2/settle", "", "", func() (any, error) { return nil, c.SettleCarnetParcel(ctx, 5, 2) }, nil},
		{"resend carnet", "POST", "/cobrancas/v1/carnet/5/resend", `"email"`, "", func() (any, error) { return nil, c.ResendCarnet(ctx, 5, "a@b.c") }, nil},
		{"resend parcel", "POST", "/cobrancas/v1/carnet/5/parcel/2/resend", `"email"`, "", func() (any, error) { return nil, c.ResendCarnetParcel(ctx, 5, 2, "a@b.c") }, nil},
		{"carnet history", "POST", "/cobrancas/v1/carnet/5/history", `"description"`, "", func() (any, error) { return nil, c.AddCarnetHistory(ctx, 5, "n") }, nil},
		{"create plan", "POST", "/cobrancas/v1/plan", `"interval":1`, `{"code":200,"data":{"plan_id":11,"repeats":null}}`,
			func() (any, error) { return c.CreatePlan(ctx, PlanRequest{Name: "Mensal", Interval: 1}) }, func(v any) bool { return v.(Plan).PlanID == 11 && v.(Plan).Repeats == nil }},
		{"list plans", "GET", "/cobrancas/v1/plans?name=Mensal", "", `{"code":200,"data":[{"plan_id":11}]}`,
			func() (any, error) { return c.ListPlans(ctx, "Mensal", 0, 0) }, func(v any) bool { return v.([]Plan)[0].PlanID == 11 }},
		{"update plan", "PUT", "/cobrancas/v1/plan/11", `"name":"Anual"`, "", func() (any, error) { return nil, c.UpdatePlan(ctx, 11, "Anual") }, nil},
		{"delete plan", "DELETE", "/cobrancas/v1/plan/11", "", "", func() (any, error) { return nil, c.DeletePlan(ctx, 11) }, nil},
		{"create subscription", "POST", "/cobrancas/v1/plan/11/subscription", `"items"`, `{"code":200,"data":{"subscription_id":12,"status":"new"}}`,
			func() (any, error) {
				return c.CreateSubscription(ctx, 11, SubscriptionRequest{Items: []Item{{Name: "x", Value: 900}}})
			},
			func(v any) bool { return v.(Subscription).SubscriptionID == 12 }},
		{"one-step subscription", "POST", "/cobrancas/v1/plan/11/subscription/one-step", `"payment"`, `{"code":200,"data":{"subscription_id":13,"status":"active"}}`,
			func() (any, error) {
				return c.CreateOneStepSubscription(ctx, 11, SubscriptionRequest{Payment: &Payment{CreditCard: &card}})
			},
			func(v any) bool { return v.(Subscription).Status == "active" }},
		{"one-step subscription link", "POST", "/cobrancas/v1/plan/11/subscription/one-step/link", `"settings"`, `{"code":200,"data":{"subscription_id":14,"payment_url":"p"}}`,
			func() (any, error) {
				return c.CreateOneStepSubscriptionLink(ctx, 11, SubscriptionRequest{Settings: &LinkSettings{}})
			},
			func(v any) bool { return v.(Subscription).PaymentURL == "p" }},
		{"detail subscription", "GET", "/cobrancas/v1/subscription/12", "", `{"code":200,"data":{"subscription_id":12,"occurrences":2}}`,
			func() (any, error) { return c.DetailSubscription(ctx, 12) }, func(v any) bool { return v.(Subscription).Occurrences == 2 }},
		{"pay subscription", "POST", "/cobrancas/v1/subscription/12/pay", `"banking_billet"`, `{"code":200,"data":{"subscription_id":12,"status":"active"}}`,
			func() (any, error) { return c.PaySubscription(ctx, 12, Payment{BankingBillet: &BankingBillet{}}) }, func(v any) bool { return v.(Subscription).Status == "active" }},
		{"update subscription", "PUT", "/cobrancas/v1/subscription/12", `"plan_id":11`, `{"code":200,"data":{"subscription_id":12}}`,
			func() (any, error) { return c.UpdateSubscription(ctx, 12, SubscriptionUpdate{PlanID: 11}) }, func(v any) bool { return v.(Subscription).SubscriptionID == 12 }},
		{"cancel subscription", "PUT", "/cobrancas/v1/subscription/12/cancel", "", "", func() (any, error) { return nil, c.CancelSubscription(ctx, 12) }, nil},
		{"subscription metadata", "PUT", "/cobrancas/v1/subscription/12/metadata", `"custom_id"`, "", func() (any, error) { return nil, c.UpdateSubscriptionMetadata(ctx, 12, Metadata{CustomID: "r"}) }, nil},
		{"subscription history", "POST", "/cobrancas/v1/subscription/12/history", `"description"`, "", func() (any, error) { return nil, c.AddSubscriptionHistory(ctx, 12, "n") }, nil},
		{"resend subscription link", "POST", "/cobrancas/v1/charge/9/subscription/resend", `"email"`, "", func() (any, error) { return nil, c.ResendSubscriptionLink(ctx, 9, "a@b.c") }, nil},
		{"request account", "POST", "/abrircontas/v1/conta-simplificada", `"clienteFinal"`, `{"contaSimplificada":{"identificador":"abc"}}`,
			func() (any, error) { return c.RequestSimplifiedAccount(ctx, SimplifiedAccountRequest{}) }, func(v any) bool { return v.(string) == "abc" }},
		{"account credentials", "GET", "/abrircontas/v1/conta-simplificada/abc/credenciais", "", `{"clientId":"id","clientSecret":"s","conta":{"numero":"1","payeeCode":"p"},"ativo":true}`,
			func() (any, error) { return c.AccountCredentialsFor(ctx, "abc") }, func(v any) bool { return v.(AccountCredentials).Conta.PayeeCode == "p" }},
		{"account certificate", "POST", "/abrircontas/v1/conta-simplificada/abc/certificado", "", `"MIIKYQIBAz"`,
			func() (any, error) { return c.AccountCertificate(ctx, "abc") }, func(v any) bool { return v.(string) == "MIIKYQIBAz" }},
		{"configure account webhook", "POST", "/abrircontas/v1/webhook", `"webhookUrl"`, `{"identificadorWebhook":"w1"}`,
			func() (any, error) { return c.ConfigureAccountWebhook(ctx, "https://x/h", "") }, func(v any) bool { return v.(string) == "w1" }},
		{"detail account webhook", "GET", "/abrircontas/v1/webhook/w1", "", `{"webhookUrl":"https://x/h","identificadorWebhook":"w1"}`,
			func() (any, error) { return c.DetailAccountWebhook(ctx, "w1") }, func(v any) bool { return v.(AccountWebhook).WebhookURL == "https://x/h" }},
		{"list account webhooks", "GET", "/abrircontas/v1/webhooks?fim=2026-11-23T00%3A00%3A00Z&inicio=2026-11-22T00%3A00%3A00Z&paginacao.paginaAtual=0", "", `{"parametros":{"paginacao":{"quantidadeTotalDeItens":1}},"webhooks":[{"identificadorWebhook":"w1"}]}`,
			func() (any, error) {
				l, _, err := c.ListAccountWebhooks(ctx, day, day.AddDate(0, 0, 1), 0, 0)
				return l, err
			}, func(v any) bool { return v.([]AccountWebhook)[0].IdentificadorWebhook == "w1" }},
		{"delete account webhook", "DELETE", "/abrircontas/v1/webhook/w1", "", "", func() (any, error) { return nil, c.DeleteAccountWebhook(ctx, "w1") }, nil},
		{"detail barcode", "GET", "/pagarcontas/v1/codBarras/123", "", `{"tipo":"boleto","valores":{"original":1000,"final":902}}`,
			func() (any, error) { return c.DetailBarcode(ctx, "123") }, func(v any) bool { return v.(BarcodeInfo).Valores.Final == 902 }},
		{"pay barcode", "POST", "/pagarcontas/v1/codBarras/123", `"dataPagamento":"2026-11-22"`, `{"idPagamento":"31","valorPago":500,"status":"LIQUIDADO"}`,
			func() (any, error) { return c.PayBarcode(ctx, "123", 500, "2026-11-22", "") }, func(v any) bool { return v.(BillPayment).Status == "LIQUIDADO" }},
		{"detail bill payment", "GET", "/pagarcontas/v1/31", "", `{"idPagamento":"31","status":"NAO_REALIZADO","retornoBancario":"Limite mensal excedido."}`,
			func() (any, error) { return c.DetailBillPayment(ctx, "31") }, func(v any) bool { return v.(BillPayment).Motivo == "Limite mensal excedido." }},
		{"bill summary", "GET", "/pagarcontas/v1/resumo?dataFim=2026-11-23&dataInicio=2026-11-22", "", `{"solicitacoes":{"total":2,"sucesso":1}}`,
			func() (any, error) { return c.BillPaymentSummary(ctx, day, day.AddDate(0, 0, 1)) }, func(v any) bool { return v.(BillSummary).Solicitacoes.Total == 2 }},
		{"configure bill webhook", "PUT", "/pagarcontas/v1/webhook", `"url"`, "", func() (any, error) { return nil, c.ConfigureBillWebhook(ctx, "https://x/b") }, nil},
		{"list bill webhooks", "GET", "/pagarcontas/v1/webhook?dataFim=2026-11-23T00%3A00%3A00Z&dataInicio=2026-11-22T00%3A00%3A00Z", "", `{"webhooks":[{"url":"https://x/b"}]}`,
			func() (any, error) { return c.ListBillWebhooks(ctx, day, day.AddDate(0, 0, 1)) }, func(v any) bool { return v.([]BillWebhook)[0].URL == "https://x/b" }},
		{"delete bill webhook", "DELETE", "/pagarcontas/v1/webhook", `"url":"https://x/b"`, "", func() (any, error) { return nil, c.DeleteBillWebhook(ctx, "https://x/b") }, nil},
		{"configure pix webhook", "PUT", "/pix/v2/webhook/chave@pix.com", `"webhookUrl"`, "", func() (any, error) { return nil, c.ConfigurePixWebhook(ctx, "chave@pix.com", "https://x/p") }, nil},
		{"detail pix webhook", "GET", "/pix/v2/webhook/chave@pix.com", "", `{"webhookUrl":"https://x/p","chave":"chave@pix.com"}`,
			func() (any, error) { return c.DetailPixWebhook(ctx, "chave@pix.com") }, func(v any) bool { return v.(PixWebhook).WebhookURL == "https://x/p" }},
		{"list pix webhooks", "GET", "/pix/v2/webhook?fim=2026-11-23T00%3A00%3A00Z&inicio=2026-11-22T00%3A00%3A00Z", "", `{"webhooks":[{"chave":"k"}]}`,
			func() (any, error) { return c.ListPixWebhooks(ctx, day, day.AddDate(0, 0, 1)) }, func(v any) bool { return v.([]PixWebhook)[0].Chave == "k" }},
		{"delete pix webhook", "DELETE", "/pix/v2/webhook/k", "", "", func() (any, error) { return nil, c.DeletePixWebhook(ctx, "k") }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answer = tt.answer
			if answer == "" {
				answer = `{"code":200}`
			}
			v, err := tt.call()
			if err != nil {
				t.Fatal(err)
			}
			if got.method != tt.method || got.path != tt.path {
				t.Fatalf("sent %s %s, want %s %s", got.method, got.path, tt.method, tt.path)
			}
			if tt.body != "" && !strings.Contains(got.body, tt.body) {
				t.Fatalf("body %s lacks %s", got.body, tt.body)
			}
			if got.body != "" && !json.Valid([]byte(got.body)) {
				t.Fatalf("body is not JSON: %s", got.body)
			}
			if tt.check != nil && !tt.check(v) {
				t.Fatalf("decoded %+v", v)
			}
		})
	}
}
