package auth

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/efiportal/portal/db"
	"github.com/efiportal/portal/services"
)

func newService(t *testing.T) (*Service, *db.DB, *time.Time) {
	t.Helper()
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "p.db"), db.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	now := time.Now()
	return New(d, Config{BcryptCost: bcrypt.MinCost, Now: func() time.Time { return now }}), d, &now
}

func TestPasswordRules(t *testing.T) {
	for _, tc := range []struct {
		pw string
		ok bool
	}{{"curta", false}, {"123456789012", false}, {"Password1234", false}, {"ana.souza@loja", false}, {"cavalo-bateria-grampo", true}} {
		if _, ok := CheckPassword(tc.pw, "ana.souza@loja.com"); ok != tc.ok {
			t.Errorf("CheckPassword(%q) = %v", tc.pw, ok)
		}
	}
}

func TestBootstrapCreatesOneStaffUser(t *testing.T) {
	s, d, _ := newService(t)
	ctx := context.Background()
	email, pw, err := s.Bootstrap(ctx, "", "")
	if err != nil || email != "admin@localhost" || len(pw) < MinPassword {
		t.Fatalf("bootstrap: %q %q %v", email, pw, err)
	}
	if _, err := s.Authenticate(ctx, "admin@localhost", pw, "1.2.3.4"); err != nil {
		t.Fatalf("sign in with the printed password: %v", err)
	}
	if email, _, _ := s.Bootstrap(ctx, "", ""); email != "" {
		t.Fatal("a second bootstrap created another user")
	}
	if n, _ := d.CountUsers(ctx); n != 1 {
		t.Fatalf("%d users", n)
	}
	_, _, err = New(d, Config{}).Bootstrap(ctx, "x@y.z", "short")
	if err != nil {
		t.Fatal("bootstrap on a database with users must do nothing, not validate")
	}
}

func TestSessionRules(t *testing.T) {
	s, _, now := newService(t)
	ctx := context.Background()
	staff := services.Actor{UserID: 99, Role: services.RoleStaff}
	org, err := s.CreateOrganisation(ctx, staff, "Loja", "11.222.333/0001-81")
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.CreateUser(ctx, staff, NewUser{Name: "Ana", Email: "ana@loja.com", Password: "cavalo-bateria-grampo", Role: services.RoleMerchant, OrgID: org})
	if err != nil {
		t.Fatal(err)
	}
	start := *now
	sess := db.Session{UserID: id, CreatedAt: start, LastSeenAt: start}
	if _, err := s.CheckSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	*now = start.Add(31 * time.Minute)
	if _, err := s.CheckSession(ctx, sess); !errors.Is(err, ErrSessionEnded) {
		t.Fatal("an idle session went on")
	}
	sess.LastSeenAt = start.Add(12*time.Hour + 5*time.Minute)
	*now = start.Add(12*time.Hour + 10*time.Minute)
	if _, err := s.CheckSession(ctx, sess); !errors.Is(err, ErrSessionEnded) {
		t.Fatal("a session older than 12 h went on")
	}
	*now = start.Add(time.Minute)
	sess.LastSeenAt = *now
	time.Sleep(1100 * time.Millisecond) // password_changed_at has second precision against the session start
	if err := s.ResetPassword(ctx, staff, id, "outra-senha-bem-longa"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CheckSession(ctx, db.Session{UserID: id, CreatedAt: start, LastSeenAt: *now}); !errors.Is(err, ErrSessionEnded) {
		t.Fatal("a session from before a password change went on")
	}
	// Validation and permissions.
	if _, err := s.CreateUser(ctx, staff, NewUser{Name: "Bia", Email: "ana@loja.com", Password: "cavalo-bateria-grampo", Role: services.RoleMerchant, OrgID: org}); !errors.Is(err, services.ErrInvalid) {
		t.Fatalf("duplicate e-mail: %v", err)
	}
	if _, err := s.CreateOrganisation(ctx, staff, "X", "11.222.333/0001-80"); !errors.Is(err, services.ErrInvalid) {
		t.Fatalf("bad CNPJ accepted: %v", err)
	}
	if _, err := s.CreateUser(ctx, services.Actor{Role: services.RoleMerchant, OrgID: org}, NewUser{}); !errors.Is(err, services.ErrForbidden) {
		t.Fatalf("a merchant created a user: %v", err)
	}
}
