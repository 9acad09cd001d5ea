// Package auth holds sign-in and the people model: password rules and
// hashing, login throttling, sessions' lifetime rules, the first staff
// user, and staff's management of organisations and users (audited).
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/time/rate"

	"github.com/efiportal/portal/db"
	"github.com/efiportal/portal/services"
)

// MinPassword is the shortest password accepted.
const MinPassword = 12

// Errors a sign-in can end with. ErrBadCredentials is the same for an
// unknown e-mail, a wrong password and a disabled account.
var (
	ErrBadCredentials = errors.New("wrong e-mail or password")
	ErrThrottled      = errors.New("too many attempts")
	ErrSessionEnded   = errors.New("session ended")
)

// Config tunes the service.
type Config struct {
	// IdleTimeout ends a session unused for this long (30 min).
	IdleTimeout time.Duration
	// MaxLifetime ends any session this old (12 h).
	MaxLifetime time.Duration
	// BcryptCost is the hashing cost (bcrypt.DefaultCost+2 by default; tests lower it).
	BcryptCost int
	// Attempts is how many failed sign-ins a client IP or an account may
	// make before being held back; one attempt comes back every Refill.
	Attempts int
	Refill   time.Duration
	Now      func() time.Time
	Logger   *slog.Logger
}

// Service is the sign-in and people service.
type Service struct {
	db    *db.DB
	cfg   Config
	dummy []byte

	mu       sync.Mutex
	limiters map[string]*rate.Limiter
}

// New returns the service.
func New(d *db.DB, cfg Config) *Service {
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.MaxLifetime == 0 {
		cfg.MaxLifetime = 12 * time.Hour
	}
	if cfg.BcryptCost == 0 {
		cfg.BcryptCost = bcrypt.DefaultCost + 2
	}
	if cfg.Attempts == 0 {
		cfg.Attempts = 5
	}
	if cfg.Refill == 0 {
		cfg.Refill = time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	dummy, _ := bcrypt.GenerateFromPassword([]byte("not a real password, only for timing"), cfg.BcryptCost)
	return &Service{db: d, cfg: cfg, dummy: dummy, limiters: map[string]*rate.Limiter{}}
}

// commonPasswords are refused whatever their length (the most used ones
// that reach 12 characters, and their obvious variants).
var commonPasswords = map[string]bool{
	"123456789012": true, "1234567890123": true, "12345678901234": true, "qwertyuiopas": true, "qwerty123456": true,
	"password1234": true, "passwordpassword": true, "senha1234567": true, "senhasenha12": true, "123456789abc": true,
	"abcdefghijkl": true, "aaaaaaaaaaaa": true, "111111111111": true, "000000000000": true, "iloveyou1234": true,
	"administrador": true, "administrator": true, "admin1234567": true, "qwertyqwerty": true, "mudar1234567": true,
	"trocar123456": true, "brasil123456": true, "efi123456789": true, "portalportal": true, "changeme1234": true,
}

// CheckPassword applies the password rules; the message key says why not.
func CheckPassword(pw, email string) (services.Message, bool) {
	if utf8.RuneCountInString(pw) < MinPassword {
		return services.M("auth.err.password_short", MinPassword), false
	}
	lower := strings.ToLower(pw)
	if commonPasswords[lower] || strings.EqualFold(pw, email) || (email != "" && strings.Contains(lower, strings.ToLower(strings.Split(email, "@")[0])) && len(email) > 4) {
		return services.M("auth.err.password_common"), false
	}
	if len(pw) > 72 {
		return services.M("auth.err.password_long"), false
	}
	return services.Message{}, true
}

// HashPassword hashes with bcrypt.
func (s *Service) HashPassword(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), s.cfg.BcryptCost)
	return string(h), err
}

func (s *Service) limiter(key string) *rate.Limiter {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.limiters[key]
	if l == nil {
		l = rate.NewLimiter(rate.Every(s.cfg.Refill), s.cfg.Attempts)
		s.limiters[key] = l
	}
	return l
}

// held reports whether the key is out of attempts, and for how long.
func (s *Service) held(key string) (time.Duration, bool) {
	l := s.limiter(key)
	now := s.cfg.Now()
	if l.TokensAt(now) >= 1 {
		return 0, false
	}
	return time.Duration((1 - l.TokensAt(now)) * float64(s.cfg.Refill)), true
}

// ThrottledError says how long to wait.
type ThrottledError struct{ Wait time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many attempts; wait %s", e.Wait.Round(time.Second))
}

// Unwrap matches ErrThrottled.
func (e *ThrottledError) Unwrap() error { return ErrThrottled }

// Authenticate checks an e-mail and password. Unknown e-mail, wrong
// password and disabled account give the same error after the same work
// (a bcrypt comparison every time). Repeated failures from one IP or on
// one account are held back for a while, whether the account exists or not.
func (s *Service) Authenticate(ctx context.Context, email, password, ip string) (db.User, error) {
	email = strings.TrimSpace(strings.ToLower(email))
	for _, key := range []string{"ip:" + ip, "account:" + email} {
		if wait, held := s.held(key); held {
			s.cfg.Logger.WarnContext(ctx, "sign-in throttled", "key", key)
			return db.User{}, &ThrottledError{Wait: wait}
		}
	}
	u, err := s.db.UserByEmail(ctx, email)
	hash := s.dummy
	if err == nil {
		hash = []byte(u.PasswordHash)
	} else if !errors.Is(err, db.ErrNotFound) {
		return db.User{}, err
	}
	cmp := bcrypt.CompareHashAndPassword(hash, []byte(password))
	if err != nil || cmp != nil || !u.Active {
		now := s.cfg.Now()
		s.limiter("ip:"+ip).AllowN(now, 1)
		s.limiter("account:"+email).AllowN(now, 1)
		return db.User{}, ErrBadCredentials
	}
	return u, nil
}

// CheckSession tells whether a session may go on: its user is active, it
// is neither idle too long nor too old, and the password did not change
// since it began.
func (s *Service) CheckSession(ctx context.Context, sess db.Session) (db.User, error) {
	now := s.cfg.Now()
	if now.Sub(sess.LastSeenAt) > s.cfg.IdleTimeout || now.Sub(sess.CreatedAt) > s.cfg.MaxLifetime {
		return db.User{}, ErrSessionEnded
	}
	u, err := s.db.UserByID(ctx, sess.UserID)
	if err != nil || !u.Active || u.PasswordChangedAt.After(sess.CreatedAt.Add(time.Second)) {
		return db.User{}, ErrSessionEnded
	}
	return u, nil
}

// Actor is the services' view of a user.
func Actor(u db.User, ip string) services.Actor {
	return services.Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role, Name: u.Name, IP: ip}
}

// Audit records an action in the audit log inside tx.
func Audit(ctx context.Context, tx *db.Tx, a services.Actor, action, target, outcome string) error {
	return db.InsertAudit(ctx, tx, db.AuditEntry{UserID: a.UserID, Role: a.Role, OrgID: a.OrgID, Action: action, Target: target, IP: a.IP, Outcome: outcome})
}

// RandomPassword makes a strong password for a new admin.
func RandomPassword() string {
	b := make([]byte, 18)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Bootstrap creates the first staff user when there is none: with the
// given e-mail and password, else admin@localhost with a random password
// that is returned (for the log, once).
func (s *Service) Bootstrap(ctx context.Context, email, password string) (createdEmail, generated string, err error) {
	n, err := s.db.CountUsers(ctx)
	if err != nil || n > 0 {
		return "", "", err
	}
	if email == "" {
		email = "admin@localhost"
	}
	if password == "" {
		password = RandomPassword()
		generated = password
	} else if m, ok := CheckPassword(password, email); !ok {
		return "", "", fmt.Errorf("PORTAL_ADMIN_PASSWORD refused: %s", m.Key)
	}
	hash, err := s.HashPassword(password)
	if err != nil {
		return "", "", err
	}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		u := db.User{Name: "Administrador", Email: strings.ToLower(email), PasswordHash: hash, Role: services.RoleStaff, Active: true}
		if err := db.InsertUser(ctx, tx, &u); err != nil {
			return err
		}
		return Audit(ctx, tx, services.Actor{Role: "system"}, "user.bootstrap", "user:"+u.Email, "ok")
	})
	return email, generated, err
}

// NewUser is what staff type to create a user.
type NewUser struct {
	Name     string
	Email    string
	Password string
	Role     string
	OrgID    int64
}

// CreateUser adds a user (staff only), audited.
func (s *Service) CreateUser(ctx context.Context, a services.Actor, in NewUser) (int64, error) {
	if !a.IsStaff() {
		return 0, services.ErrForbidden
	}
	errs := services.FieldErrors{}
	in.Name, in.Email = strings.TrimSpace(in.Name), strings.ToLower(strings.TrimSpace(in.Email))
	if in.Name == "" {
		errs.Add("name", services.M("form.required"))
	}
	if addr, err := mail.ParseAddress(in.Email); err != nil || addr.Address != in.Email {
		errs.Add("email", services.M("form.email"))
	}
	if m, ok := CheckPassword(in.Password, in.Email); !ok {
		errs.Add("password", m)
	}
	switch in.Role {
	case services.RoleStaff:
	case services.RoleMerchant, services.RolePartner:
		if in.OrgID == 0 {
			errs.Add("org_id", services.M("auth.err.org_required"))
		}
	default:
		errs.Add("role", services.M("form.invalid"))
	}
	if len(errs) > 0 {
		return 0, services.Invalid(errs)
	}
	hash, err := s.HashPassword(in.Password)
	if err != nil {
		return 0, err
	}
	u := db.User{Name: in.Name, Email: in.Email, PasswordHash: hash, Role: in.Role, OrgID: in.OrgID, Active: true}
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		if err := db.InsertUser(ctx, tx, &u); err != nil {
			return err
		}
		return Audit(ctx, tx, a, "user.create", "user:"+u.Email, "ok")
	})
	if errors.Is(err, db.ErrConflict) {
		return 0, services.Invalid(services.FieldErrors{"email": services.M("auth.err.email_taken")})
	}
	if errors.Is(err, db.ErrConstraint) {
		return 0, services.Invalid(services.FieldErrors{"org_id": services.M("auth.err.org_required")})
	}
	return u.ID, err
}

// SetActive enables or disables a user (staff only); disabling ends their
// sessions at once.
func (s *Service) SetActive(ctx context.Context, a services.Actor, userID int64, active bool) error {
	if !a.IsStaff() {
		return services.ErrForbidden
	}
	if userID == a.UserID && !active {
		return &services.Error{Kind: services.ErrConflict, Msg: services.M("auth.err.disable_self")}
	}
	action := "user.enable"
	if !active {
		action = "user.disable"
	}
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		if err := db.SetUserActive(ctx, tx, userID, active); err != nil {
			return err
		}
		return Audit(ctx, tx, a, action, fmt.Sprintf("user:%d", userID), "ok")
	})
	if errors.Is(err, db.ErrNotFound) {
		return services.ErrNotFound
	}
	return err
}

// ResetPassword sets a new password for a user (staff only) and ends their sessions.
func (s *Service) ResetPassword(ctx context.Context, a services.Actor, userID int64, password string) error {
	if !a.IsStaff() {
		return services.ErrForbidden
	}
	u, err := s.db.UserByID(ctx, userID)
	if errors.Is(err, db.ErrNotFound) {
		return services.ErrNotFound
	}
	if err != nil {
		return err
	}
	if m, ok := CheckPassword(password, u.Email); !ok {
		return services.Invalid(services.FieldErrors{"password": m})
	}
	hash, err := s.HashPassword(password)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *db.Tx) error {
		if err := db.SetPassword(ctx, tx, userID, hash); err != nil {
			return err
		}
		return Audit(ctx, tx, a, "user.password_reset", fmt.Sprintf("user:%d", userID), "ok")
	})
}

// CreateOrganisation adds a merchant account (staff only), audited.
func (s *Service) CreateOrganisation(ctx context.Context, a services.Actor, name, document string) (int64, error) {
	if !a.IsStaff() {
		return 0, services.ErrForbidden
	}
	name = strings.TrimSpace(name)
	document = onlyDigits(document)
	errs := services.FieldErrors{}
	if name == "" {
		errs.Add("name", services.M("form.required"))
	}
	if !(ValidCPF(document) || ValidCNPJ(document)) {
		errs.Add("document", services.M("auth.err.document"))
	}
	if len(errs) > 0 {
		return 0, services.Invalid(errs)
	}
	o := db.Organisation{Name: name, Document: document}
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		if err := db.InsertOrganisation(ctx, tx, &o); err != nil {
			return err
		}
		return Audit(ctx, tx, a, "org.create", fmt.Sprintf("org:%d", o.ID), "ok")
	})
	return o.ID, err
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Demo accounts, for local trials only (PORTAL_DEMO=1); the README lists them.
const (
	DemoMerchantEmail = "lojista@demo.local"
	DemoPartnerEmail  = "parceiro@demo.local"
	DemoPassword      = "demonstracao-efi-2026"
)

// SeedDemo creates, once, a demo organisation with a merchant and a
// partner user.
func (s *Service) SeedDemo(ctx context.Context) error {
	if _, err := s.db.UserByEmail(ctx, DemoMerchantEmail); err == nil {
		return nil
	}
	hash, err := s.HashPassword(DemoPassword)
	if err != nil {
		return err
	}
	system := services.Actor{Role: "system"}
	return s.db.WithTx(ctx, func(tx *db.Tx) error {
		o := db.Organisation{Name: "Loja Demonstração", Document: "11222333000181"}
		if err := db.InsertOrganisation(ctx, tx, &o); err != nil {
			return err
		}
		for _, u := range []db.User{
			{Name: "Lojista Demo", Email: DemoMerchantEmail, Role: services.RoleMerchant},
			{Name: "Parceiro Demo", Email: DemoPartnerEmail, Role: services.RolePartner},
		} {
			u.OrgID, u.PasswordHash, u.Active = o.ID, hash, true
			if err := db.InsertUser(ctx, tx, &u); err != nil {
				return err
			}
		}
		return Audit(ctx, tx, system, "demo.seed", fmt.Sprintf("org:%d", o.ID), "ok")
	})
}

// Users lists users: staff see everyone.
func (s *Service) Users(ctx context.Context, a services.Actor) ([]db.User, error) {
	if !a.IsStaff() {
		return nil, services.ErrForbidden
	}
	return s.db.Users(ctx, 0)
}

// Organisations lists organisations: staff only.
func (s *Service) Organisations(ctx context.Context, a services.Actor) ([]db.Organisation, error) {
	if !a.IsStaff() {
		return nil, services.ErrForbidden
	}
	return s.db.Organisations(ctx)
}

// Audit lists the audit log: staff see every organisation, a merchant
// their own (whatever filter they send).
func (s *Service) Audit(ctx context.Context, a services.Actor, f db.AuditFilter) ([]db.AuditRow, bool, error) {
	switch {
	case a.IsStaff():
	case a.Role == services.RoleMerchant && a.OrgID != 0:
		f.OrgID = a.OrgID
	default:
		return nil, false, services.ErrForbidden
	}
	return s.db.Audit(ctx, f)
}

// AuditActions lists the actions the filter offers.
func (s *Service) AuditActions(ctx context.Context) ([]string, error) { return s.db.AuditActions(ctx) }

// RecordSignIn writes a sign-in attempt to the audit log: who (when
// known), the e-mail tried, the client IP and the outcome.
func (s *Service) RecordSignIn(ctx context.Context, u db.User, email, ip, outcome string) {
	a := services.Actor{UserID: u.ID, OrgID: u.OrgID, Role: u.Role, IP: ip}
	err := s.db.WithTx(ctx, func(tx *db.Tx) error {
		return Audit(ctx, tx, a, "session.login", "user:"+strings.ToLower(strings.TrimSpace(email)), outcome)
	})
	if err != nil {
		s.cfg.Logger.ErrorContext(ctx, "audit sign-in", "err", err)
	}
}
