package sandbox

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// change is one entry of GET /v1/notification/:token (§7).
type change struct {
	ID          int64            `json:"id"`
	Type        string           `json:"type"`
	CustomID    *string          `json:"custom_id"`
	Status      map[string]any   `json:"status"`
	Identifiers map[string]int64 `json:"identifiers"`
	CreatedAt   string           `json:"created_at"`
	Value       int64            `json:"value,omitempty"`
	ReceivedAt  string           `json:"received_by_bank_at,omitempty"`
	Reason      string           `json:"reason,omitempty"`
}

// notifToken is a charge's notification token and its changes; the token
// is the same for the charge's whole life.
type notifToken struct {
	Changes []change `json:"changes"`
}

// delivery is a pending callback POST.
type delivery struct {
	URL      string
	Token    string
	Attempts int
	Next     time.Time
	Since    time.Time // the change it announces
}

// deliveryRecord is one callback attempt, kept for the controls.
type deliveryRecord struct {
	At       time.Time `json:"at"`
	URL      string    `json:"url"`
	Kind     string    `json:"kind"`
	Status   int       `json:"status"` // 0: no answer
	Response string    `json:"response"`
}

func (s *Server) recordDelivery(r deliveryRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deliveries = append(s.deliveries, r)
	if len(s.deliveries) > 1000 {
		s.deliveries = s.deliveries[len(s.deliveries)-1000:]
	}
}

// Deliveries lists the callback attempts, newest first.
func (s *Server) Deliveries() []deliveryRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]deliveryRecord, len(s.deliveries))
	for i, d := range s.deliveries {
		out[len(out)-1-i] = d
	}
	return out
}

// recordChange appends a change to the charge's token (caller holds mu).
func (s *Server) recordChange(c *charge, status, reason string) {
	t := s.tokens[c.Token]
	if t == nil {
		t = &notifToken{}
		s.tokens[c.Token] = t
	}
	prev := any(nil)
	if n := len(t.Changes); n > 0 {
		prev = t.Changes[n-1].Status["current"]
	}
	ch := change{ID: int64(len(t.Changes) + 1), Type: "charge", CustomID: c.CustomID,
		Status: map[string]any{"current": status, "previous": prev}, Identifiers: map[string]int64{"charge_id": c.ID},
		CreatedAt: s.now().Format(tsLayout), Reason: reason}
	if c.CarnetID != 0 || c.SubscriptionID != 0 {
		// A parcel or a subscription's charge shares its parent's token; its
		// own previous status is its last change, not the token's (§7).
		if c.CarnetID != 0 {
			ch.Type, ch.Identifiers["carnet_id"] = "carnet_charge", c.CarnetID
		} else {
			ch.Type, ch.Identifiers["subscription_id"] = "subscription_charge", c.SubscriptionID
		}
		ch.Status["previous"] = nil
		for i := len(t.Changes) - 1; i >= 0; i-- {
			if t.Changes[i].Identifiers["charge_id"] == c.ID {
				ch.Status["previous"] = t.Changes[i].Status["current"]
				break
			}
		}
	}
	if status == "paid" {
		ch.Value, ch.ReceivedAt = c.PaidValue, c.PaidAt
	}
	t.Changes = append(t.Changes, ch)
	s.store.put("token", c.Token, t)
}

// setStatus moves a charge to a status, records the change and schedules
// the callback to its notification_url (caller holds mu).
func (s *Server) setStatus(c *charge, status, reason string) {
	if c.Status == status {
		return
	}
	c.Status = status
	s.recordChange(c, status, reason)
	if k := s.carnets[c.CarnetID]; k != nil && c.CarnetID != 0 {
		defer s.refreshCarnet(k)
	}
	if c.NotificationURL != nil && *c.NotificationURL != "" {
		s.callbacks = append(s.callbacks, &delivery{URL: *c.NotificationURL, Token: c.Token, Next: time.Now(), Since: time.Now()})
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// markPaid pays a charge with a value (after discounts) on the sandbox's today.
func (s *Server) markPaid(c *charge, value int64, how string) {
	c.PaidValue, c.PaidAt = value, s.now().Format(dateLayout)
	s.addHist(c, how)
	s.setStatus(c, "paid", "")
}

func (s *Server) getNotification(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[r.PathValue("token")]
	if t == nil {
		notFoundErr("token").write(w)
		return
	}
	// Fetching the token is what makes Efí count the callback as received.
	s.fetched[r.PathValue("token")] = time.Now()
	writeJSON(w, 200, map[string]any{"code": 200, "data": t.Changes})
}

// deliverDue posts every callback whose turn has come; a failure is
// retried after the next delay of the schedule, up to its end.
func (s *Server) deliverDue(ctx context.Context) {
	s.mu.Lock()
	now := time.Now()
	var due, rest []*delivery
	for _, d := range s.callbacks {
		if !d.Next.After(now) {
			due = append(due, d)
		} else {
			rest = append(rest, d)
		}
	}
	s.callbacks = rest
	s.mu.Unlock()
	for _, d := range due {
		if ctx.Err() != nil {
			return
		}
		ok := s.post(ctx, d)
		if ok {
			// A 2xx is not enough: until the token is fetched, Efí keeps notifying (§7).
			s.mu.Lock()
			fetched := s.fetched[d.Token]
			s.mu.Unlock()
			if !fetched.Before(d.Since) {
				continue
			}
		}
		if d.Attempts >= len(s.cfg.CallbackRetryDelays) {
			s.log.Warn("callback abandoned after retries", "url", d.URL, "attempts", d.Attempts+1)
			continue
		}
		d.Next = time.Now().Add(s.cfg.CallbackRetryDelays[d.Attempts])
		d.Attempts++
		s.mu.Lock()
		s.callbacks = append(s.callbacks, d)
		s.mu.Unlock()
	}
}

// post sends one callback as Efí does: a form field "notification" with
// the token. Any 2xx counts as delivered.
func (s *Server) post(ctx context.Context, d *delivery) bool {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.CallbackTimeout)
	defer cancel()
	body := url.Values{"notification": {d.Token}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, strings.NewReader(body))
	if err != nil {
		return false
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		s.log.Info("callback failed", "url", d.URL, "err", err, "attempt", d.Attempts+1)
		s.recordDelivery(deliveryRecord{At: time.Now(), URL: d.URL, Kind: "notification", Response: err.Error()})
		return false
	}
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	resp.Body.Close()
	s.recordDelivery(deliveryRecord{At: time.Now(), URL: d.URL, Kind: "notification", Status: resp.StatusCode, Response: string(answer)})
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		s.log.Info("callback refused", "url", d.URL, "status", resp.StatusCode, "attempt", d.Attempts+1)
		return false
	}
	return true
}
