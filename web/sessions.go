package web

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/gorilla/sessions"

	"github.com/efiportal/portal/db"
)

// sessionStore is a gorilla/sessions Store that keeps sessions in SQLite:
// the cookie carries only a random id (its SHA-256 is the row's key), so a
// session can be ended from the server at once.
type sessionStore struct {
	db      *db.DB
	options sessions.Options
}

func newSessionStore(d *db.DB, secure bool) *sessionStore {
	return &sessionStore{db: d, options: sessions.Options{Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}}
}

// Get returns the request's session, cached for the request.
func (st *sessionStore) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(st, name)
}

// Session values the store manages.
const (
	sessUserID  = "uid"
	sessCreated = "created"
	sessSeen    = "seen"
)

// New reads the session the cookie names, or starts an empty one.
func (st *sessionStore) New(r *http.Request, name string) (*sessions.Session, error) {
	s := sessions.NewSession(st, name)
	opts := st.options
	s.Options = &opts
	s.IsNew = true
	c, err := r.Cookie(name)
	if err != nil || c.Value == "" {
		return s, nil
	}
	row, err := st.db.SessionByID(r.Context(), c.Value)
	if errors.Is(err, db.ErrNotFound) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	vals := map[string]any{}
	json.Unmarshal([]byte(row.Data), &vals)
	for k, v := range vals {
		s.Values[k] = v
	}
	s.ID, s.IsNew = c.Value, false
	s.Values[sessUserID] = row.UserID
	s.Values[sessCreated] = row.CreatedAt
	s.Values[sessSeen] = row.LastSeenAt
	return s, nil
}

// Save writes the session: a new one gets a fresh random id (so the id
// changes at every sign-in), MaxAge < 0 deletes it.
func (st *sessionStore) Save(r *http.Request, w http.ResponseWriter, s *sessions.Session) error {
	if s.Options.MaxAge < 0 {
		if s.ID != "" {
			if err := st.db.DeleteSession(r.Context(), s.ID); err != nil {
				return err
			}
		}
		http.SetCookie(w, sessions.NewCookie(s.Name(), "", s.Options))
		return nil
	}
	data := map[string]any{}
	for k, v := range s.Values {
		if ks, ok := k.(string); ok && ks != sessUserID && ks != sessCreated && ks != sessSeen {
			data[ks] = v
		}
	}
	b, _ := json.Marshal(data)
	if s.ID == "" {
		uid, _ := s.Values[sessUserID].(int64)
		if uid == 0 {
			return errors.New("session store keeps signed-in sessions only")
		}
		var raw [32]byte
		rand.Read(raw[:])
		s.ID = base64.RawURLEncoding.EncodeToString(raw[:])
		if err := st.db.InsertSession(r.Context(), s.ID, uid, string(b), clientIP(r), r.UserAgent()); err != nil {
			return err
		}
		s.Values[sessCreated], s.Values[sessSeen] = time.Now().UTC(), time.Now().UTC()
	} else if err := st.db.TouchSession(r.Context(), s.ID, string(b)); err != nil {
		return err
	}
	http.SetCookie(w, sessions.NewCookie(s.Name(), s.ID, s.Options))
	return nil
}

func clientIP(r *http.Request) string { return r.RemoteAddr }
