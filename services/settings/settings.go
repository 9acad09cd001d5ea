// Package settings holds an organisation's Efí environment and credentials:
// validated on save, secrets sealed at rest, never shown again (write-only
// fields), and turned into the typed Efí client the other services use.
package settings

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/efiportal/portal/db"
	"github.com/efiportal/portal/services"
	"github.com/efiportal/portal/services/auth"
	"github.com/efiportal/portal/services/efi"
	"github.com/efiportal/portal/services/secrets"
)

// Environments.
const (
	Embedded     = "embedded"
	Homologation = efi.Homologation
	Production   = efi.Production
)

// Service is the settings service.
type Service struct {
	db       *db.DB
	box      *secrets.Box
	embedded *efi.Client
	observe  func(efi.Family, string, int, time.Duration)
	log      *slog.Logger

	mu    sync.Mutex
	cache map[int64]cached
}

type cached struct {
	version string
	client  *efi.Client
}

// New returns the service; embedded is the client of the embedded sandbox.
func New(d *db.DB, box *secrets.Box, embedded *efi.Client, observe func(efi.Family, string, int, time.Duration), log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: d, box: box, embedded: embedded, observe: observe, log: log, cache: map[int64]cached{}}
}

// View is what the settings page shows: never a secret.
type View struct {
	Environment  string
	ClientID     string
	SecretSet    bool
	CertKind     string
	CertSubject  string
	CertNotAfter string
}

// Input is what the settings form sends; empty secrets keep the stored ones.
type Input struct {
	Environment  string
	ClientID     string
	ClientSecret string
	P12          []byte
	P12Password  string
	CertPEM      []byte
	KeyPEM       []byte
}

func orgOf(a services.Actor) (int64, error) {
	if a.Role != services.RoleMerchant || a.OrgID == 0 {
		return 0, services.ErrForbidden
	}
	return a.OrgID, nil
}

// Get reads the merchant's organisation's settings.
func (s *Service) Get(ctx context.Context, a services.Actor) (View, error) {
	org, err := orgOf(a)
	if err != nil {
		return View{}, err
	}
	c, err := s.db.OrgCredentials(ctx, org)
	if err != nil {
		return View{}, err
	}
	return View{Environment: c.Environment, ClientID: c.ClientID, SecretSet: c.ClientSecretEnc != "", CertKind: c.CertKind,
		CertSubject: c.CertSubject, CertNotAfter: c.CertNotAfter}, nil
}

func purpose(org int64, field string) string { return fmt.Sprintf("org:%d:%s", org, field) }

// Save validates and stores the settings; secrets are sealed and an
// omitted secret keeps the stored one. The audit log records the change,
// never its values.
func (s *Service) Save(ctx context.Context, a services.Actor, in Input) error {
	org, err := orgOf(a)
	if err != nil {
		return err
	}
	cur, err := s.db.OrgCredentials(ctx, org)
	if err != nil {
		return err
	}
	errs := services.FieldErrors{}
	next := cur
	next.Environment = in.Environment
	next.ClientID = strings.TrimSpace(in.ClientID)
	switch in.Environment {
	case Embedded, Homologation, Production:
	default:
		errs.Add("environment", services.M("form.invalid"))
	}
	if in.ClientSecret != "" {
		next.ClientSecretEnc = s.box.Seal([]byte(in.ClientSecret), purpose(org, "client_secret"))
	}
	if in.Environment != Embedded {
		if next.ClientID == "" {
			errs.Add("client_id", services.M("settings.err.client_id"))
		}
		if next.ClientSecretEnc == "" {
			errs.Add("client_secret", services.M("settings.err.client_secret"))
		}
	}
	switch {
	case len(in.P12) > 0:
		_, leaf, _, err := pkcs12.DecodeChain(in.P12, in.P12Password)
		if err != nil {
			errs.Add("certificate", services.M("settings.err.p12"))
			break
		}
		next.CertKind, next.CertEnc, next.KeyEnc = "p12", s.box.Seal(in.P12, purpose(org, "p12")), ""
		next.P12PasswordEnc = s.box.Seal([]byte(in.P12Password), purpose(org, "p12_password"))
		next.CertSubject, next.CertNotAfter = leaf.Subject.CommonName, leaf.NotAfter.Format("2006-01-02")
	case len(in.CertPEM) > 0 || len(in.KeyPEM) > 0:
		pair, err := tls.X509KeyPair(in.CertPEM, in.KeyPEM)
		if err != nil {
			errs.Add("certificate", services.M("settings.err.pem"))
			break
		}
		leaf, err := x509.ParseCertificate(pair.Certificate[0])
		if err != nil {
			errs.Add("certificate", services.M("settings.err.pem"))
			break
		}
		next.CertKind, next.CertEnc, next.KeyEnc, next.P12PasswordEnc = "pem", s.box.Seal(in.CertPEM, purpose(org, "cert_pem")), s.box.Seal(in.KeyPEM, purpose(org, "key_pem")), ""
		next.CertSubject, next.CertNotAfter = leaf.Subject.CommonName, leaf.NotAfter.Format("2006-01-02")
	}
	if len(errs) > 0 {
		return services.Invalid(errs)
	}
	return s.db.WithTx(ctx, func(tx *db.Tx) error {
		if err := db.SaveOrgCredentials(ctx, tx, next); err != nil {
			return err
		}
		return auth.Audit(ctx, tx, a, "settings.update", fmt.Sprintf("org:%d env:%s", org, next.Environment), "ok")
	})
}

// Client is the Efí client of an organisation: the embedded sandbox's, or
// one built from its decrypted credentials (kept until they change).
func (s *Service) Client(ctx context.Context, orgID int64) (*efi.Client, error) {
	c, err := s.db.OrgCredentials(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if c.Environment == Embedded || c.Environment == "" {
		return s.embedded, nil
	}
	version := c.Environment + "|" + c.UpdatedAt
	s.mu.Lock()
	hit, ok := s.cache[orgID]
	s.mu.Unlock()
	if ok && hit.version == version {
		return hit.client, nil
	}
	cfg := efi.Config{Environment: c.Environment, ClientID: c.ClientID, Logger: s.log, Observe: s.observe}
	secret, err := s.box.Open(c.ClientSecretEnc, purpose(orgID, "client_secret"))
	if err != nil {
		return nil, fmt.Errorf("org %d client secret: %w", orgID, err)
	}
	cfg.ClientSecret = string(secret)
	switch c.CertKind {
	case "p12":
		if cfg.P12, err = s.box.Open(c.CertEnc, purpose(orgID, "p12")); err != nil {
			return nil, err
		}
		pw, err := s.box.Open(c.P12PasswordEnc, purpose(orgID, "p12_password"))
		if err != nil {
			return nil, err
		}
		cfg.P12Password = string(pw)
	case "pem":
		if cfg.CertPEM, err = s.box.Open(c.CertEnc, purpose(orgID, "cert_pem")); err != nil {
			return nil, err
		}
		if cfg.KeyPEM, err = s.box.Open(c.KeyEnc, purpose(orgID, "key_pem")); err != nil {
			return nil, err
		}
	}
	client, err := efi.New(cfg)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.cache[orgID] = cached{version: version, client: client}
	s.mu.Unlock()
	return client, nil
}

// Connection is the outcome of "test connection".
type Connection struct {
	Granted map[efi.Family][]string
	Failed  map[efi.Family]error
}

// TestConnection asks the API for a token of each family the credentials
// can use (the certificate-bound ones only with a certificate).
func (s *Service) TestConnection(ctx context.Context, a services.Actor) (Connection, error) {
	org, err := orgOf(a)
	if err != nil {
		return Connection{}, err
	}
	c, err := s.db.OrgCredentials(ctx, org)
	if err != nil {
		return Connection{}, err
	}
	client, err := s.Client(ctx, org)
	if err != nil {
		return Connection{}, err
	}
	families := []efi.Family{efi.Charges}
	if c.CertKind != "" || c.Environment == Embedded {
		families = append(families, efi.Accounts, efi.Payments, efi.Pix)
	}
	ok, failed := client.Scopes(ctx, families...)
	return Connection{Granted: ok, Failed: failed}, nil
}

// RotateSecrets re-seals every stored secret with the box's primary key
// (run after moving the old key to PORTAL_SECRET_KEYS_OLD); it returns how
// many organisations changed.
func (s *Service) RotateSecrets(ctx context.Context) (int, error) {
	orgs, err := s.db.Organisations(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, o := range orgs {
		c, err := s.db.OrgCredentials(ctx, o.ID)
		if err != nil {
			return n, err
		}
		fields := []struct {
			val     *string
			purpose string
		}{
			{&c.ClientSecretEnc, "client_secret"}, {&c.P12PasswordEnc, "p12_password"},
			{&c.CertEnc, map[string]string{"p12": "p12", "pem": "cert_pem"}[c.CertKind]}, {&c.KeyEnc, "key_pem"},
		}
		changed := false
		for _, f := range fields {
			if *f.val == "" || !s.box.NeedsRotation(*f.val) {
				continue
			}
			pt, err := s.box.Open(*f.val, purpose(o.ID, f.purpose))
			if err != nil {
				return n, fmt.Errorf("org %d %s: %w", o.ID, f.purpose, err)
			}
			*f.val = s.box.Seal(pt, purpose(o.ID, f.purpose))
			changed = true
		}
		if !changed {
			continue
		}
		err = s.db.WithTx(ctx, func(tx *db.Tx) error {
			if err := db.SaveOrgCredentials(ctx, tx, c); err != nil {
				return err
			}
			return auth.Audit(ctx, tx, services.Actor{Role: "system"}, "secrets.rotate", fmt.Sprintf("org:%d", o.ID), "ok")
		})
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
