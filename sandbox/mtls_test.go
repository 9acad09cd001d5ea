package sandbox

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func selfSignedPair(t *testing.T, cn string) tls.Certificate {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: nil, DNSNames: []string{"127.0.0.1"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestRequireMTLS(t *testing.T) {
	sb, err := New(context.Background(), Config{RequireMTLS: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	ts := httptest.NewUnstartedServer(sb.Handler())
	ts.TLS = TLSConfig(selfSignedPair(t, "sandbox"))
	ts.StartTLS()
	defer ts.Close()
	tokenStatus := func(path string, withCert bool, skip bool) int {
		tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}
		if withCert {
			tr.TLSClientConfig.Certificates = []tls.Certificate{selfSignedPair(t, "merchant")}
		}
		req, _ := http.NewRequest("POST", ts.URL+path, strings.NewReader(`{"grant_type":"client_credentials"}`))
		req.SetBasicAuth(DefaultClientID, DefaultClientSecret)
		req.Header.Set("Content-Type", "application/json")
		if skip {
			req.Header.Set("x-skip-mtls-checking", "true")
		}
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := tokenStatus("/pagarcontas/v1/oauth/token", false, false); st != 401 {
		t.Fatalf("Pagamentos without a certificate: %d", st)
	}
	if st := tokenStatus("/pagarcontas/v1/oauth/token", true, false); st != 200 {
		t.Fatalf("Pagamentos with a certificate: %d", st)
	}
	if st := tokenStatus("/pix/oauth/token", false, true); st != 200 {
		t.Fatalf("x-skip-mtls-checking not tolerated: %d", st)
	}
	if st := tokenStatus("/cobrancas/v1/authorize", false, false); st != 200 {
		t.Fatalf("Cobranças needs no certificate: %d", st)
	}
}
