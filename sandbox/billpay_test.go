package sandbox

import (
	"fmt"
	"testing"
	"time"
)

// makeBoleto builds a valid 44-digit boleto barcode for a value.
func makeBoleto(value int64) string {
	body := fmt.Sprintf("3649%04d%010d%025d", 9000, value, 1234567)
	return body[:4] + string(boletoDV(body)) + body[4:]
}

func TestBillPayment(t *testing.T) {
	e := start(t, Config{})
	pay := func(method, path string, body any) (int, map[string]any) {
		st, v := e.familyCall("/pagarcontas/v1/oauth/token", "/pagarcontas/v1", method, path, body)
		m, _ := v.(map[string]any)
		return st, m
	}
	code := makeBoleto(15075)
	if st, v := pay("GET", "/codBarras/"+code[:43]+"0", nil); st != 400 || v["nome"] != "codigo_de_barras_invalido" {
		t.Fatalf("bad check digit: %d %v", st, v)
	}
	other := makeBoleto(5000)
	tomorrow := time.Now().In(saoPaulo).AddDate(0, 0, 1).Format(dateLayout)
	if st, v := pay("POST", "/codBarras/"+other, map[string]any{"valor": 5000, "dataPagamento": tomorrow}); st != 400 || v["nome"] != "consulta_obrigatoria" {
		t.Fatalf("paying without looking up: %d %v", st, v)
	}
	st, v := pay("GET", "/codBarras/"+code, nil)
	if st != 200 || v["tipo"] != "boleto" || v["valores"].(map[string]any)["final"].(float64) != 15075 {
		t.Fatalf("detail: %d %v", st, v)
	}
	st, v = pay("POST", "/codBarras/"+code, map[string]any{"valor": 15075, "dataPagamento": tomorrow, "descricao": "Conta de luz"})
	if st != 201 || v["status"] != "AGENDADO" {
		t.Fatalf("schedule: %d %v", st, v)
	}
	id := v["idPagamento"].(string)
	e.sb.AdvanceClock(24 * time.Hour)
	if _, v := pay("GET", "/"+id, nil); v["status"] != "LIQUIDADO" {
		t.Fatalf("after the date: %v", v)
	}
	// A huge bill fails at processing with a reason.
	big := makeBoleto(200000000)
	pay("GET", "/codBarras/"+big, nil)
	_, v = pay("POST", "/codBarras/"+big, map[string]any{"valor": 200000000, "dataPagamento": e.sb.now().AddDate(0, 0, 1).Format(dateLayout)})
	bigID := v["idPagamento"].(string)
	e.sb.AdvanceClock(24 * time.Hour)
	if _, v := pay("GET", "/"+bigID, nil); v["status"] != "NAO_REALIZADO" || v["retornoBancario"] != "Limite mensal excedido." {
		t.Fatalf("failed payment: %v", v)
	}
	// After 22h the boleto cannot be paid today.
	now := e.sb.now()
	night := time.Date(now.Year(), now.Month(), now.Day(), 23, 0, 0, 0, saoPaulo).AddDate(0, 0, 1)
	e.sb.AdvanceClock(night.Sub(now))
	late := makeBoleto(7000)
	pay("GET", "/codBarras/"+late, nil)
	if st, v := pay("POST", "/codBarras/"+late, map[string]any{"valor": 7000, "dataPagamento": e.sb.now().Format(dateLayout)}); st != 400 || v["nome"] != "horario_limite_excedido" {
		t.Fatalf("after the cut-off: %d %v", st, v)
	}
	from, to := time.Now().AddDate(0, 0, -1).Format(dateLayout), e.sb.now().AddDate(0, 0, 1).Format(dateLayout)
	if _, v := pay("GET", "/resumo?dataInicio="+from+"&dataFim="+to, nil); v["solicitacoes"].(map[string]any)["total"].(float64) != 2 {
		t.Fatalf("summary: %v", v)
	}
}
