package sandbox

import (
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"
)

// plan is a subscription plan (§6).
type plan struct {
	ID        int64  `json:"plan_id"`
	Name      string `json:"name"`
	Interval  int    `json:"interval"`
	Repeats   *int   `json:"repeats"`
	CreatedAt string `json:"created_at"`
	Deleted   bool   `json:"deleted,omitempty"`
}

// subscription is a plan's subscription; each charge it generates is an
// ordinary charge (GET /v1/charge/:id works for it).
type subscription struct {
	ID              int64       `json:"subscription_id"`
	PlanID          int64       `json:"plan_id"`
	Status          string      `json:"status"`
	Items           []item      `json:"items"`
	Value           int64       `json:"value"`
	CustomID        *string     `json:"custom_id"`
	NotificationURL *string     `json:"notification_url"`
	Method          string      `json:"payment_method,omitempty"`
	Payment         *paymentIn  `json:"payment,omitempty"`
	ChargeIDs       []int64     `json:"charge_ids"`
	NextExecution   string      `json:"next_execution,omitempty"`
	CreatedAt       string      `json:"created_at"`
	History         []histEntry `json:"history"`
	Token           string      `json:"token"`
}

// setSubStatus moves a subscription and records the change on its token,
// with a callback to its notification_url (caller holds mu).
func (s *Server) setSubStatus(sub *subscription, status string) {
	prev := sub.Status
	sub.Status = status
	t := s.tokens[sub.Token]
	if t == nil {
		t = &notifToken{}
		s.tokens[sub.Token] = t
	}
	var previous any = prev
	if len(t.Changes) == 0 {
		previous = nil
	}
	t.Changes = append(t.Changes, change{ID: int64(len(t.Changes) + 1), Type: "subscription", CustomID: sub.CustomID,
		Status: map[string]any{"current": status, "previous": previous}, Identifiers: map[string]int64{"subscription_id": sub.ID}, CreatedAt: s.now().Format(tsLayout)})
	s.store.put("token", sub.Token, t)
	if sub.NotificationURL != nil && *sub.NotificationURL != "" {
		s.callbacks = append(s.callbacks, &delivery{URL: *sub.NotificationURL, Token: sub.Token, Next: time.Now(), Since: time.Now()})
	}
}

// subCharge creates a subscription's charge on the subscription's token (caller holds mu).
func (s *Server) subCharge(sub *subscription, items []item, total int64, md *metadataIn) *charge {
	c := s.newCharge(items, total, md)
	delete(s.tokens, c.Token)
	s.store.db.Exec(`DELETE FROM docs WHERE kind = 'token' AND id = ?`, c.Token)
	c.Token, c.SubscriptionID = sub.Token, sub.ID
	s.recordChange(c, "new", "")
	return c
}

func (s *Server) savePlan(p *plan) { s.store.put("plan", strconv.FormatInt(p.ID, 10), p) }

func (s *Server) saveSub(sub *subscription) {
	s.store.put("subscription", strconv.FormatInt(sub.ID, 10), sub)
}

func (s *Server) createPlan(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name     string `json:"name"`
		Interval *int   `json:"interval"`
		Repeats  *int   `json:"repeats"`
	}
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	switch {
	case utf8.RuneCountInString(in.Name) < 1 || utf8.RuneCountInString(in.Name) > 255:
		validationErr("/name", "O tamanho da string deve ser entre 1 e 255 caracteres.").write(w)
		return
	case in.Interval == nil || *in.Interval < 1 || *in.Interval > 24:
		validationErr("/interval", "O intervalo deve ser um inteiro entre 1 e 24 meses.").write(w)
		return
	case in.Repeats != nil && (*in.Repeats < 2 || *in.Repeats > 120):
		validationErr("/repeats", "O número de repetições deve estar entre 2 e 120.").write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &plan{ID: s.nextID("plan", 10000), Name: in.Name, Interval: *in.Interval, Repeats: in.Repeats, CreatedAt: s.now().Format(tsLayout)}
	s.plans[p.ID] = p
	s.savePlan(p)
	writeJSON(w, 200, map[string]any{"code": 200, "data": p})
}

func (s *Server) listPlans(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	if limit <= 0 {
		limit = 20
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*plan{}
	for id := int64(10001); id <= s.seq["plan"]; id++ {
		p := s.plans[id]
		if p == nil || p.Deleted || (name != "" && !containsFold(p.Name, name)) {
			continue
		}
		out = append(out, p)
	}
	if offset > len(out) {
		offset = len(out)
	}
	out = out[offset:min(len(out), offset+limit)]
	writeJSON(w, 200, map[string]any{"code": 200, "data": out})
}

func containsFold(s, sub string) bool {
	return len(sub) == 0 || indexFold(s, sub) >= 0
}

func indexFold(s, sub string) int {
	ls, lsub := []rune(s), []rune(sub)
	for i := 0; i+len(lsub) <= len(ls); i++ {
		ok := true
		for j := range lsub {
			if toLower(ls[i+j]) != toLower(lsub[j]) {
				ok = false
				break
			}
		}
		if ok {
			return i
		}
	}
	return -1
}

func toLower(r rune) rune {
	if r >= 'A' && r <= 'Z' {
		return r + 32
	}
	return r
}

func (s *Server) getPlan(w http.ResponseWriter, r *http.Request) (*plan, bool) {
	id, ok := pathID(r, "id")
	p := s.plans[id]
	if !ok || p == nil || p.Deleted {
		notFoundErr("id").write(w)
		return nil, false
	}
	return p, true
}

func (s *Server) updatePlan(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name"`
	}
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	if n := utf8.RuneCountInString(in.Name); n < 1 || n > 255 {
		validationErr("/name", "O tamanho da string deve ser entre 1 e 255 caracteres.").write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.getPlan(w, r)
	if !ok {
		return
	}
	p.Name = in.Name
	s.savePlan(p)
	writeJSON(w, 200, map[string]any{"code": 200})
}

// deletePlan refuses while any subscription uses the plan (3500032).
func (s *Server) deletePlan(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.getPlan(w, r)
	if !ok {
		return
	}
	for _, sub := range s.subs {
		if sub.PlanID == p.ID {
			(&chargeError{Status: 400, Code: 3500032, Slug: "plan_has_transactions", Description: "O plano não pode ser removido pois possui transações associadas."}).write(w)
			return
		}
	}
	p.Deleted = true
	s.savePlan(p)
	writeJSON(w, 200, map[string]any{"code": 200})
}

type subscriptionIn struct {
	Items     []itemIn        `json:"items"`
	Shippings []itemIn        `json:"shippings"`
	Metadata  *metadataIn     `json:"metadata"`
	Payment   *paymentIn      `json:"payment"`
	Settings  *linkSettingsIn `json:"settings"`
}

// newSubscription validates the body and creates the subscription with its
// first charge (caller holds mu).
func (s *Server) newSubscription(w http.ResponseWriter, r *http.Request, in subscriptionIn) (*subscription, *plan, *charge, bool) {
	p, ok := s.getPlan(w, r)
	if !ok {
		return nil, nil, nil, false
	}
	items, total, e := validateItems(in.Items)
	if e == nil {
		e = validateMetadata(in.Metadata)
	}
	if e == nil && in.Payment != nil {
		if in.Payment.CreditCard != nil && in.Payment.CreditCard.Installments > 1 {
			e = &chargeError{Status: 400, Code: 3500021, Slug: "invalid_installments", Description: "[installments] não pode ser superior a 1 para assinaturas."}
		} else {
			e = s.validatePayment(total, *in.Payment)
		}
	}
	if e != nil {
		e.write(w)
		return nil, nil, nil, false
	}
	sub := &subscription{ID: s.nextID("subscription", 60000), PlanID: p.ID, Items: items, Value: total, CreatedAt: s.now().Format(tsLayout), Token: newUUID()}
	if in.Metadata != nil {
		sub.CustomID, sub.NotificationURL = in.Metadata.CustomID, in.Metadata.NotificationURL
	}
	sub.History = append(sub.History, histEntry{Message: "Assinatura criada", CreatedAt: sub.CreatedAt})
	s.setSubStatus(sub, "new")
	c := s.subCharge(sub, items, total, in.Metadata)
	sub.ChargeIDs = append(sub.ChargeIDs, c.ID)
	s.subs[sub.ID] = sub
	return sub, p, c, true
}

func (s *Server) createSubscription(w http.ResponseWriter, r *http.Request) {
	var in subscriptionIn
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, _, c, ok := s.newSubscription(w, r, in)
	if !ok {
		return
	}
	s.saveCharge(c)
	s.saveSub(sub)
	writeJSON(w, 200, map[string]any{"code": 200, "data": map[string]any{"subscription_id": sub.ID, "status": sub.Status, "custom_id": sub.CustomID,
		"charges": []map[string]any{{"charge_id": c.ID, "status": c.Status, "total": c.Total, "parcel": 1}}, "created_at": sub.CreatedAt}})
}

// activate pays the subscription's charge and makes it active (caller holds mu).
func (s *Server) activate(sub *subscription, p *plan, c *charge, pay paymentIn) (map[string]any, *chargeError) {
	out, e := s.pay(c, pay)
	if e != nil {
		return nil, e
	}
	sub.Method, sub.Payment = c.Method, &pay
	s.setSubStatus(sub, "active")
	sub.NextExecution = s.now().AddDate(0, p.Interval, 0).Format(dateLayout)
	sub.History = append(sub.History, histEntry{Message: "Assinatura ativa", CreatedAt: s.now().Format(tsLayout)})
	out["subscription_id"] = sub.ID
	out["status"] = sub.Status
	out["plan"] = map[string]any{"id": p.ID, "interval": p.Interval, "repeats": p.Repeats}
	out["charge"] = map[string]any{"id": c.ID, "status": c.Status, "parcel": 1, "total": c.Total}
	out["first_execution"] = s.now().Format("02/01/2006")
	return out, nil
}

func (s *Server) createOneStepSubscription(w http.ResponseWriter, r *http.Request) {
	var in subscriptionIn
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	if in.Payment == nil {
		validationErr("/payment", "A propriedade [payment] é obrigatória.").write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, p, c, ok := s.newSubscription(w, r, in)
	if !ok {
		return
	}
	out, e := s.activate(sub, p, c, *in.Payment)
	if e != nil {
		e.write(w)
		return
	}
	s.saveCharge(c)
	s.saveSub(sub)
	writeJSON(w, 200, map[string]any{"code": 200, "data": out})
}

func (s *Server) createOneStepSubscriptionLink(w http.ResponseWriter, r *http.Request) {
	var in subscriptionIn
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, _, c, ok := s.newSubscription(w, r, in)
	if !ok {
		return
	}
	settings := linkSettingsIn{}
	if in.Settings != nil {
		settings = *in.Settings
	}
	l := &linkInfo{Code: randomHex(12)}
	if e := s.applyLinkSettings("/settings/", settings, c.Total, l, true); e != nil {
		delete(s.subs, sub.ID)
		delete(s.charges, c.ID)
		e.write(w)
		return
	}
	c.Link = l
	s.setStatus(c, "link", "")
	s.saveCharge(c)
	s.saveSub(sub)
	writeJSON(w, 200, map[string]any{"code": 200, "data": map[string]any{"subscription_id": sub.ID, "status": sub.Status, "custom_id": sub.CustomID,
		"charge": map[string]any{"id": c.ID, "status": c.Status, "total": c.Total, "parcel": 1}, "payment_url": s.publicURL + "/pay/" + l.Code,
		"payment_method": l.PaymentMethod, "conditional_discount_date": nilIfEmpty(l.ConditionalDate), "request_delivery_address": l.RequestDeliveryAddress,
		"expire_at": l.ExpireAt, "created_at": sub.CreatedAt}})
}

func (s *Server) getSub(w http.ResponseWriter, r *http.Request) (*subscription, bool) {
	id, ok := pathID(r, "id")
	sub := s.subs[id]
	if !ok || sub == nil {
		notFoundErr("id").write(w)
		return nil, false
	}
	return sub, true
}

func (s *Server) subView(sub *subscription) map[string]any {
	p := s.plans[sub.PlanID]
	var hist []map[string]any
	for _, id := range sub.ChargeIDs {
		if c := s.charges[id]; c != nil {
			hist = append(hist, map[string]any{"charge_id": c.ID, "status": c.Status, "created_at": c.CreatedAt})
		}
	}
	return map[string]any{"subscription_id": sub.ID, "value": sub.Value, "status": sub.Status, "custom_id": sub.CustomID,
		"notification_url": sub.NotificationURL, "payment_method": nilIfEmpty(sub.Method), "next_execution": nilIfEmpty(sub.NextExecution),
		"next_expire_at": nilIfEmpty(sub.NextExecution), "plan": map[string]any{"plan_id": p.ID, "name": p.Name, "interval": p.Interval, "repeats": p.Repeats},
		"occurrences": len(sub.ChargeIDs), "created_at": sub.CreatedAt, "history": hist}
}

func (s *Server) detailSubscription(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.getSub(w, r)
	if !ok {
		return
	}
	writeJSON(w, 200, map[string]any{"code": 200, "data": s.subView(sub)})
}

func (s *Server) paySubscription(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Payment *paymentIn `json:"payment"`
	}
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.getSub(w, r)
	if !ok {
		return
	}
	if in.Payment == nil {
		validationErr("/payment", "A propriedade [payment] é obrigatória.").write(w)
		return
	}
	if sub.Status != "new" {
		(&chargeError{Status: 400, Code: 3500067, Slug: "invalid_status", Description: "A assinatura não pode ser paga pois possui o status [" + sub.Status + "]."}).write(w)
		return
	}
	if in.Payment.CreditCard != nil && in.Payment.CreditCard.Installments > 1 {
		(&chargeError{Status: 400, Code: 3500021, Slug: "invalid_installments", Description: "[installments] não pode ser superior a 1 para assinaturas."}).write(w)
		return
	}
	c := s.charges[sub.ChargeIDs[0]]
	out, e := s.activate(sub, s.plans[sub.PlanID], c, *in.Payment)
	if e != nil {
		e.write(w)
		return
	}
	s.saveCharge(c)
	s.saveSub(sub)
	writeJSON(w, 200, map[string]any{"code": 200, "data": out})
}

func (s *Server) cancelSubscription(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.getSub(w, r)
	if !ok {
		return
	}
	if sub.Status != "new" && sub.Status != "active" {
		(&chargeError{Status: 400, Code: 3500040, Slug: "invalid_status", Description: "Apenas assinaturas com status [new] ou [active] podem ser canceladas."}).write(w)
		return
	}
	s.setSubStatus(sub, "canceled")
	sub.History = append(sub.History, histEntry{Message: "Assinatura cancelada", CreatedAt: s.now().Format(tsLayout)})
	s.saveSub(sub)
	writeJSON(w, 200, map[string]any{"code": 200})
}

func (s *Server) subscriptionMetadata(w http.ResponseWriter, r *http.Request) {
	var in metadataIn
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	if e := validateMetadata(&in); e != nil {
		e.write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.getSub(w, r)
	if !ok {
		return
	}
	if in.CustomID != nil {
		sub.CustomID = in.CustomID
	}
	if in.NotificationURL != nil {
		sub.NotificationURL = in.NotificationURL
	}
	s.saveSub(sub)
	writeJSON(w, 200, map[string]any{"code": 200})
}

func (s *Server) subscriptionHistory(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Description string `json:"description"`
	}
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	if n := utf8.RuneCountInString(in.Description); n < 1 || n > 255 {
		validationErr("/description", "O tamanho da string deve ser entre 1 e 255 caracteres.").write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.getSub(w, r)
	if !ok {
		return
	}
	sub.History = append(sub.History, histEntry{Message: in.Description, CreatedAt: s.now().Format(tsLayout)})
	s.saveSub(sub)
	writeJSON(w, 200, map[string]any{"code": 200})
}

// renewSubscriptions generates, when the clock passes next_execution, the
// next charge of each active subscription, paid by the same method, and
// expires the subscriptions whose repeats are exhausted (caller holds mu).
func (s *Server) renewSubscriptions() {
	today := s.now().Format(dateLayout)
	for _, sub := range s.subs {
		for sub.Status == "active" && sub.NextExecution != "" && sub.NextExecution <= today {
			p := s.plans[sub.PlanID]
			if p.Repeats != nil && len(sub.ChargeIDs) >= *p.Repeats {
				s.setSubStatus(sub, "expired")
				sub.History = append(sub.History, histEntry{Message: "Assinatura expirada", CreatedAt: s.now().Format(tsLayout)})
				break
			}
			c := s.subCharge(sub, sub.Items, sub.Value, &metadataIn{CustomID: sub.CustomID, NotificationURL: sub.NotificationURL})
			if sub.Payment != nil {
				pay := *sub.Payment
				if pay.BankingBillet != nil {
					b := *pay.BankingBillet
					b.ExpireAt = sub.NextExecution
					pay.BankingBillet = &b
				}
				s.pay(c, pay)
			}
			s.saveCharge(c)
			sub.ChargeIDs = append(sub.ChargeIDs, c.ID)
			next, _ := time.Parse(dateLayout, sub.NextExecution)
			sub.NextExecution = next.AddDate(0, p.Interval, 0).Format(dateLayout)
			sub.History = append(sub.History, histEntry{Message: "Nova cobrança gerada", CreatedAt: s.now().Format(tsLayout)})
		}
		s.saveSub(sub)
	}
}

// updateSubscription is PUT /v1/subscription/:id: plan, customer contact
// or items of a card subscription.
func (s *Server) updateSubscription(w http.ResponseWriter, r *http.Request) {
	var in struct {
		PlanID       int64          `json:"plan_id"`
		Customer     map[string]any `json:"customer"`
		Items        []itemIn       `json:"items"`
		Shippings    []itemIn       `json:"shippings"`
		PaymentToken string         `json:"payment_token"`
	}
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, ok := s.getSub(w, r)
	if !ok {
		return
	}
	if sub.Method != "credit_card" {
		(&chargeError{Status: 400, Code: 3500069, Slug: "invalid_payment_method", Description: "Apenas assinaturas pagas com cartão de crédito podem ser alteradas."}).write(w)
		return
	}
	if in.PlanID != 0 {
		p := s.plans[in.PlanID]
		if p == nil || p.Deleted {
			notFoundErr("plan_id").write(w)
			return
		}
		sub.PlanID = p.ID
	}
	if len(in.Items) > 0 {
		items, total, e := validateItems(in.Items)
		if e != nil {
			e.write(w)
			return
		}
		sub.Items, sub.Value = items, total
	}
	email, phone := "", ""
	if in.Customer != nil {
		email, _ = in.Customer["email"].(string)
		phone, _ = in.Customer["phone_number"].(string)
	}
	sub.History = append(sub.History, histEntry{Message: "Assinatura alterada", CreatedAt: s.now().Format(tsLayout)})
	s.saveSub(sub)
	v := s.subView(sub)
	v["customer"] = map[string]string{"email": email, "phone_number": phone}
	writeJSON(w, 200, map[string]any{"code": 200, "data": v})
}

// resendSubscriptionLink is POST /v1/charge/:id/subscription/resend.
func (s *Server) resendSubscriptionLink(w http.ResponseWriter, r *http.Request) {
	email, ok := readEmail(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.getCharge(w, r)
	if !ok {
		return
	}
	if c.Link == nil {
		(&chargeError{Status: 400, Code: 3500097, Slug: "link_not_found", Description: "A transação " + strconv.FormatInt(c.ID, 10) + " não possui um link de pagamento associado."}).write(w)
		return
	}
	s.addHist(c, "Link da assinatura reenviado para "+email)
	s.saveCharge(c)
	writeJSON(w, 200, map[string]any{"code": 200})
}
