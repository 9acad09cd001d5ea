// Package efi is the portal's typed client of the Efí Bank APIs: one
// method per endpoint, OAuth2 client-credentials tokens reused per family
// until shortly before they expire, mutual TLS where the family needs it,
// retries only where a repeat cannot create a second charge, and one error
// type that gives a merchant a readable sentence. It works unchanged
// against production, homologation and the portal's sandbox: only the
// base URLs differ.
package efi

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// Family is one Efí API family, each with its own host and token.
type Family string

// The four families the portal uses.
const (
	Charges  Family = "charges"
	Accounts Family = "accounts"
	Payments Family = "payments"
	Pix      Family = "pix"
)

// Environments.
const (
	Production   = "production"
	Homologation = "homologation"
)

// BaseURLs are the roots each family's routes are appended to.
type BaseURLs struct {
	Charges  string
	Accounts string
	Payments string
	Pix      string
}

// ProductionURLs and HomologationURLs are the current Efí hosts.
var (
	ProductionURLs = BaseURLs{
		Charges:  "https://cobrancas.api.efipay.com.br",
		Accounts: "https://abrircontas.api.efipay.com.br/v1",
		Payments: "https://pagarcontas.api.efipay.com.br/v1",
		Pix:      "https://pix.api.efipay.com.br",
	}
	HomologationURLs = BaseURLs{
		Charges:  "https://cobrancas-h.api.efipay.com.br",
		Accounts: "https://abrircontas-h.api.efipay.com.br/v1",
		Payments: "https://pagarcontas-h.api.efipay.com.br/v1",
		Pix:      "https://pix-h.api.efipay.com.br",
	}
)

// SandboxBaseURLs are the bases of the portal's sandbox at root.
func SandboxBaseURLs(root string) BaseURLs {
	root = strings.TrimRight(root, "/")
	return BaseURLs{Charges: root + "/cobrancas", Accounts: root + "/abrircontas/v1", Payments: root + "/pagarcontas/v1", Pix: root + "/pix"}
}

func (b BaseURLs) of(f Family) string {
	switch f {
	case Accounts:
		return b.Accounts
	case Payments:
		return b.Payments
	case Pix:
		return b.Pix
	}
	return b.Charges
}

// tokenPath is each family's OAuth route, appended to its base.
func tokenPath(f Family) string {
	if f == Charges {
		return "/v1/authorize"
	}
	return "/oauth/token"
}

// Config configures a Client.
type Config struct {
	// Environment picks the base URLs: Production or Homologation. Ignored
	// when BaseURLs is set.
	Environment string
	// BaseURLs overrides the hosts (the sandbox).
	BaseURLs *BaseURLs
	// ClientID and ClientSecret are the application's credentials.
	ClientID     string
	ClientSecret string
	// P12 and P12Password, or CertPEM and KeyPEM, are the account's
	// certificate for the families that require mutual TLS.
	P12         []byte
	P12Password string
	CertPEM     []byte
	KeyPEM      []byte
	// Timeout bounds each call (default 30 s).
	Timeout time.Duration
	// Transport is the HTTP transport (tests); nil builds one with the certificate.
	Transport http.RoundTripper
	// Logger receives retries and failures (never secrets).
	Logger *slog.Logger
	// Observe, when set, is told of every API call: family, route template,
	// HTTP status (0 without a response) and duration.
	Observe func(family Family, route string, status int, d time.Duration)
	// RetryWait is the base backoff between retries (default 200 ms).
	RetryWait time.Duration
	// MaxRetries is how many times a repeatable call is retried (default 2).
	MaxRetries int
}

// Client calls the Efí APIs for one set of credentials.
type Client struct {
	cfg    Config
	base   BaseURLs
	http   *http.Client
	tokens map[Family]*tokenSource
}

// New builds a client. It fails on a certificate that cannot be read.
func New(cfg Config) (*Client, error) {
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return nil, errors.New("efi: client id and secret are required")
	}
	base := ProductionURLs
	switch {
	case cfg.BaseURLs != nil:
		base = *cfg.BaseURLs
	case cfg.Environment == Homologation:
		base = HomologationURLs
	case cfg.Environment == Production || cfg.Environment == "":
	default:
		return nil, fmt.Errorf("efi: unknown environment %q", cfg.Environment)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.RetryWait == 0 {
		cfg.RetryWait = 200 * time.Millisecond
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = 2
	}
	rt := cfg.Transport
	if rt == nil {
		tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
		cert, err := loadCertificate(cfg)
		if err != nil {
			return nil, err
		}
		if cert != nil {
			tlsCfg.Certificates = []tls.Certificate{*cert}
		}
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.TLSClientConfig = tlsCfg
		t.MaxIdleConnsPerHost = 16
		rt = t
	}
	c := &Client{cfg: cfg, base: base, http: &http.Client{Transport: rt}, tokens: map[Family]*tokenSource{}}
	for _, f := range []Family{Charges, Accounts, Payments, Pix} {
		c.tokens[f] = &tokenSource{c: c, family: f}
	}
	return c, nil
}

// loadCertificate reads the account certificate from a .p12 or a PEM pair.
func loadCertificate(cfg Config) (*tls.Certificate, error) {
	switch {
	case len(cfg.P12) > 0:
		key, leaf, chain, err := pkcs12.DecodeChain(cfg.P12, cfg.P12Password)
		if err != nil {
			return nil, fmt.Errorf("efi: read .p12 certificate: %w", err)
		}
		cert := tls.Certificate{PrivateKey: key, Leaf: leaf, Certificate: [][]byte{leaf.Raw}}
		for _, ca := range chain {
			cert.Certificate = append(cert.Certificate, ca.Raw)
		}
		return &cert, nil
	case len(cfg.CertPEM) > 0 || len(cfg.KeyPEM) > 0:
		cert, err := tls.X509KeyPair(cfg.CertPEM, cfg.KeyPEM)
		if err != nil {
			return nil, fmt.Errorf("efi: read PEM certificate and key: %w", err)
		}
		return &cert, nil
	}
	return nil, nil
}
