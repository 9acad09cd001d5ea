package secrets

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

func TestRoundTripAndRandomNonce(t *testing.T) {
	b, _ := New(key(1))
	s1, s2 := b.Seal([]byte("client-secret-value"), "org:1:client_secret"), b.Seal([]byte("client-secret-value"), "org:1:client_secret")
	if s1 == s2 {
		t.Fatal("two seals of one value are equal: the nonce is not random")
	}
	if strings.Contains(s1, "client-secret-value") {
		t.Fatal("plaintext visible in the sealed value")
	}
	got, err := b.Open(s1, "org:1:client_secret")
	if err != nil || string(got) != "client-secret-value" {
		t.Fatalf("open: %q %v", got, err)
	}
}

func TestTamperDetection(t *testing.T) {
	b, _ := New(key(1))
	s := b.Seal([]byte("segredo"), "org:1:client_secret")
	flipped := []byte(s)
	flipped[len(flipped)-3] ^= 0x01
	for name, tc := range map[string]struct{ sealed, purpose string }{
		"altered byte":     {string(flipped), "org:1:client_secret"},
		"other purpose":    {s, "org:2:client_secret"},
		"not sealed":       {"plain text", "org:1:client_secret"},
		"unknown key":      {func() string { o, _ := New(key(9)); return o.Seal([]byte("x"), "p") }(), "p"},
		"truncated cipher": {s[:len(s)-10], "org:1:client_secret"},
	} {
		if _, err := b.Open(tc.sealed, tc.purpose); !errors.Is(err, ErrTampered) {
			t.Errorf("%s: got %v, want ErrTampered", name, err)
		}
	}
}

func TestRotation(t *testing.T) {
	old, _ := New(key(1))
	sealed := old.Seal([]byte("segredo"), "p")
	rotated, _ := New(key(2), key(1))
	if got, err := rotated.Open(sealed, "p"); err != nil || string(got) != "segredo" {
		t.Fatalf("a value sealed with the old key no longer opens: %v", err)
	}
	if !rotated.NeedsRotation(sealed) || rotated.NeedsRotation(rotated.Seal([]byte("x"), "p")) {
		t.Fatal("NeedsRotation wrong")
	}
}

func TestLoadCreatesKeyFileOnce(t *testing.T) {
	dir := t.TempDir()
	b1, created, err := Load(dir, "", "")
	if err != nil || !created {
		t.Fatalf("first load: %v %v", created, err)
	}
	info, _ := os.Stat(filepath.Join(dir, "master.key"))
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("master.key mode %v", info.Mode().Perm())
	}
	b2, created, _ := Load(dir, "", "")
	if created {
		t.Fatal("key created twice")
	}
	if _, err := b2.Open(b1.Seal([]byte("x"), "p"), "p"); err != nil {
		t.Fatal("the stored key differs between starts")
	}
	if _, _, err := Load(dir, "not-a-key", ""); err == nil {
		t.Fatal("a bad PORTAL_SECRET_KEY was accepted")
	}
}
