package sandbox

import (
	"math"
	"net/http"
	"net/mail"
	"strconv"
	"unicode/utf8"
)

type conditionalIn struct {
	Type      string `json:"type"`
	Value     *int64 `json:"value"`
	UntilDate string `json:"until_date"`
}

// linkSettingsIn are the link fields (§4); pointers tell "absent" apart.
type linkSettingsIn struct {
	BilletDiscount         *int64         `json:"billet_discount"`
	CardDiscount           *int64         `json:"card_discount"`
	ConditionalDiscount    *conditionalIn `json:"conditional_discount"`
	Message                *string        `json:"message"`
	ExpireAt               *string        `json:"expire_at"`
	RequestDeliveryAddress *bool          `json:"request_delivery_address"`
	PaymentMethod          *string        `json:"payment_method"`
	// ExpireAtTypo is the "expire-at" of the docs' PUT example, accepted too.
	ExpireAtTypo *string `json:"expire-at"`
}

// applyLinkSettings validates the settings and writes them over l. On
// creation (create=true) absent fields take the defaults NPM201 allows
// (§12 item 6: the docs mark them required, the SDK optional; both forms
// are accepted).
func (s *Server) applyLinkSettings(prefix string, in linkSettingsIn, total int64, l *linkInfo, create bool) *chargeError {
	if in.ExpireAt == nil {
		in.ExpireAt = in.ExpireAtTypo
	}
	if in.PaymentMethod != nil {
		switch *in.PaymentMethod {
		case "banking_billet", "credit_card", "all":
			l.PaymentMethod = *in.PaymentMethod
		default:
			return validationErr(prefix+"payment_method", "O valor deve ser um dos seguintes: banking_billet, credit_card, all.")
		}
	} else if create {
		l.PaymentMethod = "all"
	}
	if in.ExpireAt != nil {
		if e := s.checkDate(prefix+"expire_at", *in.ExpireAt); e != nil {
			return e
		}
		l.ExpireAt = *in.ExpireAt
	} else if create {
		l.ExpireAt = s.now().AddDate(0, 0, 30).Format(dateLayout)
	}
	if in.Message != nil {
		if n := utf8.RuneCountInString(*in.Message); n != 0 && (n < 3 || n > 80) {
			return validationErr(prefix+"message", "O tamanho da string deve ser entre 3 e 80 caracteres.")
		}
		l.Message = *in.Message
	}
	if in.RequestDeliveryAddress != nil {
		l.RequestDeliveryAddress = *in.RequestDeliveryAddress
	}
	for _, d := range []struct {
		name string
		v    *int64
		dst  *int64
	}{{"billet_discount", in.BilletDiscount, &l.BilletDiscount}, {"card_discount", in.CardDiscount, &l.CardDiscount}} {
		if d.v == nil {
			continue
		}
		if *d.v < 0 || *d.v >= total {
			return validationErr(prefix+d.name, "O desconto deve ser positivo e menor que o valor total da cobrança.")
		}
		*d.dst = *d.v
	}
	if cd := in.ConditionalDiscount; cd != nil {
		p := prefix + "conditional_discount"
		if cd.Type != "percentage" && cd.Type != "currency" {
			return validationErr(p+"/type", "O valor deve ser um dos seguintes: percentage, currency.")
		}
		if cd.Value == nil || *cd.Value <= 0 || (cd.Type == "percentage" && *cd.Value > 10000) || (cd.Type == "currency" && *cd.Value >= total) {
			return validationErr(p+"/value", "O valor do desconto condicional é inválido.")
		}
		if e := s.checkDate(p+"/until_date", cd.UntilDate); e != nil {
			return e
		}
		l.ConditionalType, l.ConditionalValue, l.ConditionalDate = cd.Type, *cd.Value, cd.UntilDate
	}
	if l.ConditionalDate != "" && l.ConditionalDate > l.ExpireAt {
		return validationErr(prefix+"conditional_discount/until_date", "A data limite do desconto condicional deve ser anterior ao vencimento do link.")
	}
	return nil
}

type oneStepLinkIn struct {
	Items     []itemIn    `json:"items"`
	Shippings []itemIn    `json:"shippings"`
	Metadata  *metadataIn `json:"metadata"`
	Customer  *struct {
		Email string `json:"email"`
	} `json:"customer"`
	Settings *linkSettingsIn `json:"settings"`
}

func (s *Server) linkResponse(c *charge) map[string]any {
	d := linkView(s.publicURL, c.Link)
	d["charge_id"], d["status"], d["total"], d["custom_id"], d["created_at"] = c.ID, c.Status, c.Total, c.CustomID, c.CreatedAt
	return map[string]any{"code": 200, "data": d}
}

// createOneStepLink is POST /v1/charge/one-step/link.
func (s *Server) createOneStepLink(w http.ResponseWriter, r *http.Request) {
	var in oneStepLinkIn
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	items, total, e := validateItems(in.Items)
	if e == nil {
		e = validateMetadata(in.Metadata)
	}
	if e == nil && in.Customer != nil && in.Customer.Email != "" {
		if a, err := mail.ParseAddress(in.Customer.Email); err != nil || a.Address != in.Customer.Email {
			e = validationErr("/customer/email", "O e-mail informado é inválido.")
		}
	}
	if e == nil && total < 500 {
		e = &chargeError{Status: 400, Code: 4600036, Slug: "minimum_value", Description: "O valor da emissão é inferior ao limite mínimo para esta transação (5,00)."}
	}
	if e != nil {
		e.write(w)
		return
	}
	settings := linkSettingsIn{}
	if in.Settings != nil {
		settings = *in.Settings
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l := &linkInfo{Code: randomHex(12)}
	if e := s.applyLinkSettings("/settings/", settings, total, l, true); e != nil {
		e.write(w)
		return
	}
	c := s.newCharge(items, total, in.Metadata)
	c.Link = l
	s.addHist(c, "Link de pagamento criado")
	s.setStatus(c, "link", "")
	s.saveCharge(c)
	writeJSON(w, 200, s.linkResponse(c))
}

// defineLink is POST /v1/charge/:id/link (two-step).
func (s *Server) defineLink(w http.ResponseWriter, r *http.Request) {
	var in linkSettingsIn
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
	if c.Link != nil {
		(&chargeError{Status: 400, Code: 3500080, Slug: "link_already_defined", Description: "Essa cobrança já teve um link de pagamento definido."}).write(w)
		return
	}
	if c.Status != "new" {
		(&chargeError{Status: 400, Code: 3500030, Slug: "payment_already_defined", Description: "Esta transação já possui uma forma de pagamento definida."}).write(w)
		return
	}
	l := &linkInfo{Code: randomHex(12)}
	if e := s.applyLinkSettings("/", in, c.Total, l, true); e != nil {
		e.write(w)
		return
	}
	c.Link = l
	s.addHist(c, "Link de pagamento criado")
	s.setStatus(c, "link", "")
	s.saveCharge(c)
	writeJSON(w, 200, s.linkResponse(c))
}

// updateLink is PUT /v1/charge/:id/link: allowed while nothing was paid.
func (s *Server) updateLink(w http.ResponseWriter, r *http.Request) {
	var in linkSettingsIn
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
	if c.Link == nil {
		(&chargeError{Status: 400, Code: 3500097, Slug: "link_not_found", Description: "A transação " + strconv.FormatInt(c.ID, 10) + " não possui um link de pagamento associado."}).write(w)
		return
	}
	if c.Status != "link" {
		(&chargeError{Status: 400, Code: 3500098, Slug: "invalid_status", Description: "O link de pagamento só pode ser alterado enquanto nenhum pagamento foi iniciado."}).write(w)
		return
	}
	updated := *c.Link
	if e := s.applyLinkSettings("/", in, c.Total, &updated, false); e != nil {
		e.write(w)
		return
	}
	c.Link = &updated
	s.addHist(c, "Link de pagamento alterado")
	s.saveCharge(c)
	writeJSON(w, 200, s.linkResponse(c))
}

func (s *Server) resendLink(w http.ResponseWriter, r *http.Request) {
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
	if c.Link == nil {
		(&chargeError{Status: 400, Code: 3500097, Slug: "link_not_found", Description: "A transação " + strconv.FormatInt(c.ID, 10) + " não possui um link de pagamento associado."}).write(w)
		return
	}
	s.addHist(c, "Link de pagamento reenviado para "+in.Email)
	s.saveCharge(c)
	writeJSON(w, 200, map[string]any{"code": 200})
}

// brandRates are the monthly interest rates (×100) of the sandbox's card table.
var brandRates = map[string]int64{"visa": 199, "mastercard": 199, "elo": 209, "hipercard": 219, "diners": 229, "amex": 249}

// installments is GET /v1/installments?total=&brand=: up to 12
// installments, the first without interest, none below R$ 5,00.
func (s *Server) installments(w http.ResponseWriter, r *http.Request) {
	brand := r.URL.Query().Get("brand")
	rate, ok := brandRates[brand]
	if !ok {
		(&chargeError{Status: 400, Code: 3500056, Slug: "invalid_brand", Property: "brand", Description: "A bandeira informada é inválida: use visa, mastercard, amex, diners, elo ou hipercard."}).write(w)
		return
	}
	total, err := strconv.ParseInt(r.URL.Query().Get("total"), 10, 64)
	if err != nil || total <= 0 {
		validationErr("/total", "A propriedade [total] é obrigatória e deve ser um inteiro positivo.").write(w)
		return
	}
	var list []map[string]any
	i := float64(rate) / 10000
	for n := 1; n <= 12; n++ {
		value := total
		if n > 1 {
			value = int64(math.Round(float64(total) * i / (1 - math.Pow(1+i, -float64(n)))))
		}
		if n > 1 && value < 500 {
			break
		}
		ip := int64(0)
		if n > 1 {
			ip = rate
		}
		list = append(list, map[string]any{"installment": n, "has_interest": n > 1, "value": value,
			"currency": formatReais(value), "interest_percentage": ip})
	}
	writeJSON(w, 200, map[string]any{"code": 200, "data": map[string]any{"rate": 0, "name": brand, "installments": list}})
}

// formatReais writes centavos as "1.234,56".
func formatReais(c int64) string {
	whole := strconv.FormatInt(c/100, 10)
	out := ""
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			out += "."
		}
		out += string(r)
	}
	return out + "," + strconv.FormatInt(c%100/10, 10) + strconv.FormatInt(c%10, 10)
}

// sweep applies the clock: links past expire_at expire, boletos past
// their due date become unpaid, subscriptions renew. The caller holds mu.
func (s *Server) sweep() {
	s.renewSubscriptions()
	s.processBills()
	today := s.now().Format(dateLayout)
	for _, c := range s.charges {
		changed := false
		switch {
		case c.Status == "link" && c.Link != nil && c.Link.ExpireAt < today:
			s.addHist(c, "Link de pagamento expirado")
			s.setStatus(c, "expired", "")
			changed = true
		case c.Status == "waiting" && c.Billet != nil && c.Billet.ExpireAt < today:
			s.addHist(c, "Boleto vencido")
			s.setStatus(c, "unpaid", "")
			changed = true
		}
		if changed {
			s.saveCharge(c)
		}
	}
}
