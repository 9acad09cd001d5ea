// Package secrets encrypts what the portal must keep but nobody may read:
// Efí client secrets, certificates and private keys. AES-256-GCM with a
// random nonce; every sealed value names the key that sealed it, so keys
// can be rotated: seal with the new key, open with any known one.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrTampered means a sealed value was altered, or sealed for another
// purpose, or by a key the portal does not have.
var ErrTampered = errors.New("secret cannot be opened: altered or sealed with an unknown key")

// Box seals with its primary key and opens with any of its keys.
type Box struct {
	primary string
	keys    map[string]cipher.AEAD
}

// keyID names a key without revealing it.
func keyID(key []byte) string {
	h := sha256.Sum256(append([]byte("efi-portal-key-id:"), key...))
	return hex.EncodeToString(h[:4])
}

// New builds a box; the first key is the primary (32 bytes each).
func New(keys ...[]byte) (*Box, error) {
	if len(keys) == 0 {
		return nil, errors.New("secrets: no key")
	}
	b := &Box{keys: map[string]cipher.AEAD{}}
	for i, k := range keys {
		if len(k) != 32 {
			return nil, fmt.Errorf("secrets: key %d has %d bytes, want 32", i+1, len(k))
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		id := keyID(k)
		if i == 0 {
			b.primary = id
		}
		b.keys[id] = aead
	}
	return b, nil
}

// Seal encrypts plaintext; purpose (e.g. "org:7:client_secret") is bound
// to the ciphertext, so a value copied to another field will not open.
func (b *Box) Seal(plaintext []byte, purpose string) string {
	aead := b.keys[b.primary]
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	ct := aead.Seal(nonce, nonce, plaintext, []byte(purpose))
	return "v1:" + b.primary + ":" + base64.RawStdEncoding.EncodeToString(ct)
}

// Open decrypts a value made by Seal with the same purpose.
func (b *Box) Open(sealed, purpose string) ([]byte, error) {
	parts := strings.SplitN(sealed, ":", 3)
	if len(parts) != 3 || parts[0] != "v1" {
		return nil, ErrTampered
	}
	aead, ok := b.keys[parts[1]]
	if !ok {
		return nil, ErrTampered
	}
	raw, err := base64.RawStdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) < aead.NonceSize() {
		return nil, ErrTampered
	}
	pt, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(purpose))
	if err != nil {
		return nil, ErrTampered
	}
	return pt, nil
}

// NeedsRotation reports whether a value was sealed by a key other than the primary.
func (b *Box) NeedsRotation(sealed string) bool {
	parts := strings.SplitN(sealed, ":", 3)
	return len(parts) != 3 || parts[1] != b.primary
}

// ParseKey reads a key given as 64 hex digits or base64 of 32 bytes.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if k, err := hex.DecodeString(s); err == nil && len(k) == 32 {
		return k, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == 32 {
			return k, nil
		}
	}
	return nil, errors.New("a secret key is 32 bytes, as 64 hex digits or base64")
}

// Load builds the portal's box: the primary key from PORTAL_SECRET_KEY, or
// from <dataDir>/master.key (created at first start with mode 0600); old
// keys from PORTAL_SECRET_KEYS_OLD (comma-separated) so values sealed
// before a rotation still open.
func Load(dataDir, envKey, envOld string) (*Box, bool, error) {
	var primary []byte
	created := false
	if envKey != "" {
		k, err := ParseKey(envKey)
		if err != nil {
			return nil, false, fmt.Errorf("PORTAL_SECRET_KEY: %w", err)
		}
		primary = k
	} else {
		path := filepath.Join(dataDir, "master.key")
		data, err := os.ReadFile(path)
		switch {
		case err == nil:
			if primary, err = ParseKey(string(data)); err != nil {
				return nil, false, fmt.Errorf("%s: %w", path, err)
			}
		case errors.Is(err, os.ErrNotExist):
			primary = make([]byte, 32)
			rand.Read(primary)
			if err := os.WriteFile(path, []byte(hex.EncodeToString(primary)+"\n"), 0o600); err != nil {
				return nil, false, fmt.Errorf("write master key: %w", err)
			}
			created = true
		default:
			return nil, false, fmt.Errorf("read master key: %w", err)
		}
	}
	keys := [][]byte{primary}
	for _, s := range strings.Split(envOld, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		k, err := ParseKey(s)
		if err != nil {
			return nil, false, fmt.Errorf("PORTAL_SECRET_KEYS_OLD: %w", err)
		}
		keys = append(keys, k)
	}
	b, err := New(keys...)
	return b, created, err
}
