package efi_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/efiportal/portal/services/efi"
)

// boletoBarcode builds a valid 44-digit boleto barcode (mod-11 check digit).
func boletoBarcode(value int64) string {
	body := fmt.Sprintf("3649%04d%010d%025d", 9000, value, 42)
	sum, w := 0, 2
	for i := len(body) - 1; i >= 0; i-- {
		sum += int(body[i]-'0') * w
		if w++; w > 9 {
			w = 2
		}
	}
	dv := 11 - sum%11
	if dv == 0 || dv == 10 || dv == 11 {
		dv = 1
	}
	return body[:4] + fmt.Sprint(dv) + body[4:]
}

// TestOtherFamiliesAgainstSandbox runs the carnê, plan, subscription,
// account-opening, bill-payment and Pix methods against the sandbox.
func TestOtherFamiliesAgainstSandbox(t *testing.T) {
	ctx := context.Background()
	c, sb, _ := startSandbox(t)
	customer := efi.Customer{Name: "Gorbadoc Oldbuck", CPF: "94271564656"}

	k, err := c.CreateCarnet(ctx, efi.CarnetRequest{Items: []efi.Item{{Name: "Mensalidade", Value: 7500, Amount: 1}}, Customer: customer, ExpireAt: date(5), Repeats: 3})
	if err != nil || len(k.Charges) != 3 || k.Charges[1].Parcel != 2 {
		t.Fatalf("carnet: %+v %v", k, err)
	}
	if err := c.UpdateCarnetParcel(ctx, k.CarnetID, 2, date(70)); err != nil {
		t.Fatal(err)
	}
	if err := c.CancelCarnetParcel(ctx, k.CarnetID, 3); err != nil {
		t.Fatal(err)
	}
	if d, err := c.DetailCarnet(ctx, k.CarnetID); err != nil || d.Charges[2].Status != "canceled" {
		t.Fatalf("carnet detail: %+v %v", d, err)
	}
	var apiErr *efi.Error
	if _, err := c.CreateCarnet(ctx, efi.CarnetRequest{Items: []efi.Item{{Name: "x", Value: 7500}}, Customer: customer, ExpireAt: date(5), Repeats: 13}); !errors.As(err, &apiErr) || apiErr.Code != 4600059 {
		t.Fatalf("13 parcels: %v", err)
	}

	plan, err := c.CreatePlan(ctx, efi.PlanRequest{Name: "Mensal", Interval: 1})
	if err != nil || plan.Repeats != nil {
		t.Fatalf("plan: %+v %v", plan, err)
	}
	sub, err := c.CreateOneStepSubscription(ctx, plan.PlanID, efi.SubscriptionRequest{Items: []efi.Item{{Name: "Plano", Value: 4990, Amount: 1}},
		Payment: &efi.Payment{BankingBillet: &efi.BankingBillet{ExpireAt: date(3), Customer: customer}}})
	if err != nil || sub.Status != "active" {
		t.Fatalf("subscription: %+v %v", sub, err)
	}
	if err := c.DeletePlan(ctx, plan.PlanID); !errors.As(err, &apiErr) || apiErr.Code != 3500032 {
		t.Fatalf("delete a plan in use: %v", err)
	}
	if err := c.CancelSubscription(ctx, sub.SubscriptionID); err != nil {
		t.Fatal(err)
	}
	if d, _ := c.DetailSubscription(ctx, sub.SubscriptionID); d.Status != "canceled" {
		t.Fatalf("after cancel: %+v", d)
	}

	// Account opening: a webhook first (an address that refuses, so no callback leaves this machine).
	hookID, err := c.ConfigureAccountWebhook(ctx, "https://127.0.0.1:1/contas", "")
	if err != nil || hookID == "" {
		t.Fatalf("account webhook: %v", err)
	}
	id, err := c.RequestSimplifiedAccount(ctx, efi.SimplifiedAccountRequest{
		ClienteFinal: efi.EndCustomer{CPF: "94271564656", NomeCompleto: "Maria da Silva", DataNascimento: "13/08/1990", Celular: "31987654321",
			Email: "maria@example.com", Endereco: efi.Address{CEP: "35400000", Estado: "MG", Cidade: "Ouro Preto", Bairro: "Centro", Logradouro: "Rua Direita", Numero: "7"}},
		MeioDeNotificacao: []string{"sms"}, EscoposIntegrados: []string{"cob.write"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AccountCredentialsFor(ctx, id); !errors.As(err, &apiErr) || apiErr.Slug != "conta_em_processamento" || apiErr.Status != 412 {
		t.Fatalf("credentials before opening: %v", err)
	}
	sb.DecideAccount(id, true)
	if cr, err := c.AccountCredentialsFor(ctx, id); err != nil || cr.ClientID == "" {
		t.Fatalf("credentials: %+v %v", cr, err)
	}
	if p12, err := c.AccountCertificate(ctx, id); err != nil || len(p12) < 100 {
		t.Fatalf("certificate: %v", err)
	}
	hooks, _, err := c.ListAccountWebhooks(ctx, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), 0, 0)
	if err != nil || len(hooks) != 1 {
		t.Fatalf("list account webhooks: %v %v", hooks, err)
	}
	if err := c.DeleteAccountWebhook(ctx, hookID); err != nil {
		t.Fatal(err)
	}

	code := boletoBarcode(15075)
	info, err := c.DetailBarcode(ctx, code)
	if err != nil || info.Valores.Final != 15075 || info.Tipo != "boleto" {
		t.Fatalf("barcode: %+v %v", info, err)
	}
	pay, err := c.PayBarcode(ctx, code, 15075, date(1), "Conta de luz")
	if err != nil || pay.Status != "AGENDADO" {
		t.Fatalf("pay: %+v %v", pay, err)
	}
	if d, err := c.DetailBillPayment(ctx, pay.IDPagamento); err != nil || d.Status != "AGENDADO" {
		t.Fatalf("payment detail: %+v %v", d, err)
	}
	if s, err := c.BillPaymentSummary(ctx, time.Now().AddDate(0, 0, -1), time.Now().AddDate(0, 0, 1)); err != nil || s.Solicitacoes.Total != 1 {
		t.Fatalf("summary: %+v %v", s, err)
	}

	if err := c.ConfigurePixWebhook(ctx, "chave@loja.com", "https://127.0.0.1:1/pix"); err != nil {
		t.Fatal(err)
	}
	if h, err := c.DetailPixWebhook(ctx, "chave@loja.com"); err != nil || h.WebhookURL != "https://127.0.0.1:1/pix" {
		t.Fatalf("pix webhook: %+v %v", h, err)
	}
	if err := c.DeletePixWebhook(ctx, "chave@loja.com"); err != nil {
		t.Fatal(err)
	}
}
