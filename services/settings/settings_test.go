package settings

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"log/slog"
	"math/big"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/efiportal/portal/db"
	"github.com/efiportal/portal/sandbox"
	"github.com/efiportal/portal/services"
	"github.com/efiportal/portal/services/efi"
	"github.com/efiportal/portal/services/secrets"
)

func setup(t *testing.T) (*Service, *db.DB, services.Actor) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, filepath.Join(t.TempDir(), "p.db"), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	var org int64
	d.WithTx(ctx, func(tx *db.Tx) error {
		o := db.Organisation{Name: "Loja"}
		err := db.InsertOrganisation(ctx, tx, &o)
		org = o.ID
		return err
	})
	sb, _ := sandbox.New(ctx, sandbox.Config{Logger: slog.New(slog.DiscardHandler)})
	ts := httptest.NewServer(sb.Handler())
	t.Cleanup(ts.Close)
	urls := efi.SandboxBaseURLs(ts.URL)
	embedded, _ := efi.New(efi.Config{BaseURLs: &urls, ClientID: sandbox.DefaultClientID, ClientSecret: sandbox.DefaultClientSecret})
	box, _ := secrets.New([]byte(strings.Repeat("k", 32)))
	return New(d, box, embedded, nil, slog.New(slog.DiscardHandler)), d, services.Actor{UserID: 1, OrgID: org, Role: services.RoleMerchant}
}

func TestEmbeddedConnectionShowsScopes(t *testing.T) {
	s, _, merchant := setup(t)
	res, err := s.TestConnection(context.Background(), merchant)
	if err != nil || len(res.Failed) != 0 || res.Granted[efi.Charges][0] != "charge" || len(res.Granted[efi.Payments]) == 0 {
		t.Fatalf("test connection on the embedded sandbox: %+v %v", res, err)
	}
}

func TestSaveValidatesAndSealsSecrets(t *testing.T) {
	ctx := context.Background()
	s, d, merchant := setup(t)
	err := s.Save(ctx, merchant, Input{Environment: Production})
	var se *services.Error
	if !errors.As(err, &se) || se.Fields["client_id"].Key == "" || se.Fields["client_secret"].Key == "" {
		t.Fatalf("production without credentials: %v", err)
	}
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "loja-cert"}, NotBefore: time.Now(), NotAfter: time.Now().AddDate(1, 0, 0)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	cert, _ := x509.ParseCertificate(der)
	p12, _ := pkcs12.Modern.Encode(key, cert, nil, "senha")
	if err := s.Save(ctx, merchant, Input{Environment: Homologation, ClientID: "Client_Id_x", ClientSecret: "Client_Secret_very_secret", P12: p12, P12Password: "wrong"}); err == nil {
		t.Fatal("a .p12 with the wrong password was accepted")
	}
	if err := s.Save(ctx, merchant, Input{Environment: Homologation, ClientID: "Client_Id_x", ClientSecret: "Client_Secret_very_secret", P12: p12, P12Password: "senha"}); err != nil {
		t.Fatal(err)
	}
	v, _ := s.Get(ctx, merchant)
	if !v.SecretSet || v.CertSubject != "loja-cert" || v.Environment != Homologation {
		t.Fatalf("view %+v", v)
	}
	c, _ := d.OrgCredentials(ctx, merchant.OrgID)
	if strings.Contains(c.ClientSecretEnc, "very_secret") || !strings.HasPrefix(c.ClientSecretEnc, "v1:") {
		t.Fatalf("secret not sealed at rest: %q", c.ClientSecretEnc)
	}
	// Saving again without a secret keeps the stored one.
	if err := s.Save(ctx, merchant, Input{Environment: Homologation, ClientID: "Client_Id_y"}); err != nil {
		t.Fatal(err)
	}
	if client, err := s.Client(ctx, merchant.OrgID); err != nil || client == nil {
		t.Fatalf("client from stored credentials: %v", err)
	}
	// The audit log names the change, never the secret.
	var audit string
	d.Read.QueryRowContext(ctx, `SELECT group_concat(action || ' ' || target) FROM audit_log`).Scan(&audit)
	if !strings.Contains(audit, "settings.update") || strings.Contains(audit, "secret") {
		t.Fatalf("audit %q", audit)
	}
	if _, err := s.Get(ctx, services.Actor{Role: services.RoleStaff}); !errors.Is(err, services.ErrForbidden) {
		t.Fatal("settings of no organisation served to staff")
	}
}

func TestRotateSecrets(t *testing.T) {
	ctx := context.Background()
	s, d, merchant := setup(t)
	if err := s.Save(ctx, merchant, Input{Environment: Homologation, ClientID: "id", ClientSecret: "segredo-antigo"}); err != nil {
		t.Fatal(err)
	}
	oldKey, newKey := []byte(strings.Repeat("k", 32)), []byte(strings.Repeat("n", 32))
	s.box, _ = secrets.New(newKey, oldKey)
	n, err := s.RotateSecrets(ctx)
	if err != nil || n != 1 {
		t.Fatalf("rotate: %d %v", n, err)
	}
	s.box, _ = secrets.New(newKey) // the old key is gone now
	c, _ := d.OrgCredentials(ctx, merchant.OrgID)
	if pt, err := s.box.Open(c.ClientSecretEnc, purpose(merchant.OrgID, "client_secret")); err != nil || string(pt) != "segredo-antigo" {
		t.Fatalf("after rotation the new key alone cannot open the secret: %v", err)
	}
	if n, _ := s.RotateSecrets(ctx); n != 0 {
		t.Fatal("a second rotation changed something")
	}
}
