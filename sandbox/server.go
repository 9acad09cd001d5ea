// Package sandbox is a stateful emulator of the Efí Bank APIs: the same
// routes, JSON shapes, statuses and error bodies as the real Cobranças API
// (charges, payment links, notifications, installments), with OAuth2
// client credentials and scopes, a controllable clock, callbacks with
// retries, a hosted payment page and controls for tests and demos. The
// portal runs it in-process and reaches it over HTTP on loopback, exactly
// as it reaches the real API; cmd/efi-sandbox runs it alone.
//
// Each family lives under a prefix that mirrors its real base URL:
// /cobrancas/v1/..., /abrircontas/v1/..., /pagarcontas/v1/..., /pix/...
package sandbox

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Default credentials of the sandbox's one application.
const (
	DefaultClientID     = "Client_Id_sandbox_portal_efi"
	DefaultClientSecret = "Client_Secret_sandbox_portal_efi"
)

// Config configures a sandbox. The zero value works: in-memory state,
// default credentials, real token lifetimes and retry schedule.
type Config struct {
	// DBPath is the SQLite file the state persists in; "" keeps it in memory.
	DBPath string
	// ClientID and ClientSecret are the application's credentials.
	ClientID     string
	ClientSecret string
	// ChargesTokenTTL is the charges token lifetime (600 s at Efí).
	ChargesTokenTTL time.Duration
	// OtherTokenTTL is the other families' token lifetime (3600 s at Efí).
	OtherTokenTTL time.Duration
	// Scopes, when set, limits the scopes granted (tests of insufficient_scope).
	Scopes []string
	// DailyQuota is the requests per endpoint and day (15,000 at Efí).
	DailyQuota int
	// PublicURL is where people and clients reach the sandbox; payment
	// URLs point there.
	PublicURL string
	// CallbackRetryDelays is the wait before each retry of a failed
	// callback (Efí: 5, 10, 20... minutes).
	CallbackRetryDelays []time.Duration
	// CallbackTimeout bounds one callback POST (60 s).
	CallbackTimeout time.Duration
	// HTTPClient sends callbacks.
	HTTPClient *http.Client
	// Logger receives the sandbox's log.
	Logger *slog.Logger
	// RequireMTLS makes the families that need a client certificate at Efí
	// (Abertura de Contas, Pagamentos, Pix) refuse a call without one;
	// serve with TLSConfig. x-skip-mtls-checking: true is tolerated.
	RequireMTLS bool
}

// TLSConfig is what a TLS listener of the sandbox needs to see client
// certificates: it asks for one and accepts any (the sandbox has no CA).
func TLSConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{cert}, ClientAuth: tls.RequestClientCert, MinVersion: tls.VersionTLS12}
}

// mtlsOK reports whether a call to a certificate-bound family may go on.
func (s *Server) mtlsOK(f family, r *http.Request) bool {
	if !s.cfg.RequireMTLS || f == famCharges || r.Header.Get("x-skip-mtls-checking") == "true" {
		return true
	}
	return r.TLS != nil && len(r.TLS.PeerCertificates) > 0
}

func refuseNoCert(w http.ResponseWriter) {
	writeJSON(w, http.StatusUnauthorized, map[string]string{"nome": "certificado_ausente", "mensagem": "Esta API exige o certificado da conta (mTLS)."})
}

// Server is a running sandbox.
type Server struct {
	cfg   Config
	store *store
	mux   *http.ServeMux
	log   *slog.Logger

	mu        sync.Mutex
	publicURL string
	offset    time.Duration // the clock's advance over real time
	seq       map[string]int64
	charges   map[int64]*charge
	plans     map[int64]*plan
	carnets   map[int64]*carnet
	subs      map[int64]*subscription
	pixHooks  map[string]*pixWebhook
	accounts  map[string]*account
	accHooks  map[string]*accountWebhook
	bills     map[string]*billPayment
	billHooks map[string]*billWebhook
	lookedUp  map[string]bool

	jsonCallbacks []*jsonDelivery
	deliveries    []deliveryRecord
	fetched       map[string]time.Time
	tokens        map[string]*notifToken
	oauth         map[string]accessToken
	quota         map[string]int // "day|route" -> count
	failures      map[string]*injection
	requests      []requestRecord
	callbacks     []*delivery
	wake          chan struct{}
}

// New opens (or creates) the sandbox's state and builds its routes.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.ClientID == "" {
		cfg.ClientID = DefaultClientID
	}
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = DefaultClientSecret
	}
	if cfg.ChargesTokenTTL == 0 {
		cfg.ChargesTokenTTL = 600 * time.Second
	}
	if cfg.OtherTokenTTL == 0 {
		cfg.OtherTokenTTL = 3600 * time.Second
	}
	if cfg.DailyQuota == 0 {
		cfg.DailyQuota = 15000
	}
	if cfg.CallbackRetryDelays == nil {
		for _, m := range []int{5, 10, 20, 40, 80, 160, 320, 640, 1280, 52560} {
			cfg.CallbackRetryDelays = append(cfg.CallbackRetryDelays, time.Duration(m)*time.Minute)
		}
	}
	if cfg.CallbackTimeout == 0 {
		cfg.CallbackTimeout = 60 * time.Second
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	st, err := openStore(ctx, cfg.DBPath)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, store: st, log: cfg.Logger.With("component", "efi-sandbox"),
		publicURL: strings.TrimRight(cfg.PublicURL, "/"),
		seq:       map[string]int64{}, charges: map[int64]*charge{}, tokens: map[string]*notifToken{},
		plans: map[int64]*plan{}, carnets: map[int64]*carnet{}, subs: map[int64]*subscription{}, pixHooks: map[string]*pixWebhook{},
		accounts: map[string]*account{}, accHooks: map[string]*accountWebhook{},
		fetched: map[string]time.Time{},
		bills:   map[string]*billPayment{}, billHooks: map[string]*billWebhook{}, lookedUp: map[string]bool{},
		oauth: map[string]accessToken{}, quota: map[string]int{}, failures: map[string]*injection{},
		wake: make(chan struct{}, 1),
	}
	if err := s.load(ctx); err != nil {
		st.close()
		return nil, err
	}
	s.routes()
	return s, nil
}

// load reads the persisted state.
func (s *Server) load(ctx context.Context) error {
	err := s.store.each(ctx, "meta", func(id string, data []byte) error {
		switch id {
		case "seq":
			return json.Unmarshal(data, &s.seq)
		case "clock":
			var ns int64
			if err := json.Unmarshal(data, &ns); err != nil {
				return err
			}
			s.offset = time.Duration(ns)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("load sandbox state: %w", err)
	}
	if err := s.store.each(ctx, "charge", func(id string, data []byte) error {
		var c charge
		if err := json.Unmarshal(data, &c); err != nil {
			return err
		}
		s.charges[c.ID] = &c
		return nil
	}); err != nil {
		return fmt.Errorf("load charges: %w", err)
	}
	if err := s.store.each(ctx, "plan", func(id string, data []byte) error {
		var p plan
		if err := json.Unmarshal(data, &p); err != nil {
			return err
		}
		s.plans[p.ID] = &p
		return nil
	}); err != nil {
		return err
	}
	if err := s.store.each(ctx, "carnet", func(id string, data []byte) error {
		var k carnet
		if err := json.Unmarshal(data, &k); err != nil {
			return err
		}
		s.carnets[k.ID] = &k
		return nil
	}); err != nil {
		return err
	}
	if err := s.store.each(ctx, "subscription", func(id string, data []byte) error {
		var sub subscription
		if err := json.Unmarshal(data, &sub); err != nil {
			return err
		}
		s.subs[sub.ID] = &sub
		return nil
	}); err != nil {
		return err
	}
	if err := s.store.each(ctx, "billpayment", func(id string, data []byte) error {
		var p billPayment
		if err := json.Unmarshal(data, &p); err != nil {
			return err
		}
		s.bills[id] = &p
		return nil
	}); err != nil {
		return err
	}
	if err := s.store.each(ctx, "billwebhook", func(id string, data []byte) error {
		var h billWebhook
		if err := json.Unmarshal(data, &h); err != nil {
			return err
		}
		s.billHooks[id] = &h
		return nil
	}); err != nil {
		return err
	}
	if err := s.store.each(ctx, "account", func(id string, data []byte) error {
		var a account
		if err := json.Unmarshal(data, &a); err != nil {
			return err
		}
		s.accounts[id] = &a
		return nil
	}); err != nil {
		return err
	}
	if err := s.store.each(ctx, "accwebhook", func(id string, data []byte) error {
		var h accountWebhook
		if err := json.Unmarshal(data, &h); err != nil {
			return err
		}
		s.accHooks[id] = &h
		return nil
	}); err != nil {
		return err
	}
	if err := s.store.each(ctx, "pixwebhook", func(id string, data []byte) error {
		var h pixWebhook
		if err := json.Unmarshal(data, &h); err != nil {
			return err
		}
		s.pixHooks[id] = &h
		return nil
	}); err != nil {
		return err
	}
	return s.store.each(ctx, "token", func(id string, data []byte) error {
		var t notifToken
		if err := json.Unmarshal(data, &t); err != nil {
			return err
		}
		s.tokens[id] = &t
		return nil
	})
}

// Handler serves the sandbox's routes.
func (s *Server) Handler() http.Handler { return s.mux }

// SetPublicURL tells the sandbox where it is reachable (the embedding
// portal learns its port only after listening).
func (s *Server) SetPublicURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.publicURL = strings.TrimRight(u, "/")
}

// Close releases the state file.
func (s *Server) Close() error { return s.store.close() }

// Run delivers callbacks until ctx ends.
func (s *Server) Run(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		s.mu.Lock()
		s.sweep()
		s.mu.Unlock()
		s.deliverDue(ctx)
		s.deliverJSON(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
	}
}

// now is the sandbox clock: real time plus the advance set by the controls.
func (s *Server) now() time.Time {
	return time.Now().Add(s.offset).In(saoPaulo)
}

// nextID draws the next number of a sequence (caller holds mu).
func (s *Server) nextID(name string, start int64) int64 {
	if s.seq[name] < start {
		s.seq[name] = start
	}
	s.seq[name]++
	s.store.put("meta", "seq", s.seq)
	return s.seq[name]
}

var saoPaulo = func() *time.Location {
	if l, err := time.LoadLocation("America/Sao_Paulo"); err == nil {
		return l
	}
	return time.FixedZone("BRT", -3*3600)
}()

const (
	tsLayout   = "2006-01-02 15:04:05"
	dateLayout = "2006-01-02"
)

// requestRecord is one line of the request history.
type requestRecord struct {
	At       time.Time     `json:"at"`
	Method   string        `json:"method"`
	Route    string        `json:"route"`
	Path     string        `json:"path"`
	Status   int           `json:"status"`
	Duration time.Duration `json:"duration_ns"`
}

// injection makes the next N calls of a route fail.
type injection struct {
	Remaining int    `json:"remaining"`
	Mode      string `json:"mode"` // "500" or "timeout"
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// api wraps an API route: request history, failure injection, daily
// quota, then OAuth scope check.
func (s *Server) api(f family, scope string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: 200}
		route := r.Pattern
		defer func() {
			s.mu.Lock()
			s.requests = append(s.requests, requestRecord{At: s.now(), Method: r.Method, Route: route, Path: r.URL.Path, Status: sw.status, Duration: time.Since(start)})
			if len(s.requests) > 2000 {
				s.requests = s.requests[len(s.requests)-2000:]
			}
			s.mu.Unlock()
		}()
		if !s.mtlsOK(f, r) {
			sw.status = http.StatusUnauthorized
			refuseNoCert(sw)
			return
		}
		if !s.countQuota(route) {
			writeFamilyError(sw, f, 429, 3500049, "rate_limit", "limite_excedido", "O limite de consumo para este endpoint foi excedido")
			return
		}
		if mode := s.takeFailure(route); mode != "" {
			if mode == "timeout" {
				select {
				case <-r.Context().Done():
				case <-time.After(2 * time.Minute):
				}
				sw.status = 504
				return
			}
			writeFamilyError(sw, f, 500, 3500000, "internal_server_error", "erro_interno", "Erro interno do servidor")
			return
		}
		if !s.authorize(sw, r, f, scope) {
			return
		}
		h(sw, r)
	}
}

func (s *Server) takeFailure(route string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	inj := s.failures[route]
	if inj == nil || inj.Remaining <= 0 {
		return ""
	}
	inj.Remaining--
	return inj.Mode
}

func (s *Server) countQuota(route string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := s.now().Format(dateLayout) + "|" + route
	if s.quota[key] >= s.cfg.DailyQuota {
		return false
	}
	s.quota[key]++
	return true
}

func pathID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}

// routes registers every route.
func (s *Server) routes() {
	m := http.NewServeMux()
	s.mux = m
	// OAuth, one token route per family.
	m.HandleFunc("POST /cobrancas/v1/authorize", s.tokenHandler(famCharges))
	m.HandleFunc("POST /abrircontas/v1/oauth/token", s.tokenHandler(famAccounts))
	m.HandleFunc("POST /pagarcontas/v1/oauth/token", s.tokenHandler(famPayments))
	m.HandleFunc("POST /pix/oauth/token", s.tokenHandler(famPix))

	c := func(pattern, scope string, h http.HandlerFunc) { m.HandleFunc(pattern, s.api(famCharges, scope, h)) }
	c("POST /cobrancas/v1/charge", "charge", s.createCharge)
	c("POST /cobrancas/v1/charge/one-step", "charge", s.createOneStep)
	c("POST /cobrancas/v1/charge/{id}/pay", "charge", s.payCharge)
	c("GET /cobrancas/v1/charge/{id}", "charge", s.detailCharge)
	c("GET /cobrancas/v1/charges", "charge", s.listCharges)
	c("PUT /cobrancas/v1/charge/{id}/metadata", "charge", s.updateMetadata)
	c("PUT /cobrancas/v1/charge/{id}/billet", "charge", s.updateBillet)
	c("PUT /cobrancas/v1/charge/{id}/cancel", "charge", s.cancelCharge)
	c("PUT /cobrancas/v1/charge/{id}/settle", "charge", s.settleCharge)
	c("POST /cobrancas/v1/charge/{id}/history", "charge", s.addHistory)
	c("POST /cobrancas/v1/charge/{id}/billet/resend", "charge", s.resendBillet)
	c("POST /cobrancas/v1/charge/one-step/link", "charge", s.createOneStepLink)
	c("POST /cobrancas/v1/charge/{id}/link", "charge", s.defineLink)
	c("PUT /cobrancas/v1/charge/{id}/link", "charge", s.updateLink)
	c("POST /cobrancas/v1/charge/{id}/link/resend", "charge", s.resendLink)
	c("GET /cobrancas/v1/installments", "charge", s.installments)
	c("POST /cobrancas/v1/charge/card/{id}/refund", "charge", s.refundCard)
	c("POST /cobrancas/v1/charge/{id}/retry", "charge", s.retryCard)
	c("GET /cobrancas/v1/notification/{token}", "charge", s.getNotification)
	c("POST /cobrancas/v1/carnet", "charge", s.createCarnet)
	c("GET /cobrancas/v1/carnet/{id}", "charge", s.detailCarnet)
	c("PUT /cobrancas/v1/carnet/{id}/metadata", "charge", s.carnetMetadata)
	c("PUT /cobrancas/v1/carnet/{id}/parcel/{parcel}", "charge", s.carnetParcelDate)
	c("PUT /cobrancas/v1/carnet/{id}/parcels", "charge", s.carnetParcelsDates)
	c("PUT /cobrancas/v1/carnet/{id}/cancel", "charge", s.cancelCarnet)
	c("PUT /cobrancas/v1/carnet/{id}/parcel/{parcel}/cancel", "charge", s.cancelCarnetParcel)
	c("PUT /cobrancas/v1/carnet/{id}/settle", "charge", s.settleCarnet)
	c("PUT /cobrancas/v1/carnet/{id}/parcel/{parcel}/settle", "charge", s.settleCarnetParcel)
	c("POST /cobrancas/v1/carnet/{id}/resend", "charge", s.resendCarnet)
	c("POST /cobrancas/v1/carnet/{id}/parcel/{parcel}/resend", "charge", s.resendCarnetParcel)
	c("POST /cobrancas/v1/carnet/{id}/history", "charge", s.carnetHistory)
	c("POST /cobrancas/v1/plan", "charge", s.createPlan)
	c("GET /cobrancas/v1/plans", "charge", s.listPlans)
	c("PUT /cobrancas/v1/plan/{id}", "charge", s.updatePlan)
	c("DELETE /cobrancas/v1/plan/{id}", "charge", s.deletePlan)
	c("POST /cobrancas/v1/plan/{id}/subscription", "charge", s.createSubscription)
	c("POST /cobrancas/v1/plan/{id}/subscription/one-step", "charge", s.createOneStepSubscription)
	c("POST /cobrancas/v1/plan/{id}/subscription/one-step/link", "charge", s.createOneStepSubscriptionLink)
	c("GET /cobrancas/v1/subscription/{id}", "charge", s.detailSubscription)
	c("POST /cobrancas/v1/subscription/{id}/pay", "charge", s.paySubscription)
	c("PUT /cobrancas/v1/subscription/{id}/cancel", "charge", s.cancelSubscription)
	c("PUT /cobrancas/v1/subscription/{id}", "charge", s.updateSubscription)
	c("POST /cobrancas/v1/charge/{id}/subscription/resend", "charge", s.resendSubscriptionLink)
	c("PUT /cobrancas/v1/subscription/{id}/metadata", "charge", s.subscriptionMetadata)
	c("POST /cobrancas/v1/subscription/{id}/history", "charge", s.subscriptionHistory)

	ac := func(pattern, scope string, h http.HandlerFunc) { m.HandleFunc(pattern, s.api(famAccounts, scope, h)) }
	ac("POST /abrircontas/v1/conta-simplificada", "gn.registration.write", s.requestAccount)
	ac("GET /abrircontas/v1/conta-simplificada/{id}/credenciais", "gn.registration.read", s.accountCredentials)
	ac("POST /abrircontas/v1/conta-simplificada/{id}/certificado", "gn.registration.read", s.accountCertificate)
	ac("GET /abrircontas/v1/conta-simplificada/{id}/certificado", "gn.registration.read", s.accountCertificate)
	ac("POST /abrircontas/v1/webhook", "gn.registration.webhook.write", s.configureAccountWebhook)
	ac("GET /abrircontas/v1/webhook/{id}", "gn.registration.webhook.read", s.detailAccountWebhook)
	ac("GET /abrircontas/v1/webhooks", "gn.registration.webhook.read", s.listAccountWebhooks)
	ac("DELETE /abrircontas/v1/webhook/{id}", "gn.registration.webhook.write", s.deleteAccountWebhook)
	m.HandleFunc("POST /_sandbox/api/accounts/{id}/{decision}", s.apiDecideAccount)

	pg := func(pattern, scope string, h http.HandlerFunc) { m.HandleFunc(pattern, s.api(famPayments, scope, h)) }
	pg("GET /pagarcontas/v1/codBarras/{codBarras}", "gn.barcode.read", s.detailBarcode)
	pg("POST /pagarcontas/v1/codBarras/{codBarras}", "gn.barcode.pay.write", s.payBarcode)
	pg("GET /pagarcontas/v1/resumo", "gn.barcode.pay.read", s.billSummary)
	pg("PUT /pagarcontas/v1/webhook", "payment.webhook.write", s.putBillWebhook)
	pg("GET /pagarcontas/v1/webhook", "payment.webhook.read", s.listBillWebhooks)
	pg("DELETE /pagarcontas/v1/webhook", "payment.webhook.write", s.deleteBillWebhook)
	pg("GET /pagarcontas/v1/{idPagamento}", "gn.barcode.pay.read", s.detailBill)

	px := func(pattern, scope string, h http.HandlerFunc) { m.HandleFunc(pattern, s.api(famPix, scope, h)) }
	px("PUT /pix/v2/webhook/{chave}", "webhook.write", s.putPixWebhook)
	px("GET /pix/v2/webhook/{chave}", "webhook.read", s.getPixWebhook)
	px("GET /pix/v2/webhook", "webhook.read", s.listPixWebhooks)
	px("DELETE /pix/v2/webhook/{chave}", "webhook.write", s.deletePixWebhook)

	// The hosted payment page and the controls: outside the API's routes.
	m.HandleFunc("GET /pay/{code}", s.payPage)
	m.HandleFunc("POST /pay/{code}", s.payPageSubmit)
	m.HandleFunc("GET /_sandbox/", s.controlsPage)
	m.HandleFunc("POST /_sandbox/", s.controlsSubmit)
	m.HandleFunc("GET /_sandbox/api/requests", s.apiRequests)
	m.HandleFunc("POST /_sandbox/api/charges/{id}/{action}", s.apiChargeAction)
	m.HandleFunc("POST /_sandbox/api/clock/advance", s.apiAdvanceClock)
	m.HandleFunc("POST /_sandbox/api/failures", s.apiInjectFailure)
	m.HandleFunc("GET /_sandbox/api/charges", s.apiListCharges)
	m.HandleFunc("GET /_sandbox/api/deliveries", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, s.Deliveries()) })
	m.HandleFunc("GET /_sandbox/accounts/{id}", s.approvalPage)
	m.HandleFunc("POST /_sandbox/accounts/{id}", s.approvalSubmit)
}
