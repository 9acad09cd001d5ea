package charges

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/efiportal/portal/db"
	"github.com/efiportal/portal/services"
)

// MaxCallbackBody is the largest callback body stored; Efí sends a few bytes.
const MaxCallbackBody = 64 << 10

// ErrUnknownHook means the callback's secret names no organisation.
var ErrUnknownHook = errors.New("unknown callback url")

// Callback is one POST Efí made to an organisation's notification_url.
type Callback struct {
	Secret      string
	Body        []byte
	ContentType string
	RemoteAddr  string
}

// Receive stores a callback raw, at once, and wakes the worker. Nothing in
// the body is trusted for state: only the token is read from it, and the
// state comes from fetching that token back from the API.
func (s *Service) Receive(ctx context.Context, cb Callback) (int64, error) {
	org, err := s.db.OrgByCallbackSecret(ctx, cb.Secret)
	if errors.Is(err, db.ErrNotFound) {
		return 0, ErrUnknownHook
	}
	if err != nil {
		return 0, err
	}
	e := &db.WebhookEvent{
		OrgID:       org,
		Source:      "charges",
		RemoteAddr:  cb.RemoteAddr,
		ContentType: cb.ContentType,
		Raw:         string(cb.Body),
		Token:       notificationToken(cb.Body, cb.ContentType),
	}
	if err := s.db.InsertWebhookEvent(ctx, e); err != nil {
		return 0, err
	}
	s.wake()
	return e.ID, nil
}

// notificationToken reads the token from "notification=<token>" (the form
// encoding Efí uses) or from a JSON body {"notification": "..."}.
func notificationToken(body []byte, contentType string) string {
	if strings.Contains(contentType, "json") {
		var v struct {
			Notification string `json:"notification"`
		}
		if json.Unmarshal(body, &v) == nil {
			return v.Notification
		}
		return ""
	}
	q, err := url.ParseQuery(string(body))
	if err != nil {
		return ""
	}
	return q.Get("notification")
}

func (s *Service) wake() {
	s.once.Do(s.initWake)
	select {
	case s.wakeCh <- struct{}{}:
	default:
	}
}

func (s *Service) initWake() { s.wakeCh = make(chan struct{}, 1) }

// retryDelays is how long the worker waits before fetching a token again
// after the API failed; after the last, the event is marked failed.
var retryDelays = []time.Duration{10 * time.Second, time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour}

// RunWorker processes due callbacks until ctx ends: woken at once by
// Receive, and every interval for retries.
func (s *Service) RunWorker(ctx context.Context, interval time.Duration) {
	s.once.Do(s.initWake)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := s.ProcessDue(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.ErrorContext(ctx, "notification worker", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wakeCh:
		}
	}
}

// ProcessDue processes every callback whose turn has come.
func (s *Service) ProcessDue(ctx context.Context) error {
	for {
		events, err := s.db.DueWebhookEvents(ctx, s.cfg.Now(), 20)
		if err != nil || len(events) == 0 {
			return err
		}
		for _, e := range events {
			if err := s.process(ctx, e); err != nil {
				return err
			}
		}
		if len(events) < 20 {
			return nil
		}
	}
}

// process fetches an event's token and applies its changes in order.
func (s *Service) process(ctx context.Context, e db.WebhookEvent) error {
	if e.Token == "" {
		return s.db.WithTx(ctx, func(tx *db.Tx) error {
			return db.FinishWebhookEvent(ctx, tx, e.ID, db.EventFailed, "", "events.outcome.no_token", time.Time{})
		})
	}
	api, err := s.clients.For(ctx, e.OrgID)
	if err != nil {
		return fmt.Errorf("api client for org %d: %w", e.OrgID, err)
	}
	changes, err := api.Notification(ctx, e.Token)
	if err != nil {
		state, retry := db.EventPending, time.Time{}
		if e.Attempts < len(retryDelays) {
			retry = s.cfg.Now().Add(retryDelays[e.Attempts])
		} else {
			state = db.EventFailed
		}
		if !retryable(err) {
			state, retry = db.EventFailed, time.Time{}
		}
		s.cfg.Logger.WarnContext(ctx, "notification fetch failed", "event_id", e.ID, "err", err)
		return s.db.WithTx(ctx, func(tx *db.Tx) error {
			return db.FinishWebhookEvent(ctx, tx, e.ID, state, "", "events.outcome.fetch_failed|"+err.Error(), retry)
		})
	}
	fetched, _ := json.MarshalIndent(changes, "", "  ")
	sort.SliceStable(changes, func(i, j int) bool { return changes[i].ID < changes[j].ID })
	applied, ignored := 0, 0
	var unknown []int64
	var touched []db.Charge
	err = s.db.WithTx(ctx, func(tx *db.Tx) error {
		for _, ch := range changes {
			if ch.ChargeID == 0 || !(ch.Type == "charge" || strings.HasSuffix(ch.Type, "_charge")) {
				ignored++
				continue
			}
			c, err := db.ChargeByEfiID(ctx, tx, e.OrgID, ch.ChargeID)
			if errors.Is(err, db.ErrNotFound) {
				unknown = append(unknown, ch.ChargeID)
				continue
			}
			if err != nil {
				return err
			}
			ok, err := db.ApplyNotificationChange(ctx, tx, c, db.NotificationChange{
				ChangeID: ch.ID, Status: ch.Current, Previous: ch.Previous, Token: e.Token,
				PaidValue: ch.Value, ReceivedAt: ch.ReceivedAt, Reason: ch.Reason, At: ch.CreatedAt,
			})
			if err != nil {
				return err
			}
			if ok {
				applied++
				touched = append(touched, c)
			} else {
				ignored++
			}
		}
		outcome := fmt.Sprintf("events.outcome.applied|%d|%d", applied, ignored)
		if len(unknown) > 0 {
			outcome += fmt.Sprintf("|unknown:%v", unknown)
		}
		return db.FinishWebhookEvent(ctx, tx, e.ID, db.EventDone, string(fetched), outcome, time.Time{})
	})
	if err == nil && applied > 0 {
		s.cfg.Logger.InfoContext(ctx, "notification applied", "event_id", e.ID, "applied", applied)
		seen := map[int64]bool{}
		for _, c := range touched {
			if seen[c.ID] {
				continue
			}
			seen[c.ID] = true
			// The API's own history joins the timeline; a failure here only
			// delays it to the next reconciliation.
			if herr := s.SyncHistory(ctx, c); herr != nil {
				s.cfg.Logger.WarnContext(ctx, "sync api history", "charge_id", c.EfiChargeID, "err", herr)
			}
		}
	}
	return err
}

// retryable tells a passing failure (network, timeout, 429, 5xx), worth
// another fetch later, from an answer the API will repeat (unknown token).
func retryable(err error) bool {
	var st interface{ HTTPStatus() int }
	if errors.As(err, &st) {
		code := st.HTTPStatus()
		return code == 0 || code == 429 || code >= 500
	}
	var ue UserError
	return !errors.As(err, &ue)
}

// Events lists the event log, newest first.
func (s *Service) Events(ctx context.Context, a services.Actor, orgFilter int64, state string, afterID int64) ([]db.WebhookEvent, bool, error) {
	sc, err := scope(a, orgFilter)
	if err != nil {
		return nil, false, err
	}
	return s.db.ListWebhookEvents(ctx, db.EventFilter{Scope: sc, State: state, AfterID: afterID})
}

// Event reads one event.
func (s *Service) Event(ctx context.Context, a services.Actor, id int64) (db.WebhookEvent, error) {
	sc, err := scope(a, 0)
	if err != nil {
		return db.WebhookEvent{}, err
	}
	e, err := s.db.WebhookEvent(ctx, sc, id)
	if errors.Is(err, db.ErrNotFound) {
		return e, services.ErrNotFound
	}
	return e, err
}

// Reprocess queues an event to be fetched and applied again now.
func (s *Service) Reprocess(ctx context.Context, a services.Actor, id int64) error {
	sc, err := scope(a, 0)
	if err != nil {
		return err
	}
	if err := s.db.RequeueWebhookEvent(ctx, sc, id); errors.Is(err, db.ErrNotFound) {
		return services.ErrNotFound
	} else if err != nil {
		return err
	}
	s.wake()
	return nil
}

// RunReconciler re-reads, every interval, the charges that may still
// change and were not synced for staleAfter, so a lost callback never
// leaves a wrong status for long.
func (s *Service) RunReconciler(ctx context.Context, interval, staleAfter time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n, err := s.Reconcile(ctx, staleAfter, 100); err != nil && ctx.Err() == nil {
			s.cfg.Logger.WarnContext(ctx, "reconciliation", "err", err, "checked", n)
		}
	}
}

// Reconcile refreshes up to limit open charges not synced for staleAfter.
func (s *Service) Reconcile(ctx context.Context, staleAfter time.Duration, limit int) (int, error) {
	open, err := s.db.OpenCharges(ctx, s.cfg.Now().Add(-staleAfter), limit)
	if err != nil {
		return 0, err
	}
	var errs []error
	for i, c := range open {
		api, err := s.clients.For(ctx, c.OrgID)
		if err == nil {
			err = s.Refresh(ctx, c, api)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("charge %d: %w", c.EfiChargeID, err))
		}
		if ctx.Err() != nil {
			return i, ctx.Err()
		}
	}
	return len(open), errors.Join(errs...)
}
