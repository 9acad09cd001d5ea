package efi

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// fakeAPI counts token and API calls and answers what the test says.
type fakeAPI struct {
	tokens  atomic.Int32
	calls   atomic.Int32
	ttl     int
	handler func(w http.ResponseWriter, r *http.Request)
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/authorize") || strings.HasSuffix(r.URL.Path, "/oauth/token") {
		f.tokens.Add(1)
		id, secret, _ := r.BasicAuth()
		body, _ := io.ReadAll(r.Body)
		if id != "id" || secret != "secret" || r.Header.Get("Content-Type") != "application/json" || !strings.Contains(string(body), `"grant_type":"client_credentials"`) {
			w.WriteHeader(401)
			io.WriteString(w, `{"error":"invalid_client","error_description":"bad credentials"}`)
			return
		}
		ttl := f.ttl
		if ttl == 0 {
			ttl = 600
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"tok`+itoa(int(f.tokens.Load()))+`","token_type":"Bearer","expires_in":`+itoa(ttl)+`,"scope":"gn.barcode.read payment.webhook.read"}`)
		return
	}
	f.calls.Add(1)
	f.handler(w, r)
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }

func newFake(t testing.TB, h func(w http.ResponseWriter, r *http.Request)) (*fakeAPI, *Client) {
	t.Helper()
	f := &fakeAPI{handler: h}
	ts := httptest.NewServer(f)
	t.Cleanup(ts.Close)
	urls := SandboxBaseURLs(ts.URL)
	c, err := New(Config{BaseURLs: &urls, ClientID: "id", ClientSecret: "secret", RetryWait: time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return f, c
}

func TestErrorShapes(t *testing.T) {
	tests := []struct {
		name              string
		status            int
		body              string
		code              int
		slug, field, desc string
		msgPT             string
	}{
		{"charges with property", 400, `{"code":3500034,"error":"validation_error","error_description":{"property":"/items/0/value","message":"Valor inválido."}}`,
			3500034, "validation_error", "items[0].value", "Valor inválido.", "Valor inválido."},
		{"charges with string", 400, `{"code":3500043,"error":"invalid_status","error_description":"Apenas transações..."}`,
			3500043, "invalid_status", "", "Apenas transações...", "Esta cobrança não pode mais ser cancelada"},
		{"charges nested settings field", 400, `{"code":4600007,"error":"invalid_expire_at","error_description":{"property":"/settings/expire_at","message":"x"}}`,
			4600007, "invalid_expire_at", "settings.expire_at", "x", "A data de vencimento deve ser hoje ou uma data futura."},
		{"nome mensagem", 422, `{"nome":"conta_ja_existe","mensagem":"Já existe uma conta para este documento."}`,
			0, "conta_ja_existe", "", "Já existe uma conta para este documento.", "Já existe uma conta para este documento."},
		{"rfc 7807", 400, `{"type":"https://pix.bcb.gov.br/api/v2/error/CobOperacaoInvalida","title":"Cobrança inválida.","status":400,"detail":"A requisição não respeita o schema.","violacoes":[{"razao":"O campo valor.original é obrigatório","propriedade":"valor.original"}]}`,
			0, "Cobrança inválida.", "valor.original", "O campo valor.original é obrigatório", "O campo valor.original é obrigatório"},
		{"oauth scope", 403, `{"error":"insufficient_scope","error_description":"Access token has insufficient scope"}`,
			0, "insufficient_scope", "", "Access token has insufficient scope", "A aplicação Efí não tem a permissão"},
		{"pagamentos legacy", 400, `{"error":"codigo_barras_invalido","message":"Código de barras inválido"}`,
			0, "codigo_barras_invalido", "", "Código de barras inválido", "Código de barras inválido"},
		{"not json", 502, `<html>bad gateway</html>`, 0, "", "", "<html>bad gateway</html>", "A Efí está com instabilidade"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := decodeError(tt.status, []byte(tt.body))
			if e.Status != tt.status || e.Code != tt.code || e.Slug != tt.slug || e.Field() != tt.field || e.Description != tt.desc {
				t.Fatalf("got %+v field %q", e, e.Field())
			}
			if !strings.HasPrefix(e.Message("pt-BR"), tt.msgPT) {
				t.Fatalf("message %q", e.Message("pt-BR"))
			}
			if e.Message("en") == "" {
				t.Fatal("no English message")
			}
		})
	}
}

func TestHundredConcurrentCallsShareOneToken(t *testing.T) {
	f, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"code":200,"data":{"charge_id":1,"status":"waiting","total":1000}}`)
	})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.DetailCharge(context.Background(), 1); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := f.tokens.Load(); n != 1 {
		t.Fatalf("%d token requests for 100 concurrent calls, want 1", n)
	}
}

func TestTokenRefreshedOnExpiryAndOn401(t *testing.T) {
	var seen []string
	var mu sync.Mutex
	f, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		first := len(seen) == 2
		mu.Unlock()
		if first {
			// The API revoked the token early: 401 once.
			w.WriteHeader(401)
			io.WriteString(w, `{"code":3500003,"error":"authorization_error","error_description":"expirado"}`)
			return
		}
		io.WriteString(w, `{"code":200}`)
	})
	f.ttl = 30 // within the 30 s margin at once: every call needs a new token
	ctx := context.Background()
	if err := c.CancelCharge(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := c.CancelCharge(ctx, 1); err != nil {
		t.Fatalf("a 401 must trigger one refresh and one retry: %v", err)
	}
	if f.tokens.Load() < 3 || f.calls.Load() != 3 {
		t.Fatalf("tokens %d calls %d", f.tokens.Load(), f.calls.Load())
	}
	mu.Lock()
	defer mu.Unlock()
	if seen[1] == seen[2] {
		t.Fatal("the retry after a 401 used the refused token")
	}
}

func TestBadCredentialsAreNotRetried(t *testing.T) {
	f := &fakeAPI{handler: func(w http.ResponseWriter, r *http.Request) {}}
	ts := httptest.NewServer(f)
	defer ts.Close()
	urls := SandboxBaseURLs(ts.URL)
	c, _ := New(Config{BaseURLs: &urls, ClientID: "id", ClientSecret: "wrong", RetryWait: time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
	_, err := c.DetailCharge(context.Background(), 1)
	var e *Error
	if !errors.As(err, &e) || e.Status != 401 || !strings.Contains(e.Message("pt-BR"), "credenciais") {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Fatal("the secret leaked into the error")
	}
	if f.calls.Load() != 0 {
		t.Fatal("an API call was made without a token")
	}
}

func TestRetryRules(t *testing.T) {
	t.Run("GET retried on 503", func(t *testing.T) {
		f, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(503)
			io.WriteString(w, `{"code":3500000,"error":"internal","error_description":"x"}`)
		})
		c.DetailCharge(context.Background(), 1)
		if n := f.calls.Load(); n != 3 {
			t.Fatalf("%d calls, want 1 + 2 retries", n)
		}
	})
	t.Run("POST not repeated after the server received it", func(t *testing.T) {
		f, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(500)
			io.WriteString(w, `{"code":3500000,"error":"internal","error_description":"x"}`)
		})
		_, err := c.CreateOneStepLink(context.Background(), OneStepLinkRequest{Items: []Item{{Name: "x", Value: 1000}}})
		if err == nil || f.calls.Load() != 1 {
			t.Fatalf("calls %d, err %v", f.calls.Load(), err)
		}
	})
	t.Run("timeout is its own kind", func(t *testing.T) {
		f, c := newFake(t, func(w http.ResponseWriter, r *http.Request) { time.Sleep(300 * time.Millisecond) })
		c.cfg.Timeout = 50 * time.Millisecond
		_, err := c.CreateOneStepLink(context.Background(), OneStepLinkRequest{Items: []Item{{Name: "x", Value: 1000}}})
		if !errors.Is(err, ErrTimeout) || f.calls.Load() != 1 {
			t.Fatalf("err %v calls %d", err, f.calls.Load())
		}
	})
	t.Run("POST retried when the connection was refused", func(t *testing.T) {
		urls := SandboxBaseURLs("http://127.0.0.1:1")
		c, _ := New(Config{BaseURLs: &urls, ClientID: "id", ClientSecret: "secret", RetryWait: time.Millisecond, Logger: slog.New(slog.DiscardHandler)})
		_, err := c.CreateCharge(context.Background(), CreateChargeRequest{})
		if !errors.Is(err, ErrNetwork) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestScopes(t *testing.T) {
	_, c := newFake(t, func(w http.ResponseWriter, r *http.Request) {})
	ok, failed := c.Scopes(context.Background(), Payments, Charges)
	if len(failed) != 0 || strings.Join(ok[Payments], " ") != "gn.barcode.read payment.webhook.read" {
		t.Fatalf("scopes %v failed %v", ok, failed)
	}
}

// selfSigned makes a certificate and key for the mTLS tests.
func selfSigned(t *testing.T, cn string) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth}, DNSNames: []string{"127.0.0.1"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return cert, key
}

func TestMutualTLS(t *testing.T) {
	cert, key := selfSigned(t, "merchant-123")
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	var seenCN atomic.Value
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seenCN.Store(r.TLS.PeerCertificates[0].Subject.CommonName)
		io.WriteString(w, `{"access_token":"t","token_type":"Bearer","expires_in":3600,"scope":"gn.barcode.read"}`)
	}))
	ts.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	ts.StartTLS()
	defer ts.Close()
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	p12, err := pkcs12.Modern.Encode(key, cert, nil, "senha")
	if err != nil {
		t.Fatal(err)
	}
	for name, cfg := range map[string]Config{
		"pem": {CertPEM: certPEM, KeyPEM: keyPEM},
		"p12": {P12: p12, P12Password: "senha"},
	} {
		t.Run(name, func(t *testing.T) {
			urls := SandboxBaseURLs(ts.URL)
			cfg.BaseURLs, cfg.ClientID, cfg.ClientSecret = &urls, "id", "secret"
			c, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			tr := c.http.Transport.(*http.Transport)
			tr.TLSClientConfig.RootCAs = ts.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
			ok, failed := c.Scopes(context.Background(), Payments)
			if len(failed) != 0 || ok[Payments][0] != "gn.barcode.read" || seenCN.Load() != "merchant-123" {
				t.Fatalf("ok %v failed %v cn %v", ok, failed, seenCN.Load())
			}
			if tr.TLSClientConfig.MinVersion != tls.VersionTLS12 {
				t.Fatal("TLS 1.2 minimum not set")
			}
		})
	}
	t.Run("without a certificate the handshake fails", func(t *testing.T) {
		urls := SandboxBaseURLs(ts.URL)
		c, _ := New(Config{BaseURLs: &urls, ClientID: "id", ClientSecret: "secret"})
		c.http.Transport.(*http.Transport).TLSClientConfig.RootCAs = ts.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
		if _, failed := c.Scopes(context.Background(), Payments); failed[Payments] == nil {
			t.Fatal("a call without the client certificate succeeded")
		}
	})
	if _, err := New(Config{ClientID: "a", ClientSecret: "b", P12: p12, P12Password: "wrong"}); err == nil {
		t.Fatal("a .p12 with the wrong password was accepted")
	}
}

// BenchmarkDetailCharge measures HTTP round trips per call once a token
// is held (1: the token is reused) and allocations per call.
func BenchmarkDetailCharge(b *testing.B) {
	var trips atomic.Int64
	f := &fakeAPI{handler: func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"code":200,"data":{"charge_id":1,"status":"paid","total":1000,"items":[{"name":"x","value":1000,"amount":1}],"history":[]}}`)
	}}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { trips.Add(1); f.ServeHTTP(w, r) }))
	defer ts.Close()
	urls := SandboxBaseURLs(ts.URL)
	c, _ := New(Config{BaseURLs: &urls, ClientID: "id", ClientSecret: "secret"})
	ctx := context.Background()
	c.DetailCharge(ctx, 1) // take the token
	trips.Store(0)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.DetailCharge(ctx, 1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(trips.Load())/float64(b.N), "roundtrips/op")
}
