package sandbox

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// familyScopes are the scopes a token of each family grants (contract §1.3).
var familyScopes = map[family][]string{
	famCharges:  {"charge"},
	famAccounts: {"gn.registration.write", "gn.registration.read", "gn.registration.webhook.write", "gn.registration.webhook.read"},
	famPayments: {"gn.barcode.read", "gn.barcode.pay.write", "gn.barcode.pay.read", "payment.webhook.write", "payment.webhook.read"},
	famPix:      {"webhook.write", "webhook.read", "cob.read", "cob.write", "pix.read", "pix.write"},
}

type accessToken struct {
	Family  family
	Expires time.Time
	Scopes  []string
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// tokenHandler is the family's OAuth2 client-credentials route: Basic
// auth, a JSON body {"grant_type":"client_credentials"} (form-encoded
// accepted too).
func (s *Server) tokenHandler(f family) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.mtlsOK(f, r) {
			refuseNoCert(w)
			return
		}
		id, secret, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(id), []byte(s.cfg.ClientID)) != 1 ||
			subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.ClientSecret)) != 1 {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": "Invalid or inactive credentials"})
			return
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, 4096))
		grant := ""
		if strings.Contains(r.Header.Get("Content-Type"), "json") {
			var v struct {
				GrantType string `json:"grant_type"`
			}
			json.Unmarshal(body, &v)
			grant = v.GrantType
		} else if q, err := url.ParseQuery(string(body)); err == nil {
			grant = q.Get("grant_type")
		}
		if grant != "client_credentials" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type", "error_description": "grant_type must be client_credentials"})
			return
		}
		ttl := s.cfg.OtherTokenTTL
		if f == famCharges {
			ttl = s.cfg.ChargesTokenTTL
		}
		scopes := familyScopes[f]
		if s.cfg.Scopes != nil {
			scopes = slices.DeleteFunc(slices.Clone(scopes), func(sc string) bool { return !slices.Contains(s.cfg.Scopes, sc) })
		}
		tok := base64.RawURLEncoding.EncodeToString([]byte(randomHex(24)))
		now := time.Now()
		s.mu.Lock()
		s.oauth[tok] = accessToken{Family: f, Expires: now.Add(ttl), Scopes: scopes}
		s.mu.Unlock()
		if f == famCharges {
			writeJSON(w, 200, map[string]any{
				"access_token": tok, "refresh_token": base64.RawURLEncoding.EncodeToString([]byte(randomHex(24))),
				"expires_in": int(ttl.Seconds()), "expire_at": strconv.FormatInt(now.Add(ttl).UnixMilli(), 10), "token_type": "Bearer",
			})
			return
		}
		writeJSON(w, 200, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": int(ttl.Seconds()), "scope": strings.Join(scopes, " ")})
	}
}

// authorize checks the bearer token: known, not expired, of this family,
// and granting the route's scope.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, f family, scope string) bool {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	s.mu.Lock()
	at, known := s.oauth[strings.TrimSpace(tok)]
	s.mu.Unlock()
	if !ok || !known || time.Now().After(at.Expires) || at.Family != f {
		if f == famCharges {
			(&chargeError{Status: 401, Code: 3500003, Slug: "authorization_error", Description: "Token de acesso inválido ou expirado."}).write(w)
		} else {
			writeJSON(w, 401, map[string]string{"nome": "nao_autorizado", "mensagem": "Token de acesso inválido ou expirado"})
		}
		return false
	}
	if scope != "" && !slices.Contains(at.Scopes, scope) {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "insufficient_scope", "error_description": "Access token has insufficient scope"})
		return false
	}
	return true
}
