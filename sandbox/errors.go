package sandbox

import (
	"encoding/json"
	"net/http"
)

// family is one Efí API family.
type family string

const (
	famCharges  family = "cobrancas"
	famAccounts family = "abrircontas"
	famPayments family = "pagarcontas"
	famPix      family = "pix"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// chargeError is the Cobranças error body: {code, error, error_description},
// where the description is a string or {property, message}.
type chargeError struct {
	Status      int
	Code        int
	Slug        string
	Property    string
	Description string
}

func (e *chargeError) Error() string { return e.Description }

func (e *chargeError) write(w http.ResponseWriter) {
	var desc any = e.Description
	if e.Property != "" {
		desc = map[string]string{"property": e.Property, "message": e.Description}
	}
	writeJSON(w, e.Status, map[string]any{"code": e.Code, "error": e.Slug, "error_description": desc})
}

func validationErr(property, msg string) *chargeError {
	return &chargeError{Status: 400, Code: 3500034, Slug: "validation_error", Property: property, Description: msg}
}

func notFoundErr(property string) *chargeError {
	return &chargeError{Status: 400, Code: 3500010, Slug: "property_does_not_exists", Property: property,
		Description: "A propriedade [" + property + "] informada não existe."}
}

// writeFamilyError answers in the family's own error shape.
func writeFamilyError(w http.ResponseWriter, f family, status int, code int, slug, nome, msg string) {
	switch f {
	case famCharges:
		(&chargeError{Status: status, Code: code, Slug: slug, Description: msg}).write(w)
	default:
		writeJSON(w, status, map[string]string{"nome": nome, "mensagem": msg})
	}
}
