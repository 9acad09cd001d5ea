package charges_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/efiportal/portal/db"
	"github.com/efiportal/portal/sandbox"
	"github.com/efiportal/portal/services"
	"github.com/efiportal/portal/services/charges"
	"github.com/efiportal/portal/services/efi"
	"github.com/efiportal/portal/services/links"
	"github.com/efiportal/portal/web/i18n"
)

// TestLinkPaidOnSandboxTurnsPaid drives the whole pipeline over real HTTP:
// the service creates a link on the sandbox, the payer pays on the hosted
// page, the sandbox calls the organisation's callback URL, and the worker
// fetches the token and marks the charge paid.
func TestLinkPaidOnSandboxTurnsPaid(t *testing.T) {
	ctx := context.Background()
	quiet := slog.New(slog.DiscardHandler)
	sb, err := sandbox.New(ctx, sandbox.Config{DBPath: filepath.Join(t.TempDir(), "sb.db"), Logger: quiet,
		CallbackRetryDelays: []time.Duration{20 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	sbSrv := httptest.NewServer(sb.Handler())
	defer sbSrv.Close()
	sb.SetPublicURL(sbSrv.URL)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go sb.Run(runCtx)

	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "portal.db"), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var org int64
	d.WithTx(ctx, func(tx *db.Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO organisations (name) VALUES ('Loja A')`)
		org, _ = r.LastInsertId()
		return err
	})
	urls := efi.SandboxBaseURLs(sbSrv.URL)
	client, _ := efi.New(efi.Config{BaseURLs: &urls, ClientID: sandbox.DefaultClientID, ClientSecret: sandbox.DefaultClientSecret, Logger: quiet})
	clients := charges.ClientsFunc(func(context.Context, int64) (charges.API, error) { return charges.EfiAPI{C: client}, nil })

	// The portal's public hook, as the web layer serves it.
	var svc *charges.Service
	hooks := http.NewServeMux()
	received := make(chan struct{}, 10)
	hooks.HandleFunc("POST /hooks/efi/{secret}", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if _, err := svc.Receive(r.Context(), charges.Callback{Secret: r.PathValue("secret"), Body: body, ContentType: r.Header.Get("Content-Type")}); err != nil {
			http.NotFound(w, r)
			return
		}
		received <- struct{}{}
	})
	portal := httptest.NewServer(hooks)
	defer portal.Close()
	svc = charges.New(d, clients, charges.Config{BaseURL: portal.URL, Logger: quiet})

	merchant := services.Actor{UserID: 1, OrgID: org, Role: services.RoleMerchant}
	l, errs := links.Validate(i18n.PtBR, links.Form{IdempotencyKey: links.NewIdempotencyKey(),
		Items:         []links.ItemInput{{Name: "Camiseta", Value: "59,90", Amount: "2"}, {Name: "Caneca", Value: "25,00"}},
		PaymentMethod: links.MethodAll, BilletDiscount: "5,00", ExpireAt: time.Now().AddDate(0, 0, 5).Format("2006-01-02")}, time.Now())
	if errs != nil {
		t.Fatal(errs)
	}
	id, err := svc.CreateLink(ctx, merchant, l)
	if err != nil {
		t.Fatal(err)
	}
	det, _ := svc.Get(ctx, merchant, id)
	if det.Charge.PaymentURL == "" || det.Charge.Status != "link" {
		t.Fatalf("created: %+v", det.Charge)
	}
	resp, err := http.PostForm(det.Charge.PaymentURL, url.Values{"method": {"billet"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-received:
		case <-time.After(50 * time.Millisecond):
		}
		svc.ProcessDue(ctx)
		if det, _ = svc.Get(ctx, merchant, id); det.Charge.Status == "paid" {
			break
		}
	}
	if det.Charge.Status != "paid" || det.Charge.PaidValue != 13980 {
		t.Fatalf("after paying on the sandbox: status %s paid %d", det.Charge.Status, det.Charge.PaidValue)
	}
	time.Sleep(100 * time.Millisecond) // the later callbacks of the same token
	svc.ProcessDue(ctx)
	events, _, _ := svc.Events(ctx, merchant, 0, "", 0)
	if len(events) == 0 {
		t.Fatal("no callback in the event log")
	}
	for _, e := range events {
		if e.State != db.EventDone {
			t.Fatalf("event %d is %s: %s", e.ID, e.State, e.Outcome)
		}
	}

	// The timeline holds the API's own history lines too, each once.
	det, _ = svc.Get(ctx, merchant, id)
	apiLines := map[string]int{}
	for _, e := range det.Events {
		if e.Kind == "api" {
			apiLines[e.Message]++
		}
	}
	if apiLines["Link de pagamento criado"] != 1 || apiLines["Pagamento via boleto confirmado"] != 1 {
		t.Fatalf("API history in the timeline: %v", apiLines)
	}

	// The sandbox's real validation error lands on the form's field.
	bad := l
	bad.IdempotencyKey = links.NewIdempotencyKey()
	bad.Message = "Oi"
	_, err = svc.CreateLink(ctx, merchant, bad)
	var se *services.Error
	if !errors.As(err, &se) || se.Fields["message"].Key == "" {
		t.Fatalf("sandbox validation error not on the message field: %v", err)
	}
	// And a paid link cannot be cancelled.
	if err := svc.Cancel(ctx, merchant, id); !errors.Is(err, services.ErrConflict) {
		t.Fatalf("cancel paid: %v", err)
	}
}
