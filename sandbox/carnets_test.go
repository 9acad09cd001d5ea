package sandbox

import (
	"testing"
	"time"
)

func TestCarnetLifecycle(t *testing.T) {
	e := start(t, Config{})
	body := func(repeats int) map[string]any {
		return map[string]any{
			"items":     []map[string]any{{"name": "Mensalidade", "value": 7500}},
			"customer":  map[string]any{"name": "Gorbadoc Oldbuck", "cpf": "94271564656"},
			"expire_at": future(5), "repeats": repeats,
		}
	}
	for _, tc := range []struct {
		repeats int
		code    float64
	}{{1, 3500041}, {13, 4600059}} {
		if st, v := e.call("POST", "/v1/carnet", body(tc.repeats)); st != 400 || v["code"].(float64) != tc.code {
			t.Fatalf("repeats %d: %d %v", tc.repeats, st, v)
		}
	}
	st, v := e.call("POST", "/v1/carnet", body(3))
	if st != 200 || data(v)["status"] != "up_to_date" || len(data(v)["charges"].([]any)) != 3 {
		t.Fatalf("create: %d %v", st, v)
	}
	id := itoa(int64(data(v)["carnet_id"].(float64)))
	first := data(v)["charges"].([]any)[0].(map[string]any)
	if first["parcel"] != "1" {
		t.Fatalf("create answers the parcel as a string (§12 item 4): %v", first["parcel"])
	}
	_, v = e.call("GET", "/v1/carnet/"+id, nil)
	parcels := data(v)["charges"].([]any)
	if parcels[0].(map[string]any)["parcel"].(float64) != 1 || parcels[2].(map[string]any)["expire_at"] != time.Now().AddDate(0, 2, 5).Format(dateLayout) {
		t.Fatalf("detail parcels: %v", parcels)
	}
	// A parcel is a charge too.
	pid := itoa(int64(parcels[0].(map[string]any)["charge_id"].(float64)))
	if _, v := e.call("GET", "/v1/charge/"+pid, nil); data(v)["payment"].(map[string]any)["method"] != "carnet" {
		t.Fatalf("parcel as a charge: %v", data(v))
	}
	// Moving a due date earlier is refused; later is fine.
	if st, v := e.call("PUT", "/v1/carnet/"+id+"/parcels", map[string]any{"parcels": []map[string]any{{"parcel": 2, "expire_at": future(6)}}}); st != 500 || v["code"].(float64) != 3500101 {
		t.Fatalf("earlier due date: %d %v", st, v)
	}
	if st, _ := e.call("PUT", "/v1/carnet/"+id+"/parcel/2", map[string]any{"expire_at": future(70)}); st != 200 {
		t.Fatal("later due date refused")
	}
	// The first parcel falls due: the carnet is unpaid; settling it brings it back.
	e.sb.AdvanceClock(7 * 24 * time.Hour)
	if _, v := e.call("GET", "/v1/carnet/"+id, nil); data(v)["status"] != "unpaid" {
		t.Fatalf("after the first due date: %v", data(v)["status"])
	}
	if st, _ := e.call("PUT", "/v1/carnet/"+id+"/parcel/1/settle", nil); st != 200 {
		t.Fatal("settle parcel")
	}
	if _, v := e.call("GET", "/v1/carnet/"+id, nil); data(v)["status"] != "up_to_date" {
		t.Fatalf("after settling: %v", data(v)["status"])
	}
	if st, v := e.call("PUT", "/v1/carnet/"+id+"/parcel/1/cancel", nil); st != 400 || v["code"].(float64) != 3500043 {
		t.Fatalf("cancel a settled parcel: %d %v", st, v)
	}
	if st, _ := e.call("PUT", "/v1/carnet/"+id+"/cancel", nil); st != 200 {
		t.Fatal("cancel carnet")
	}
	if _, v := e.call("GET", "/v1/carnet/"+id, nil); data(v)["status"] != "canceled" {
		t.Fatalf("after cancel: %v", data(v)["status"])
	}
}
