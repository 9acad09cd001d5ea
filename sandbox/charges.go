package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

type item struct {
	Name   string `json:"name"`
	Value  int64  `json:"value"`
	Amount int64  `json:"amount"`
}

type histEntry struct {
	Message   string `json:"message"`
	CreatedAt string `json:"created_at"`
}

type linkInfo struct {
	Code                   string `json:"code"`
	PaymentMethod          string `json:"payment_method"`
	BilletDiscount         int64  `json:"billet_discount"`
	CardDiscount           int64  `json:"card_discount"`
	ConditionalType        string `json:"conditional_type"`
	ConditionalValue       int64  `json:"conditional_value"`
	ConditionalDate        string `json:"conditional_date"`
	Message                string `json:"message"`
	ExpireAt               string `json:"expire_at"`
	RequestDeliveryAddress bool   `json:"request_delivery_address"`
}

type billetInfo struct {
	Barcode  string `json:"barcode"`
	Code     string `json:"code"`
	ExpireAt string `json:"expire_at"`
	Message  string `json:"message"`
}

type cardInfo struct {
	Mask             string `json:"mask"`
	Installments     int    `json:"installments"`
	InstallmentValue int64  `json:"installment_value"`
}

// charge is the sandbox's record of one charge.
type charge struct {
	ID              int64          `json:"id"`
	Status          string         `json:"status"`
	Total           int64          `json:"total"`
	Items           []item         `json:"items"`
	CustomID        *string        `json:"custom_id"`
	NotificationURL *string        `json:"notification_url"`
	CreatedAt       string         `json:"created_at"`
	History         []histEntry    `json:"history"`
	Method          string         `json:"method,omitempty"`
	Billet          *billetInfo    `json:"billet,omitempty"`
	Card            *cardInfo      `json:"card,omitempty"`
	Link            *linkInfo      `json:"link,omitempty"`
	Customer        map[string]any `json:"customer,omitempty"`
	Reason          string         `json:"reason,omitempty"`
	Token           string         `json:"token"`
	PaidValue       int64          `json:"paid_value,omitempty"`
	PaidAt          string         `json:"paid_at,omitempty"`
	CarnetID        int64          `json:"carnet_id,omitempty"`
	SubscriptionID  int64          `json:"subscription_id,omitempty"`
	Parcel          int            `json:"parcel,omitempty"`
}

func (s *Server) saveCharge(c *charge) {
	if err := s.store.put("charge", strconv.FormatInt(c.ID, 10), c); err != nil {
		s.log.Error("persist charge", "charge_id", c.ID, "err", err)
	}
}

func (s *Server) addHist(c *charge, msg string) {
	c.History = append(c.History, histEntry{Message: msg, CreatedAt: s.now().Format(tsLayout)})
}

// decode reads a JSON body, refusing unknown properties as the API does.
func decode(r *http.Request, v any) *chargeError {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || len(bytes.TrimSpace(body)) == 0 {
		return &chargeError{Status: 400, Code: 3500002, Slug: "validation_error", Description: "O parâmetro [data] é obrigatório."}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		msg := err.Error()
		if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
			return validationErr("/"+strings.Trim(f, `"`), "Propriedade desconhecida (não está no schema).")
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return validationErr("/"+strings.ReplaceAll(te.Field, ".", "/"), "O tipo do valor não corresponde ao esperado: "+te.Type.String()+".")
		}
		return &chargeError{Status: 400, Code: 3500042, Slug: "validation_error", Description: "O parâmetro [data] deve ser um JSON."}
	}
	return nil
}

type itemIn struct {
	Name   string `json:"name"`
	Value  *int64 `json:"value"`
	Amount *int64 `json:"amount"`
}

type metadataIn struct {
	CustomID        *string `json:"custom_id"`
	NotificationURL *string `json:"notification_url"`
}

func validateItems(in []itemIn) ([]item, int64, *chargeError) {
	if len(in) == 0 {
		return nil, 0, validationErr("/items", "A propriedade [items] é obrigatória.")
	}
	var out []item
	var total int64
	for i, it := range in {
		p := fmt.Sprintf("/items/%d", i)
		if n := utf8.RuneCountInString(it.Name); n < 1 || n > 255 {
			return nil, 0, validationErr(p+"/name", "O tamanho da string deve ser entre 1 e 255 caracteres.")
		}
		if it.Value == nil {
			return nil, 0, validationErr(p, "A propriedade [value] é obrigatória.")
		}
		if *it.Value < 0 {
			return nil, 0, &chargeError{Status: 400, Code: 3500095, Slug: "invalid_value", Property: p + "/value", Description: "Não é permitido item com valor negativo."}
		}
		amount := int64(1)
		if it.Amount != nil {
			amount = *it.Amount
		}
		if amount < 1 {
			return nil, 0, validationErr(p+"/amount", "O valor deve ser maior ou igual a 1.")
		}
		out = append(out, item{Name: it.Name, Value: *it.Value, Amount: amount})
		total += *it.Value * amount
	}
	return out, total, nil
}

func validateMetadata(m *metadataIn) *chargeError {
	if m == nil {
		return nil
	}
	if m.CustomID != nil && utf8.RuneCountInString(*m.CustomID) > 255 {
		return validationErr("/metadata/custom_id", "O tamanho da string deve ser no máximo 255 caracteres.")
	}
	if m.NotificationURL != nil && *m.NotificationURL != "" {
		u, err := url.Parse(*m.NotificationURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(*m.NotificationURL) > 255 {
			return validationErr("/metadata/notification_url", "A URL de notificação informada é inválida.")
		}
	}
	return nil
}

var dateRe = regexp.MustCompile(`^[12][0-9]{3}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$`)

// checkDate validates a YYYY-MM-DD not before the sandbox's today.
func (s *Server) checkDate(prop, v string) *chargeError {
	if !dateRe.MatchString(v) {
		return validationErr(prop, "A string não corresponde ao modelo: ^[12][0-9]{3}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$.")
	}
	if _, err := time.Parse(dateLayout, v); err != nil {
		return validationErr(prop, "A data informada é inválida.")
	}
	if v < s.now().Format(dateLayout) {
		return &chargeError{Status: 400, Code: 4600007, Slug: "invalid_expire_at", Property: prop, Description: "A data de vencimento deve ser maior ou igual à data atual."}
	}
	return nil
}

// newCharge stores a charge in status "new" with its first notification change.
func (s *Server) newCharge(items []item, total int64, md *metadataIn) *charge {
	c := &charge{ID: s.nextID("charge", 40000000), Status: "new", Total: total, Items: items, CreatedAt: s.now().Format(tsLayout), Token: newUUID()}
	if md != nil {
		c.CustomID, c.NotificationURL = md.CustomID, md.NotificationURL
	}
	s.charges[c.ID] = c
	s.addHist(c, "Cobrança criada")
	s.recordChange(c, "new", "")
	return c
}

func newUUID() string {
	h := randomHex(16)
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

type createChargeIn struct {
	Items     []itemIn    `json:"items"`
	Shippings []itemIn    `json:"shippings"`
	Metadata  *metadataIn `json:"metadata"`
}

func (s *Server) createCharge(w http.ResponseWriter, r *http.Request) {
	var in createChargeIn
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	items, total, e := validateItems(in.Items)
	if e == nil {
		e = validateMetadata(in.Metadata)
	}
	if e != nil {
		e.write(w)
		return
	}
	s.mu.Lock()
	c := s.newCharge(items, total, in.Metadata)
	s.saveCharge(c)
	s.mu.Unlock()
	writeJSON(w, 200, map[string]any{"code": 200, "data": map[string]any{"charge_id": c.ID, "status": c.Status, "total": c.Total, "custom_id": c.CustomID, "created_at": c.CreatedAt}})
}

type paymentIn struct {
	BankingBillet *struct {
		Customer  map[string]any `json:"customer"`
		ExpireAt  string         `json:"expire_at"`
		Message   string         `json:"message"`
		Discount  map[string]any `json:"discount"`
		Condition map[string]any `json:"conditional_discount"`
		Config    map[string]any `json:"configurations"`
	} `json:"banking_billet"`
	CreditCard *struct {
		Customer       map[string]any `json:"customer"`
		Installments   int            `json:"installments"`
		PaymentToken   string         `json:"payment_token"`
		BillingAddress map[string]any `json:"billing_address"`
		Discount       map[string]any `json:"discount"`
		Message        string         `json:"message"`
	} `json:"credit_card"`
}

var paymentTokenRe = regexp.MustCompile(`^[a-fA-F0-9]{40}$`)

// validatePayment checks a payment object before anything changes.
func (s *Server) validatePayment(total int64, p paymentIn) *chargeError {
	if total < 500 {
		return &chargeError{Status: 400, Code: 4600036, Slug: "minimum_value", Description: "O valor da emissão é inferior ao limite mínimo para esta transação (5,00)."}
	}
	switch {
	case p.BankingBillet != nil:
		if e := validateCustomer("/payment/banking_billet/customer", p.BankingBillet.Customer, false); e != nil {
			return e
		}
		return s.checkDate("/payment/banking_billet/expire_at", p.BankingBillet.ExpireAt)
	case p.CreditCard != nil:
		cc := p.CreditCard
		if e := validateCustomer("/payment/credit_card/customer", cc.Customer, true); e != nil {
			return e
		}
		if !paymentTokenRe.MatchString(cc.PaymentToken) {
			return validationErr("/payment/credit_card/payment_token", "A string não corresponde ao modelo: ^[a-fA-F0-9]{40}$.")
		}
		if cc.Installments < 0 || cc.Installments > 12 {
			return validationErr("/payment/credit_card/installments", "O valor deve estar entre 1 e 12.")
		}
		return nil
	}
	return &chargeError{Status: 400, Code: 3500007, Slug: "invalid_payment_type", Description: "Tipo de pagamento não disponível ('banking_billet','credit_card')."}
}

// pay defines a payment method on a charge in status "new" and answers the
// pay response (§3.4). The caller holds mu.
func (s *Server) pay(c *charge, p paymentIn) (map[string]any, *chargeError) {
	if c.Status != "new" {
		if c.Method != "" {
			return nil, &chargeError{Status: 400, Code: 3500030, Slug: "payment_already_defined", Description: "Esta transação já possui uma forma de pagamento definida."}
		}
		return nil, &chargeError{Status: 400, Code: 3500044, Slug: "invalid_status", Description: fmt.Sprintf("A transação não pode ser paga pois possui o status [%s].", c.Status)}
	}
	if e := s.validatePayment(c.Total, p); e != nil {
		return nil, e
	}
	if b := p.BankingBillet; b != nil {
		c.Method, c.Customer = "banking_billet", b.Customer
		c.Billet = &billetInfo{Barcode: fakeBarcode(c.ID, c.Total), Code: randomHex(10), ExpireAt: b.ExpireAt, Message: b.Message}
		s.addHist(c, "Pagamento via boleto aguardando confirmação")
		s.setStatus(c, "waiting", "")
		url := s.publicURL + "/pay/" + c.Billet.Code
		return map[string]any{"barcode": c.Billet.Barcode, "link": url, "billet_link": url, "pdf": map[string]string{"charge": url},
			"expire_at": b.ExpireAt, "charge_id": c.ID, "status": c.Status, "total": c.Total, "payment": "banking_billet"}, nil
	}
	cc := p.CreditCard
	n := max(cc.Installments, 1)
	c.Method, c.Customer = "credit_card", cc.Customer
	c.Card = &cardInfo{Mask: "XXXXXXXXXXXX" + cc.PaymentToken[36:], Installments: n, InstallmentValue: c.Total / int64(n)}
	s.addHist(c, "Pagamento via cartão de crédito aguardando confirmação")
	out := map[string]any{"installments": n, "installment_value": c.Card.InstallmentValue, "charge_id": c.ID, "total": c.Total, "payment": "credit_card"}
	// The sandbox card rule (docs): the token's last digit 1, 2 or 3 refuses.
	if reason := cardRefusal(cc.PaymentToken[39:]); reason != "" {
		s.refuse(c, reason)
		out["status"] = c.Status
		out["refusal"] = map[string]any{"reason": reason, "retry": true}
		return out, nil
	}
	s.setStatus(c, "approved", "")
	out["status"] = c.Status
	return out, nil
}

// refuse records a refused card payment.
func (s *Server) refuse(c *charge, reason string) {
	c.Reason = reason
	s.addHist(c, "Falha no pagamento - "+reason)
	s.setStatus(c, "unpaid", reason)
}

// cardRefusal is the sandbox's card simulation by the card number's last digit.
func cardRefusal(last string) string {
	switch last {
	case "1":
		return "Dados do cartão inválidos."
	case "2":
		return "Transação não autorizada por motivos de segurança."
	case "3":
		return "Transação não autorizada, tente novamente mais tarde."
	}
	return ""
}

func fakeBarcode(id, total int64) string {
	return fmt.Sprintf("36490.00019 %05d.%06d %05d.%06d 1 %014d", id%100000, id%1000000, total%100000, id%1000000, total)
}

var phoneRe = regexp.MustCompile(`^[1-9]{2}9?[0-9]{8}$`)
var nameRe = regexp.MustCompile(`^[ ]*(.+[ ]+)+.+[ ]*$`)

func validateCustomer(prop string, c map[string]any, card bool) *chargeError {
	if c == nil {
		return validationErr(prop, "A propriedade [customer] é obrigatória.")
	}
	str := func(k string) string { v, _ := c[k].(string); return v }
	if jp, ok := c["juridical_person"].(map[string]any); ok {
		cnpj, _ := jp["cnpj"].(string)
		if !ValidCNPJ(cnpj) {
			return validationErr(prop+"/juridical_person/cnpj", "O CNPJ informado é inválido.")
		}
	} else {
		if !nameRe.MatchString(str("name")) {
			return validationErr(prop+"/name", "O nome deve conter nome e sobrenome.")
		}
		if !ValidCPF(str("cpf")) {
			return validationErr(prop+"/cpf", "O CPF informado é inválido.")
		}
	}
	if e := str("email"); e != "" || card {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			return validationErr(prop+"/email", "O e-mail informado é inválido.")
		}
	}
	if p := str("phone_number"); p != "" && !phoneRe.MatchString(p) {
		return validationErr(prop+"/phone_number", "O telefone informado é inválido.")
	}
	return nil
}

type oneStepIn struct {
	Items     []itemIn    `json:"items"`
	Shippings []itemIn    `json:"shippings"`
	Metadata  *metadataIn `json:"metadata"`
	Payment   *paymentIn  `json:"payment"`
}

func (s *Server) createOneStep(w http.ResponseWriter, r *http.Request) {
	var in oneStepIn
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	items, total, e := validateItems(in.Items)
	if e == nil {
		e = validateMetadata(in.Metadata)
	}
	if e == nil && in.Payment == nil {
		e = validationErr("/payment", "A propriedade [payment] é obrigatória.")
	}
	if e != nil {
		e.write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.validatePayment(total, *in.Payment); e != nil {
		e.write(w)
		return
	}
	c := s.newCharge(items, total, in.Metadata)
	out, _ := s.pay(c, *in.Payment)
	s.saveCharge(c)
	writeJSON(w, 200, map[string]any{"code": 200, "data": out})
}

func (s *Server) getCharge(w http.ResponseWriter, r *http.Request) (*charge, bool) {
	id, ok := pathID(r, "id")
	if !ok {
		notFoundErr("id").write(w)
		return nil, false
	}
	c := s.charges[id]
	if c == nil {
		notFoundErr("id").write(w)
		return nil, false
	}
	return c, true
}

func (s *Server) payCharge(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Payment *paymentIn `json:"payment"`
	}
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.getCharge(w, r)
	if !ok {
		return
	}
	if in.Payment == nil {
		validationErr("/payment", "A propriedade [payment] é obrigatória.").write(w)
		return
	}
	out, e := s.pay(c, *in.Payment)
	if e != nil {
		e.write(w)
		return
	}
	s.saveCharge(c)
	writeJSON(w, 200, map[string]any{"code": 200, "data": out})
}

// view renders a charge as GET /v1/charge/:id does (§3.6).
func (s *Server) view(c *charge) map[string]any {
	base := s.publicURL
	d := map[string]any{
		"charge_id": c.ID, "total": c.Total, "status": c.Status, "custom_id": c.CustomID, "created_at": c.CreatedAt,
		"notification_url": c.NotificationURL, "items": c.Items, "history": c.History,
	}
	if c.Reason != "" {
		d["reason"] = c.Reason
	}
	if c.Customer != nil {
		d["customer"] = c.Customer
	}
	switch c.Method {
	case "banking_billet":
		url := base + "/pay/" + c.Billet.Code
		d["payment"] = map[string]any{"method": "banking_billet", "created_at": c.CreatedAt, "message": nilIfEmpty(c.Billet.Message),
			"banking_billet": map[string]any{"barcode": c.Billet.Barcode, "link": url, "billet_link": url, "pdf": map[string]string{"charge": url}, "expire_at": c.Billet.ExpireAt}}
	case "carnet":
		url := base + "/pay/" + c.Billet.Code
		d["payment"] = map[string]any{"method": "carnet", "created_at": c.CreatedAt, "message": nilIfEmpty(c.Billet.Message),
			"carnet": map[string]any{"parcel": c.Parcel, "barcode": c.Billet.Barcode, "url": url, "link": url, "parcel_link": url,
				"pdf": map[string]string{"charge": url}, "expire_at": c.Billet.ExpireAt}}
	case "credit_card":
		d["payment"] = map[string]any{"method": "credit_card", "created_at": c.CreatedAt, "message": nil,
			"credit_card": map[string]any{"mask": c.Card.Mask, "installments": c.Card.Installments, "installment_value": c.Card.InstallmentValue, "interest": 0}}
	}
	if l := c.Link; l != nil {
		d["link"] = linkView(base, l)
	}
	return d
}

// linkView is the link object: every field present, null when unset, as
// the SDK's schemas expect (conformance test).
func linkView(base string, l *linkInfo) map[string]any {
	v := map[string]any{
		"billet_discount": l.BilletDiscount, "card_discount": l.CardDiscount, "message": nilIfEmpty(l.Message), "expire_at": l.ExpireAt,
		"request_delivery_address": l.RequestDeliveryAddress, "payment_method": l.PaymentMethod, "payment_url": base + "/pay/" + l.Code,
		"conditional_discount_value": nil, "conditional_discount_type": nil, "conditional_discount_date": nil,
	}
	if l.ConditionalType != "" {
		v["conditional_discount_value"] = l.ConditionalValue
		v["conditional_discount_type"] = l.ConditionalType
		v["conditional_discount_date"] = l.ConditionalDate
	}
	return v
}

// listCustomer is a list entry's customer: the payer's name and CPF (or
// company), empty strings before a payer is known (GET /v1/charges exists
// only in the SDKs, whose schema requires the object; contract §12 item 11).
func listCustomer(c map[string]any) map[string]any {
	str := func(m map[string]any, k string) string { v, _ := m[k].(string); return v }
	phone := any(nil)
	if p := str(c, "phone_number"); p != "" {
		phone = p
	}
	if jp, ok := c["juridical_person"].(map[string]any); ok {
		return map[string]any{"phone_number": phone, "cnpj": str(jp, "cnpj"), "corporate_name": str(jp, "corporate_name")}
	}
	return map[string]any{"phone_number": phone, "cpf": str(c, "cpf"), "name": str(c, "name")}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *Server) detailCharge(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.getCharge(w, r)
	if !ok {
		return
	}
	writeJSON(w, 200, map[string]any{"code": 200, "data": s.view(c)})
}

// listCharges is GET /v1/charges (§3.7): charge_type, begin_date and
// end_date are required; entries use "id" and payment.payment_method.
func (s *Server) listCharges(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ct := q.Get("charge_type")
	if ct != "billet" && ct != "card" && ct != "carnet" && ct != "subscription" {
		validationErr("/charge_type", "A propriedade [charge_type] é obrigatória e deve ser billet, carnet, subscription ou card.").write(w)
		return
	}
	begin, end := q.Get("begin_date"), q.Get("end_date")
	if !dateRe.MatchString(begin) || !dateRe.MatchString(end) {
		validationErr("/begin_date", "As propriedades [begin_date] e [end_date] são obrigatórias (AAAA-MM-DD).").write(w)
		return
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	page, _ := strconv.Atoi(q.Get("page"))
	if page <= 0 {
		page = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var matched []*charge
	for id := int64(40000001); id <= s.seq["charge"]; id++ {
		c := s.charges[id]
		if c == nil {
			continue
		}
		day := c.CreatedAt[:10]
		if day < begin || day > end {
			continue
		}
		if (ct == "billet" && c.Method == "credit_card") || (ct == "card" && c.Method == "banking_billet") || ct == "carnet" || ct == "subscription" {
			continue
		}
		if v := q.Get("status"); v != "" && c.Status != v {
			continue
		}
		if v := q.Get("custom_id"); v != "" && (c.CustomID == nil || *c.CustomID != v) {
			continue
		}
		matched = append(matched, c)
	}
	data := []map[string]any{}
	for i := (page - 1) * limit; i < len(matched) && i < page*limit; i++ {
		c := matched[i]
		e := map[string]any{"id": c.ID, "total": c.Total, "status": c.Status, "custom_id": c.CustomID, "created_at": c.CreatedAt,
			"customer": listCustomer(c.Customer)}
		switch c.Method {
		case "banking_billet":
			url := s.publicURL + "/pay/" + c.Billet.Code
			e["payment"] = map[string]any{"payment_method": "banking_billet", "paid_at": nilIfEmpty(c.PaidAt), "paid_value": c.PaidValue,
				"banking_billet": map[string]any{"barcode": c.Billet.Barcode, "link": url, "billet_link": url, "pdf": map[string]string{"charge": url}, "expire_at": c.Billet.ExpireAt}}
		case "credit_card":
			e["payment"] = map[string]any{"payment_method": "credit_card", "paid_at": nilIfEmpty(c.PaidAt), "paid_value": c.PaidValue,
				"credit_card": map[string]any{"mask": c.Card.Mask, "installments": c.Card.Installments, "installment_value": c.Card.InstallmentValue}}
		}
		if c.Link != nil {
			e["link"] = linkView(s.publicURL, c.Link)
		}
		data = append(data, e)
	}
	writeJSON(w, 200, map[string]any{"code": 200, "data": data, "params": map[string]any{
		"begin_date": begin, "end_date": end, "pagination": map[string]any{"limit": limit, "page": page, "offset": (page - 1) * limit}}})
}

func (s *Server) updateMetadata(w http.ResponseWriter, r *http.Request) {
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
	c, ok := s.getCharge(w, r)
	if !ok {
		return
	}
	if in.CustomID != nil {
		c.CustomID = in.CustomID
	}
	if in.NotificationURL != nil {
		c.NotificationURL = in.NotificationURL
	}
	s.saveCharge(c)
	writeJSON(w, 200, map[string]any{"code": 200})
}

func (s *Server) updateBillet(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ExpireAt string `json:"expire_at"`
	}
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.getCharge(w, r)
	if !ok {
		return
	}
	if c.Method != "banking_billet" {
		(&chargeError{Status: 400, Code: 3500036, Slug: "invalid_payment_method", Description: "A forma de pagamento da transação não é boleto bancário."}).write(w)
		return
	}
	if c.Status != "waiting" && c.Status != "unpaid" {
		(&chargeError{Status: 400, Code: 3500038, Slug: "invalid_status", Description: "Apenas transações com status [waiting] ou [unpaid] podem ser atualizadas."}).write(w)
		return
	}
	if e := s.checkDate("/expire_at", in.ExpireAt); e != nil {
		e.write(w)
		return
	}
	c.Billet.ExpireAt = in.ExpireAt
	if c.Status == "unpaid" {
		s.setStatus(c, "waiting", "")
	}
	s.addHist(c, "Vencimento do boleto alterado para "+in.ExpireAt)
	s.saveCharge(c)
	writeJSON(w, 200, map[string]any{"code": 200})
}

func (s *Server) cancelCharge(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.getCharge(w, r)
	if !ok {
		return
	}
	switch c.Status {
	case "new", "waiting", "unpaid", "link":
	default:
		(&chargeError{Status: 400, Code: 3500043, Slug: "invalid_status", Description: "Apenas transações com status [new],[link],[waiting] ou [unpaid] podem ser canceladas."}).write(w)
		return
	}
	s.addHist(c, "Cobrança cancelada")
	s.setStatus(c, "canceled", "")
	s.saveCharge(c)
	writeJSON(w, 200, map[string]any{"code": 200})
}

func (s *Server) settleCharge(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.getCharge(w, r)
	if !ok {
		return
	}
	if c.Link != nil || (c.Status != "waiting" && c.Status != "unpaid") {
		(&chargeError{Status: 400, Code: 3500069, Slug: "invalid_status", Description: "Apenas transações com status [waiting] ou [unpaid] podem ser marcadas como pagas."}).write(w)
		return
	}
	s.addHist(c, "Cobrança marcada como paga manualmente")
	s.setStatus(c, "settled", "")
	s.saveCharge(c)
	writeJSON(w, 200, map[string]any{"code": 200})
}

func (s *Server) addHistory(w http.ResponseWriter, r *http.Request) {
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
	c, ok := s.getCharge(w, r)
	if !ok {
		return
	}
	s.addHist(c, in.Description)
	s.saveCharge(c)
	writeJSON(w, 200, map[string]any{"code": 200})
}

func (s *Server) resendBillet(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Email string `json:"email"`
	}
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
		validationErr("/email", "O e-mail informado é inválido.").write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.getCharge(w, r)
	if !ok {
		return
	}
	if c.Method != "banking_billet" || (c.Status != "waiting" && c.Status != "unpaid") {
		(&chargeError{Status: 400, Code: 3500038, Slug: "invalid_status", Description: "Apenas boletos com status [waiting] ou [unpaid] podem ser reenviados."}).write(w)
		return
	}
	s.addHist(c, "Boleto reenviado para "+in.Email)
	s.saveCharge(c)
	writeJSON(w, 200, map[string]any{"code": 200})
}
