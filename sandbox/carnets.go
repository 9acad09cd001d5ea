package sandbox

import (
	"net/http"
	"net/mail"
	"strconv"
	"time"
	"unicode/utf8"
)

// carnet is a boleto booklet (§5); each parcel is a charge with method
// "carnet" that shares the carnet's notification token.
type carnet struct {
	ID              int64          `json:"carnet_id"`
	Status          string         `json:"status"` // up_to_date, unpaid, finished, canceled
	Repeats         int            `json:"repeats"`
	SplitItems      bool           `json:"split_items"`
	Value           int64          `json:"value"`
	CustomID        *string        `json:"custom_id"`
	NotificationURL *string        `json:"notification_url"`
	ChargeIDs       []int64        `json:"charge_ids"`
	Code            string         `json:"code"`
	Token           string         `json:"token"`
	Customer        map[string]any `json:"customer"`
	CreatedAt       string         `json:"created_at"`
	History         []histEntry    `json:"history"`
}

// MaxCarnetRepeats is the most parcels a carnê may have (error 4600059;
// the docs' "24" elsewhere is contradicted by it — contract §12 item 9).
const MaxCarnetRepeats = 12

func (s *Server) saveCarnet(k *carnet) { s.store.put("carnet", strconv.FormatInt(k.ID, 10), k) }

type carnetIn struct {
	Items               []itemIn       `json:"items"`
	Customer            map[string]any `json:"customer"`
	ExpireAt            string         `json:"expire_at"`
	Repeats             *int           `json:"repeats"`
	SplitItems          bool           `json:"split_items"`
	Configurations      map[string]any `json:"configurations"`
	Message             string         `json:"message"`
	Metadata            *metadataIn    `json:"metadata"`
	Discount            map[string]any `json:"discount"`
	ConditionalDiscount *conditionalIn `json:"conditional_discount"`
	Shippings           []itemIn       `json:"shippings"`
}

func (s *Server) createCarnet(w http.ResponseWriter, r *http.Request) {
	var in carnetIn
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	items, total, e := validateItems(in.Items)
	if e == nil {
		e = validateMetadata(in.Metadata)
	}
	if e == nil {
		e = validateCustomer("/customer", in.Customer, false)
	}
	if e == nil && (in.Repeats == nil || *in.Repeats < 2) {
		e = &chargeError{Status: 400, Code: 3500041, Slug: "invalid_repeats", Property: "/repeats", Description: "[repeats] deve ser maior ou igual a dois."}
	}
	if e == nil && *in.Repeats > MaxCarnetRepeats {
		e = &chargeError{Status: 400, Code: 4600059, Slug: "invalid_repeats", Property: "/repeats", Description: "O número máximo de folhas por carnê é 12."}
	}
	if e == nil {
		e = s.checkDate("/expire_at", in.ExpireAt)
	}
	if e == nil && in.Message != "" && utf8.RuneCountInString(in.Message) > 80 {
		e = validationErr("/message", "A mensagem pode ter no máximo 80 caracteres.")
	}
	if e != nil {
		e.write(w)
		return
	}
	n := *in.Repeats
	values := make([]int64, n)
	for i := range values {
		values[i] = total
		if in.SplitItems {
			values[i] = total / int64(n)
		}
	}
	if in.SplitItems {
		values[0] += total % int64(n)
	}
	if values[n-1] < 500 {
		(&chargeError{Status: 400, Code: 4600036, Slug: "minimum_value", Description: "O valor de cada parcela é inferior ao limite mínimo (5,00)."}).write(w)
		return
	}
	first, _ := time.Parse(dateLayout, in.ExpireAt)
	s.mu.Lock()
	defer s.mu.Unlock()
	k := &carnet{ID: s.nextID("carnet", 20000), Status: "up_to_date", Repeats: n, SplitItems: in.SplitItems, Value: total * int64(n),
		Code: randomHex(10), Token: newUUID(), Customer: in.Customer, CreatedAt: s.now().Format(tsLayout)}
	if in.SplitItems {
		k.Value = total
	}
	if in.Metadata != nil {
		k.CustomID, k.NotificationURL = in.Metadata.CustomID, in.Metadata.NotificationURL
	}
	k.History = append(k.History, histEntry{Message: "Carnê ativo", CreatedAt: k.CreatedAt})
	s.carnets[k.ID] = k
	s.recordCarnet(k)
	var parcels []map[string]any
	for i := range n {
		c := s.newCharge(items, values[i], in.Metadata)
		// A parcel lives on its carnet's token: move its first change there.
		delete(s.tokens, c.Token)
		s.store.db.Exec(`DELETE FROM docs WHERE kind = 'token' AND id = ?`, c.Token)
		c.Token, c.CarnetID, c.Parcel = k.Token, k.ID, i+1
		s.recordChange(c, "new", "")
		c.Method, c.Customer = "carnet", in.Customer
		c.Billet = &billetInfo{Barcode: fakeBarcode(c.ID, values[i]), Code: randomHex(10), ExpireAt: first.AddDate(0, i, 0).Format(dateLayout), Message: in.Message}
		s.setStatus(c, "waiting", "")
		s.saveCharge(c)
		k.ChargeIDs = append(k.ChargeIDs, c.ID)
		url := s.publicURL + "/pay/" + c.Billet.Code
		parcels = append(parcels, map[string]any{"charge_id": c.ID, "parcel": strconv.Itoa(i + 1), "status": c.Status, "value": c.Total,
			"expire_at": c.Billet.ExpireAt, "url": url, "parcel_link": url, "pdf": map[string]string{"charge": url}, "barcode": c.Billet.Barcode})
	}
	s.saveCarnet(k)
	url := s.publicURL + "/pay/" + k.Code
	writeJSON(w, 200, map[string]any{"code": 200, "data": map[string]any{"carnet_id": k.ID, "status": k.Status, "cover": url, "link": url,
		"carnet_link": url, "pdf": map[string]string{"carnet": url, "cover": url}, "charges": parcels}})
}

// recordCarnet records a carnet-level change on its token (caller holds mu).
func (s *Server) recordCarnet(k *carnet) {
	t := s.tokens[k.Token]
	if t == nil {
		t = &notifToken{}
		s.tokens[k.Token] = t
	}
	prev := any(nil)
	for i := len(t.Changes) - 1; i >= 0; i-- {
		if t.Changes[i].Type == "carnet" {
			prev = t.Changes[i].Status["current"]
			break
		}
	}
	t.Changes = append(t.Changes, change{ID: int64(len(t.Changes) + 1), Type: "carnet", CustomID: k.CustomID,
		Status: map[string]any{"current": k.Status, "previous": prev}, Identifiers: map[string]int64{"carnet_id": k.ID}, CreatedAt: s.now().Format(tsLayout)})
	s.store.put("token", k.Token, t)
}

// refreshCarnet recomputes a carnet's status from its parcels (caller holds mu).
func (s *Server) refreshCarnet(k *carnet) {
	if k.Status == "canceled" {
		return
	}
	status, allFinal := "up_to_date", true
	for _, id := range k.ChargeIDs {
		c := s.charges[id]
		switch c.Status {
		case "unpaid":
			status = "unpaid"
			allFinal = false
		case "paid", "settled", "canceled", "refunded":
		default:
			allFinal = false
		}
	}
	if allFinal {
		status = "finished"
	}
	if status != k.Status {
		k.Status = status
		s.recordCarnet(k)
		s.saveCarnet(k)
	}
}

func (s *Server) getCarnet(w http.ResponseWriter, r *http.Request) (*carnet, bool) {
	id, ok := pathID(r, "id")
	k := s.carnets[id]
	if !ok || k == nil {
		notFoundErr("id").write(w)
		return nil, false
	}
	return k, true
}

// parcelOf finds a carnet's parcel by number.
func (s *Server) parcelOf(w http.ResponseWriter, r *http.Request, k *carnet) (*charge, bool) {
	n, err := strconv.Atoi(r.PathValue("parcel"))
	if err != nil || n < 1 || n > len(k.ChargeIDs) {
		notFoundErr("parcel").write(w)
		return nil, false
	}
	return s.charges[k.ChargeIDs[n-1]], true
}

func (s *Server) detailCarnet(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.getCarnet(w, r)
	if !ok {
		return
	}
	var parcels []map[string]any
	for _, id := range k.ChargeIDs {
		c := s.charges[id]
		url := s.publicURL + "/pay/" + c.Billet.Code
		parcels = append(parcels, map[string]any{"charge_id": c.ID, "status": c.Status, "url": url, "pdf": map[string]string{"charge": url},
			"barcode": c.Billet.Barcode, "parcel": c.Parcel, "expire_at": c.Billet.ExpireAt, "value": c.Total})
	}
	url := s.publicURL + "/pay/" + k.Code
	writeJSON(w, 200, map[string]any{"code": 200, "data": map[string]any{"carnet_id": k.ID, "status": k.Status, "repeats": k.Repeats,
		"cover": url, "link": url, "pdf": map[string]string{"carnet": url, "cover": url}, "value": k.Value, "custom_id": k.CustomID,
		"notification_url": k.NotificationURL, "split_items": k.SplitItems, "charges": parcels, "created_at": k.CreatedAt, "history": k.History}})
}

func (s *Server) carnetMetadata(w http.ResponseWriter, r *http.Request) {
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
	k, ok := s.getCarnet(w, r)
	if !ok {
		return
	}
	for _, id := range append([]int64{}, k.ChargeIDs...) {
		c := s.charges[id]
		if in.CustomID != nil {
			c.CustomID = in.CustomID
		}
		if in.NotificationURL != nil {
			c.NotificationURL = in.NotificationURL
		}
		s.saveCharge(c)
	}
	if in.CustomID != nil {
		k.CustomID = in.CustomID
	}
	if in.NotificationURL != nil {
		k.NotificationURL = in.NotificationURL
	}
	s.saveCarnet(k)
	writeJSON(w, 200, map[string]any{"code": 200})
}

func (s *Server) carnetParcelDate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ExpireAt string `json:"expire_at"`
	}
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.getCarnet(w, r)
	if !ok {
		return
	}
	c, ok := s.parcelOf(w, r, k)
	if !ok {
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
	s.saveCharge(c)
	s.refreshCarnet(k)
	writeJSON(w, 200, map[string]any{"code": 200})
}

func (s *Server) carnetParcelsDates(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Parcels []struct {
			Parcel   int    `json:"parcel"`
			ExpireAt string `json:"expire_at"`
		} `json:"parcels"`
	}
	if e := decode(r, &in); e != nil {
		e.write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.getCarnet(w, r)
	if !ok {
		return
	}
	for i, p := range in.Parcels {
		if p.Parcel < 1 || p.Parcel > len(k.ChargeIDs) {
			validationErr("/parcels/"+strconv.Itoa(i)+"/parcel", "A parcela informada não existe.").write(w)
			return
		}
		c := s.charges[k.ChargeIDs[p.Parcel-1]]
		if e := s.checkDate("/parcels/"+strconv.Itoa(i)+"/expire_at", p.ExpireAt); e != nil {
			e.write(w)
			return
		}
		if p.ExpireAt < c.Billet.ExpireAt {
			(&chargeError{Status: 500, Code: 3500101, Slug: "update_parcels", Description: "A propriedade [expire_at] informada é inválida. Não é possível antecipar o vencimento Parcela: [" + strconv.Itoa(p.Parcel) + "]."}).write(w)
			return
		}
	}
	for _, p := range in.Parcels {
		c := s.charges[k.ChargeIDs[p.Parcel-1]]
		c.Billet.ExpireAt = p.ExpireAt
		s.saveCharge(c)
	}
	writeJSON(w, 200, map[string]any{"code": 200})
}

func (s *Server) cancelCarnet(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.getCarnet(w, r)
	if !ok {
		return
	}
	if k.Status == "finished" || k.Status == "canceled" {
		(&chargeError{Status: 400, Code: 3500083, Slug: "invalid_status", Description: "Carnês com status [finished] não podem ser atualizados."}).write(w)
		return
	}
	for _, id := range k.ChargeIDs {
		if c := s.charges[id]; cancellableStatus(c.Status) {
			s.setStatus(c, "canceled", "")
			s.saveCharge(c)
		}
	}
	k.Status = "canceled"
	k.History = append(k.History, histEntry{Message: "Carnê cancelado", CreatedAt: s.now().Format(tsLayout)})
	s.recordCarnet(k)
	s.saveCarnet(k)
	writeJSON(w, 200, map[string]any{"code": 200})
}

func cancellableStatus(st string) bool {
	return st == "new" || st == "waiting" || st == "unpaid" || st == "link"
}

func (s *Server) cancelCarnetParcel(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.getCarnet(w, r)
	if !ok {
		return
	}
	c, ok := s.parcelOf(w, r, k)
	if !ok {
		return
	}
	if !cancellableStatus(c.Status) {
		(&chargeError{Status: 400, Code: 3500043, Slug: "invalid_status", Description: "Apenas transações com status [new],[link],[waiting] ou [unpaid] podem ser canceladas."}).write(w)
		return
	}
	s.setStatus(c, "canceled", "")
	s.saveCharge(c)
	s.refreshCarnet(k)
	writeJSON(w, 200, map[string]any{"code": 200})
}

func (s *Server) settleCarnet(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.getCarnet(w, r)
	if !ok {
		return
	}
	for _, id := range k.ChargeIDs {
		if c := s.charges[id]; c.Status == "waiting" || c.Status == "unpaid" {
			s.setStatus(c, "settled", "")
			s.saveCharge(c)
		}
	}
	s.refreshCarnet(k)
	writeJSON(w, 200, map[string]any{"code": 200})
}

func (s *Server) settleCarnetParcel(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.getCarnet(w, r)
	if !ok {
		return
	}
	c, ok := s.parcelOf(w, r, k)
	if !ok {
		return
	}
	if c.Status != "waiting" && c.Status != "unpaid" {
		(&chargeError{Status: 400, Code: 3500069, Slug: "invalid_status", Description: "Apenas parcelas com status [waiting] ou [unpaid] podem ser marcadas como pagas."}).write(w)
		return
	}
	s.setStatus(c, "settled", "")
	s.saveCharge(c)
	s.refreshCarnet(k)
	writeJSON(w, 200, map[string]any{"code": 200})
}

func readEmail(w http.ResponseWriter, r *http.Request) (string, bool) {
	var in struct {
		Email string `json:"email"`
	}
	if e := decode(r, &in); e != nil {
		e.write(w)
		return "", false
	}
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email {
		validationErr("/email", "O e-mail informado é inválido.").write(w)
		return "", false
	}
	return in.Email, true
}

func (s *Server) resendCarnet(w http.ResponseWriter, r *http.Request) {
	email, ok := readEmail(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.getCarnet(w, r)
	if !ok {
		return
	}
	k.History = append(k.History, histEntry{Message: "Carnê reenviado para " + email, CreatedAt: s.now().Format(tsLayout)})
	s.saveCarnet(k)
	writeJSON(w, 200, map[string]any{"code": 200})
}

func (s *Server) resendCarnetParcel(w http.ResponseWriter, r *http.Request) {
	email, ok := readEmail(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.getCarnet(w, r)
	if !ok {
		return
	}
	c, ok := s.parcelOf(w, r, k)
	if !ok {
		return
	}
	if c.Status != "waiting" {
		(&chargeError{Status: 400, Code: 3500066, Slug: "invalid_status", Description: "Apenas transações com status [waiting] podem ser reenviadas."}).write(w)
		return
	}
	s.addHist(c, "Parcela reenviada para "+email)
	s.saveCharge(c)
	writeJSON(w, 200, map[string]any{"code": 200})
}

func (s *Server) carnetHistory(w http.ResponseWriter, r *http.Request) {
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
	k, ok := s.getCarnet(w, r)
	if !ok {
		return
	}
	k.History = append(k.History, histEntry{Message: in.Description, CreatedAt: s.now().Format(tsLayout)})
	s.saveCarnet(k)
	writeJSON(w, 200, map[string]any{"code": 200})
}
