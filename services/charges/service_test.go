package charges

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/efiportal/portal/db"
	"github.com/efiportal/portal/services"
	"github.com/efiportal/portal/services/links"
	"github.com/efiportal/portal/web/i18n"
)

// fakeAPI is an in-memory Efí charges API for the service's rules; the
// same flows run against the sandbox over HTTP in the integration tests.
type fakeAPI struct {
	mu       sync.Mutex
	nextID   int64
	charges  map[int64]*ChargeInfo
	creates  atomic.Int32
	failNext error // returned by the next CreateOneStepLink
	lostNext bool  // the next create succeeds upstream but answers with a timeout
	changes  map[string][]Change
	canceled []int64
}

type fakeUserError struct{ field, msg string }

func (e fakeUserError) Error() string              { return "efí: " + e.msg }
func (e fakeUserError) Field() string              { return e.field }
func (e fakeUserError) Message(lang string) string { return e.msg }

var errTimeout = errors.New("efí: timeout")

func newFakeAPI() *fakeAPI {
	return &fakeAPI{nextID: 1000, charges: map[int64]*ChargeInfo{}, changes: map[string][]Change{}}
}

func (f *fakeAPI) CreateOneStepLink(ctx context.Context, r LinkRequest) (ChargeInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.creates.Add(1)
	if err := f.failNext; err != nil {
		f.failNext = nil
		return ChargeInfo{}, err
	}
	f.nextID++
	var total int64
	for _, it := range r.Items {
		total += it.Value * it.Amount
	}
	c := &ChargeInfo{ChargeID: f.nextID, Status: "link", Total: total, CustomID: r.CustomID, NotificationURL: r.NotificationURL,
		PaymentURL: fmt.Sprintf("http://sandbox/pay/%d", f.nextID), PaymentMethod: r.Settings.PaymentMethod, ExpireAt: r.Settings.ExpireAt,
		CreatedAt: time.Now()}
	f.charges[c.ChargeID] = c
	if f.lostNext {
		f.lostNext = false
		return ChargeInfo{}, errTimeout
	}
	return *c, nil
}

func (f *fakeAPI) UpdateLink(ctx context.Context, id int64, s LinkSettings) (ChargeInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.charges[id]
	c.ExpireAt, c.PaymentMethod = s.ExpireAt, s.PaymentMethod
	return *c, nil
}
func (f *fakeAPI) ResendLink(ctx context.Context, id int64, email string) error { return nil }
func (f *fakeAPI) DetailCharge(ctx context.Context, id int64) (ChargeInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.charges[id]
	if !ok {
		return ChargeInfo{}, fakeUserError{msg: "not found"}
	}
	return *c, nil
}
func (f *fakeAPI) FindByCustomID(ctx context.Context, customID string, since time.Time) (ChargeInfo, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.charges {
		if c.CustomID == customID {
			return *c, true, nil
		}
	}
	return ChargeInfo{}, false, nil
}
func (f *fakeAPI) CancelCharge(ctx context.Context, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.canceled = append(f.canceled, id)
	f.charges[id].Status = "canceled"
	return nil
}
func (f *fakeAPI) UpdateMetadata(ctx context.Context, id int64, customID, url string) error {
	return nil
}
func (f *fakeAPI) AddHistory(ctx context.Context, id int64, text string) error { return nil }
func (f *fakeAPI) Installments(ctx context.Context, total int64, brand string) (Installments, error) {
	return Installments{Options: []Installment{{Installment: 1, Value: total}}}, nil
}
func (f *fakeAPI) Notification(ctx context.Context, token string) ([]Change, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch, ok := f.changes[token]
	if !ok {
		return nil, fakeUserError{msg: "token not found"}
	}
	return append([]Change(nil), ch...), nil
}

type fakeClients struct{ api *fakeAPI }

func (c fakeClients) For(ctx context.Context, orgID int64) (API, error) { return c.api, nil }

func newService(t *testing.T) (*Service, *fakeAPI, *db.DB, services.Actor, services.Actor) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "portal.db"), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	var a, b int64
	d.WithTx(ctx, func(tx *db.Tx) error {
		r, _ := tx.ExecContext(ctx, `INSERT INTO organisations (name) VALUES ('Loja A')`)
		a, _ = r.LastInsertId()
		r, _ = tx.ExecContext(ctx, `INSERT INTO organisations (name) VALUES ('Loja B')`)
		b, _ = r.LastInsertId()
		return nil
	})
	api := newFakeAPI()
	s := New(d, fakeClients{api}, Config{BaseURL: "http://portal.test", AdoptWait: 300 * time.Millisecond})
	return s, api, d, services.Actor{UserID: 1, OrgID: a, Role: services.RoleMerchant}, services.Actor{UserID: 2, OrgID: b, Role: services.RoleMerchant}
}

func validLink(t *testing.T) links.Link {
	t.Helper()
	tomorrow := time.Now().AddDate(0, 0, 7).Format("2006-01-02")
	l, errs := links.Validate(i18n.PtBR, links.Form{
		IdempotencyKey: links.NewIdempotencyKey(),
		Items:          []links.ItemInput{{Name: "Camiseta", Value: "59,90", Amount: "2"}, {Name: "Caneca", Value: "25,00", Amount: "1"}},
		PaymentMethod:  links.MethodAll, BilletDiscount: "5,00", ExpireAt: tomorrow, CustomID: "pedido-1",
	}, time.Now())
	if errs != nil {
		t.Fatalf("valid form refused: %v", errs)
	}
	return l
}

func TestCreateLinkStoresItAndItsCallbackURL(t *testing.T) {
	ctx := context.Background()
	s, api, _, merchant, other := newService(t)
	l := validLink(t)
	id, err := s.CreateLink(ctx, merchant, l)
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.Get(ctx, merchant, id)
	if err != nil {
		t.Fatal(err)
	}
	if d.Charge.Status != "link" || d.Charge.Total != 14480 || len(d.Items) != 2 || d.Link == nil || d.Link.BilletDiscount != 500 {
		t.Fatalf("stored link: %+v items %v settings %+v", d.Charge, d.Items, d.Link)
	}
	up := api.charges[d.Charge.EfiChargeID]
	if !strings.HasPrefix(up.NotificationURL, "http://portal.test/hooks/efi/") || len(up.NotificationURL) < len("http://portal.test/hooks/efi/")+40 {
		t.Fatalf("notification_url %q is not the organisation's secret callback", up.NotificationURL)
	}
	if up.CustomID != "pedido-1|"+l.IdempotencyKey || d.Charge.CustomID != "pedido-1" {
		t.Fatalf("custom_id upstream %q, local %q", up.CustomID, d.Charge.CustomID)
	}
	if _, err := s.Get(ctx, other, id); !errors.Is(err, services.ErrNotFound) {
		t.Fatalf("another organisation read the link: %v", err)
	}
}

func TestCreateLinkTwiceYieldsOneLink(t *testing.T) {
	ctx := context.Background()
	s, api, _, merchant, _ := newService(t)
	l := validLink(t)
	var wg sync.WaitGroup
	ids := make([]int64, 5)
	errs := make([]error, 5)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[i], errs[i] = s.CreateLink(ctx, merchant, l)
		}()
	}
	wg.Wait()
	for i := range ids {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Fatalf("concurrent submits: ids %v errs %v", ids, errs)
		}
	}
	again, err := s.CreateLink(ctx, merchant, l)
	if err != nil || again != ids[0] {
		t.Fatalf("a later retry created %d (%v), want %d", again, err, ids[0])
	}
	if n := api.creates.Load(); n != 1 {
		t.Fatalf("the API was asked to create %d links, want 1", n)
	}
}

func TestCreateLinkAfterTimeoutAdoptsTheUpstreamLink(t *testing.T) {
	ctx := context.Background()
	s, api, _, merchant, _ := newService(t)
	api.lostNext = true
	l := validLink(t)
	id, err := s.CreateLink(ctx, merchant, l)
	if err != nil {
		t.Fatalf("a create whose answer was lost should adopt the upstream link: %v", err)
	}
	if api.creates.Load() != 1 {
		t.Fatalf("posted %d times; a timeout must be settled by lookup, never by posting again", api.creates.Load())
	}
	d, _ := s.Get(ctx, merchant, id)
	if d.Charge.EfiChargeID == 0 || d.Charge.PaymentURL == "" {
		t.Fatalf("adopted link incomplete: %+v", d.Charge)
	}
}

func TestCreateLinkAPIErrorLandsOnTheFieldAndFreesTheKey(t *testing.T) {
	ctx := context.Background()
	s, api, _, merchant, _ := newService(t)
	api.failNext = fakeUserError{field: "settings.expire_at", msg: "A data de vencimento deve ser futura."}
	l := validLink(t)
	_, err := s.CreateLink(ctx, merchant, l)
	var se *services.Error
	if !errors.As(err, &se) || !errors.Is(err, services.ErrUpstream) {
		t.Fatalf("got %v", err)
	}
	if _, ok := se.Fields["expire_at"]; !ok {
		t.Fatalf("API error not on the expire_at field: %+v", se.Fields)
	}
	if _, err := s.CreateLink(ctx, merchant, l); err != nil {
		t.Fatalf("the corrected form could not be sent again with the same key: %v", err)
	}
}

func TestCancelGuards(t *testing.T) {
	ctx := context.Background()
	s, api, d, merchant, other := newService(t)
	id, _ := s.CreateLink(ctx, merchant, validLink(t))
	if err := s.Cancel(ctx, other, id); !errors.Is(err, services.ErrNotFound) {
		t.Fatalf("another organisation cancelled: %v", err)
	}
	if err := s.Cancel(ctx, merchant, id); err != nil {
		t.Fatal(err)
	}
	det, _ := s.Get(ctx, merchant, id)
	if det.Charge.Status != "canceled" || det.CanCancel || det.CancelBlocked.Key == "" {
		t.Fatalf("after cancel: %+v", det)
	}
	if err := s.Cancel(ctx, merchant, id); !errors.Is(err, services.ErrConflict) {
		t.Fatalf("cancel of a cancelled charge: %v", err)
	}
	if len(api.canceled) != 1 {
		t.Fatalf("API cancel called %d times", len(api.canceled))
	}
	// A paid charge cannot be cancelled and the API is not even asked.
	id2, _ := s.CreateLink(ctx, merchant, validLink(t))
	d.WithTx(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE charges SET status = 'paid' WHERE id = ?`, id2)
		return err
	})
	if err := s.Cancel(ctx, merchant, id2); !errors.Is(err, services.ErrConflict) || len(api.canceled) != 1 {
		t.Fatalf("paid charge cancel: %v (api calls %d)", err, len(api.canceled))
	}
}

func TestNotificationPipelineAppliesChangesOnceInOrder(t *testing.T) {
	ctx := context.Background()
	s, api, d, merchant, _ := newService(t)
	id, _ := s.CreateLink(ctx, merchant, validLink(t))
	det, _ := s.Get(ctx, merchant, id)
	efiID := det.Charge.EfiChargeID
	url, _ := s.CallbackURL(ctx, merchant.OrgID)
	secret := url[strings.LastIndex(url, "/")+1:]

	// Efí lists every change of the token; it arrives out of order here.
	api.changes["tok-1"] = []Change{
		{ID: 3, Type: "charge", Current: "paid", Previous: "waiting", ChargeID: efiID, Value: 14480, ReceivedAt: "2026-11-22"},
		{ID: 1, Type: "charge", Current: "link", ChargeID: efiID},
		{ID: 2, Type: "charge", Current: "waiting", Previous: "link", ChargeID: efiID},
	}
	// The callback body claims "canceled": it must not be trusted.
	if _, err := s.Receive(ctx, Callback{Secret: secret, Body: []byte("notification=tok-1&status=canceled"), ContentType: "application/x-www-form-urlencoded"}); err != nil {
		t.Fatal(err)
	}
	if err := s.ProcessDue(ctx); err != nil {
		t.Fatal(err)
	}
	det, _ = s.Get(ctx, merchant, id)
	if det.Charge.Status != "paid" || det.Charge.PaidValue != 14480 {
		t.Fatalf("after notification: status %s paid %d", det.Charge.Status, det.Charge.PaidValue)
	}
	// The same notification again changes nothing.
	s.Receive(ctx, Callback{Secret: secret, Body: []byte("notification=tok-1"), ContentType: "application/x-www-form-urlencoded"})
	s.ProcessDue(ctx)
	after, _ := s.Get(ctx, merchant, id)
	if len(after.Events) != len(det.Events) {
		t.Fatalf("a repeated notification added timeline entries: %d -> %d", len(det.Events), len(after.Events))
	}
	events, _, _ := s.Events(ctx, merchant, 0, "", 0)
	if len(events) != 2 || events[0].State != db.EventDone || !strings.Contains(events[0].Fetched, "paid") {
		t.Fatalf("event log: %+v", events)
	}
	if !strings.HasPrefix(events[1].Outcome, "events.outcome.applied|3|") || !strings.HasPrefix(events[0].Outcome, "events.outcome.applied|0|3") {
		t.Fatalf("outcomes %q / %q", events[1].Outcome, events[0].Outcome)
	}
	// Unknown secrets are refused; a token the API does not know fails the event.
	if _, err := s.Receive(ctx, Callback{Secret: "nope", Body: []byte("notification=x")}); !errors.Is(err, ErrUnknownHook) {
		t.Fatalf("unknown secret: %v", err)
	}
	s.Receive(ctx, Callback{Secret: secret, Body: []byte("notification=unknown"), ContentType: "application/x-www-form-urlencoded"})
	s.ProcessDue(ctx)
	events, _, _ = s.Events(ctx, merchant, 0, "", 0)
	if events[0].State != db.EventFailed {
		t.Fatalf("unknown token event state %s", events[0].State)
	}
	// Reprocess makes it due again.
	if err := s.Reprocess(ctx, merchant, events[0].ID); err != nil {
		t.Fatal(err)
	}
	_ = d
}

func TestReconcileFixesAStatusWhoseCallbackWasLost(t *testing.T) {
	ctx := context.Background()
	s, api, _, merchant, _ := newService(t)
	id, _ := s.CreateLink(ctx, merchant, validLink(t))
	det, _ := s.Get(ctx, merchant, id)
	api.charges[det.Charge.EfiChargeID].Status = "paid"
	s.cfg.Now = func() time.Time { return time.Now().Add(time.Hour) }
	n, err := s.Reconcile(ctx, 10*time.Minute, 100)
	if err != nil || n != 1 {
		t.Fatalf("reconcile: %d %v", n, err)
	}
	det, _ = s.Get(ctx, merchant, id)
	if det.Charge.Status != "paid" {
		t.Fatalf("status after reconcile %s", det.Charge.Status)
	}
	if n, _ := s.Reconcile(ctx, 10*time.Minute, 100); n != 0 {
		t.Fatalf("a paid charge is still reconciled (%d)", n)
	}
}

func TestCSVExport(t *testing.T) {
	ctx := context.Background()
	s, _, _, merchant, other := newService(t)
	l := validLink(t)
	l.CustomID = "=HYPERLINK(\"x\")"
	s.CreateLink(ctx, merchant, l)
	s.CreateLink(ctx, other, validLink(t))
	var b strings.Builder
	if err := s.ExportCSV(ctx, merchant, Filter{Kind: db.KindLink}, &b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "id,efi_charge_id,kind,status,total_brl") {
		t.Fatalf("csv:\n%s", b.String())
	}
	if !strings.Contains(lines[1], ",144.80,") || !strings.Contains(lines[1], `"'=HYPERLINK(""x"")"`) {
		t.Fatalf("row: %s", lines[1])
	}
	b.Reset()
	staff := services.Actor{Role: services.RoleStaff}
	s.ExportCSV(ctx, staff, Filter{}, &b)
	if n := len(strings.Split(strings.TrimSpace(b.String()), "\n")); n != 3 || !strings.HasPrefix(b.String(), "organisation,") {
		t.Fatalf("staff csv:\n%s", b.String())
	}
}

func TestPartnerCannotReadCharges(t *testing.T) {
	ctx := context.Background()
	s, _, _, merchant, _ := newService(t)
	id, _ := s.CreateLink(ctx, merchant, validLink(t))
	partner := services.Actor{OrgID: merchant.OrgID, Role: services.RolePartner}
	if _, err := s.Get(ctx, partner, id); !errors.Is(err, services.ErrForbidden) {
		t.Fatalf("partner read a charge: %v", err)
	}
	if _, err := s.CreateLink(ctx, partner, validLink(t)); !errors.Is(err, services.ErrForbidden) {
		t.Fatalf("partner created a link: %v", err)
	}
}
