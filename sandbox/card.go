package sandbox

import (
	"net/http"
	"time"
)

// refundCard is POST /v1/charge/card/:id/refund: card charges that were
// paid, fully (no amount) or partly. The docs answer {status, message},
// the Node SDK types {code, message}: both fields are sent (§12 item 5).
func (s *Server) refundCard(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Amount *int64 `json:"amount"`
	}
	if r.ContentLength > 0 {
		if e := decode(r, &in); e != nil {
			e.write(w)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.getCharge(w, r)
	if !ok {
		return
	}
	if c.Method != "credit_card" || c.Status != "paid" {
		(&chargeError{Status: 400, Code: 3500069, Slug: "invalid_status", Description: "Apenas cobranças pagas com cartão podem ser estornadas."}).write(w)
		return
	}
	paidAt, _ := time.ParseInLocation(dateLayout, c.PaidAt, saoPaulo)
	age := s.now().Sub(paidAt)
	switch {
	case in.Amount == nil || *in.Amount >= c.PaidValue:
		if age > 360*24*time.Hour {
			(&chargeError{Status: 400, Code: 3500069, Slug: "refund_window", Description: "O estorno total só é possível até 360 dias após o pagamento."}).write(w)
			return
		}
		s.addHist(c, "Estorno total solicitado")
		s.setStatus(c, "refunded", "")
	case *in.Amount <= 0:
		validationErr("/amount", "O valor do estorno deve ser positivo.").write(w)
		return
	default:
		if age > 90*24*time.Hour {
			(&chargeError{Status: 400, Code: 3500069, Slug: "refund_window", Description: "O estorno parcial só é possível até 90 dias após o pagamento."}).write(w)
			return
		}
		s.addHist(c, "Estorno parcial solicitado: R$ "+formatReais(*in.Amount))
	}
	s.saveCharge(c)
	writeJSON(w, 200, map[string]any{"status": 200, "code": 200, "message": "Reembolso em processamento"})
}

// retryCard is POST /v1/charge/:id/retry: a refused card charge paid again.
func (s *Server) retryCard(w http.ResponseWriter, r *http.Request) {
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
	if in.Payment == nil || in.Payment.CreditCard == nil {
		validationErr("/payment/credit_card", "A propriedade [credit_card] é obrigatória.").write(w)
		return
	}
	if c.Method != "credit_card" || c.Status != "unpaid" {
		(&chargeError{Status: 400, Code: 3500044, Slug: "invalid_status", Description: "Apenas cobranças de cartão com status [unpaid] podem ser pagas novamente."}).write(w)
		return
	}
	if e := s.validatePayment(c.Total, *in.Payment); e != nil {
		e.write(w)
		return
	}
	cc := in.Payment.CreditCard
	s.addHist(c, "Nova tentativa de pagamento com cartão")
	c.Card.Mask = "XXXXXXXXXXXX" + cc.PaymentToken[36:]
	out := map[string]any{"installments": c.Card.Installments, "installment_value": c.Card.InstallmentValue, "charge_id": c.ID, "total": c.Total, "payment": "credit_card"}
	if reason := cardRefusal(cc.PaymentToken[39:]); reason != "" {
		s.refuse(c, reason)
	} else {
		c.Reason = ""
		s.setStatus(c, "approved", "")
	}
	out["status"] = c.Status
	s.saveCharge(c)
	writeJSON(w, 200, map[string]any{"code": 200, "data": out})
}
