package db

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func newOrgDB(t testing.TB) (*DB, int64, int64) {
	t.Helper()
	ctx := context.Background()
	d, err := Open(ctx, filepath.Join(t.TempDir(), "portal.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	var a, b int64
	err = d.WithTx(ctx, func(tx *Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO organisations (name) VALUES ('Loja A')`)
		if err != nil {
			return err
		}
		a, _ = r.LastInsertId()
		r, err = tx.ExecContext(ctx, `INSERT INTO organisations (name) VALUES ('Loja B')`)
		if err != nil {
			return err
		}
		b, _ = r.LastInsertId()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return d, a, b
}

func insertLink(t testing.TB, d *DB, org, efiID int64, status, title, custom string, created time.Time) int64 {
	t.Helper()
	ctx := context.Background()
	c := Charge{OrgID: org, EfiChargeID: efiID, Kind: KindLink, Status: status, Total: 1000, Title: title, CustomID: custom, CreatedAt: created}
	err := d.WithTx(ctx, func(tx *Tx) error {
		return InsertCharge(ctx, tx, &c, []ChargeItem{{Name: title, Value: 1000, Amount: 1}})
	})
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func TestKeysetPaginationWalksEveryRowOnce(t *testing.T) {
	ctx := context.Background()
	d, org, other := newOrgDB(t)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 53; i++ {
		// Pairs share a timestamp so the id breaks ties.
		insertLink(t, d, org, int64(1000+i), "link", "Item", "", base.Add(time.Duration(i/2)*time.Hour))
	}
	insertLink(t, d, other, 5000, "link", "Other org", "", base)

	seen := map[int64]bool{}
	f := ChargeFilter{Scope: Scope{OrgID: org}, Limit: 10}
	var pages []ChargePage
	for {
		p, err := d.ListCharges(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, p)
		for i, c := range p.Charges {
			if seen[c.ID] {
				t.Fatalf("row %d seen twice", c.ID)
			}
			seen[c.ID] = true
			if c.OrgID != org {
				t.Fatal("another organisation's row leaked into the list")
			}
			if i > 0 && !(c.CreatedAt.Before(p.Charges[i-1].CreatedAt) || c.CreatedAt.Equal(p.Charges[i-1].CreatedAt) && c.ID < p.Charges[i-1].ID) {
				t.Fatal("not newest first")
			}
		}
		if p.Next == nil {
			break
		}
		f.After, f.Before = p.Next, nil
	}
	if len(seen) != 53 || len(pages) != 6 {
		t.Fatalf("saw %d rows in %d pages, want 53 in 6", len(seen), len(pages))
	}
	if pages[0].Prev != nil {
		t.Error("first page has a previous link")
	}
	// Walk back from the last page with Before: the pages come back identical.
	back := ChargeFilter{Scope: Scope{OrgID: org}, Limit: 10, Before: pages[5].Prev}
	p, err := d.ListCharges(ctx, back)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Charges) != 10 || p.Charges[0].ID != pages[4].Charges[0].ID || p.Charges[9].ID != pages[4].Charges[9].ID {
		t.Fatal("previous page differs from the page walked forward")
	}
}

func TestListFiltersAndSearch(t *testing.T) {
	ctx := context.Background()
	d, org, _ := newOrgDB(t)
	day := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	insertLink(t, d, org, 1, "paid", "Camiseta azul", "pedido-77", day)
	insertLink(t, d, org, 2, "link", "Caneca", "pedido-78", day.AddDate(0, 0, 1))
	insertLink(t, d, org, 3, "paid", "Curso de Programação", "", day.AddDate(0, 0, 5))
	for _, tc := range []struct {
		name string
		f    ChargeFilter
		want []int64
	}{
		{"status", ChargeFilter{Status: "paid"}, []int64{3, 1}},
		{"date range", ChargeFilter{From: day.AddDate(0, 0, 1), To: day.AddDate(0, 0, 2)}, []int64{2}},
		{"item name prefix", ChargeFilter{Query: "camis"}, []int64{1}},
		{"accents ignored", ChargeFilter{Query: "programacao"}, []int64{3}},
		{"custom_id", ChargeFilter{Query: "pedido-78"}, []int64{2}},
		{"fts syntax is inert", ChargeFilter{Query: `" OR * NEAR(`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.Scope = Scope{OrgID: org}
			p, err := d.ListCharges(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, c := range p.Charges {
				got = append(got, c.EfiChargeID)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			}
		})
	}
}

func TestChargeScopedByOrganisation(t *testing.T) {
	ctx := context.Background()
	d, org, other := newOrgDB(t)
	id := insertLink(t, d, org, 1, "link", "X", "", time.Now())
	if _, err := d.Charge(ctx, Scope{OrgID: other}, id); !errors.Is(err, ErrNotFound) {
		t.Fatalf("another organisation read the charge: %v", err)
	}
	c, err := d.Charge(ctx, Scope{}, id)
	if err != nil || c.OrgName != "Loja A" {
		t.Fatalf("staff scope: %+v %v", c, err)
	}
}

func TestNotificationChangesApplyOnceAndInOrder(t *testing.T) {
	ctx := context.Background()
	d, org, _ := newOrgDB(t)
	id := insertLink(t, d, org, 42, "link", "X", "", time.Now())
	apply := func(ch NotificationChange) bool {
		var ok bool
		err := d.WithTx(ctx, func(tx *Tx) error {
			c, err := ChargeForUpdate(ctx, tx, id)
			if err != nil {
				return err
			}
			ok, err = ApplyNotificationChange(ctx, tx, c, ch)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !apply(NotificationChange{ChangeID: 1, Status: "waiting", Previous: "link", Token: "tok"}) {
		t.Fatal("first change not applied")
	}
	if !apply(NotificationChange{ChangeID: 2, Status: "paid", Previous: "waiting", Token: "tok", PaidValue: 1000, ReceivedAt: "2026-03-01"}) {
		t.Fatal("second change not applied")
	}
	if apply(NotificationChange{ChangeID: 2, Status: "paid", Previous: "waiting", Token: "tok"}) {
		t.Fatal("the same change applied twice")
	}
	if apply(NotificationChange{ChangeID: 1, Status: "waiting", Previous: "link", Token: "tok"}) {
		t.Fatal("an older change overwrote a newer status")
	}
	c, _ := d.Charge(ctx, Scope{}, id)
	if c.Status != "paid" || c.PaidValue != 1000 || c.LastChangeID != 2 {
		t.Fatalf("charge after changes: %+v", c)
	}
	events, _ := d.ChargeEvents(ctx, id)
	var statuses int
	for _, e := range events {
		if e.Kind == "status" {
			statuses++
		}
	}
	if statuses != 2 {
		t.Fatalf("%d status events in the timeline, want 2", statuses)
	}
}

func TestIdempotencyKeyReservation(t *testing.T) {
	ctx := context.Background()
	d, org, other := newOrgDB(t)
	ok, _, _, err := d.ReserveIdempotencyKey(ctx, org, "pl_k")
	if err != nil || !ok {
		t.Fatalf("first reservation: %v %v", ok, err)
	}
	ok, chargeID, _, _ := d.ReserveIdempotencyKey(ctx, org, "pl_k")
	if ok || chargeID != 0 {
		t.Fatal("second reservation of the same key succeeded")
	}
	if ok, _, _, _ := d.ReserveIdempotencyKey(ctx, other, "pl_k"); !ok {
		t.Fatal("keys are per organisation")
	}
	id := insertLink(t, d, org, 9, "link", "X", "", time.Now())
	if err := d.WithTx(ctx, func(tx *Tx) error { return CompleteIdempotencyKey(ctx, tx, org, "pl_k", id) }); err != nil {
		t.Fatal(err)
	}
	if _, chargeID, _, _ := d.ReserveIdempotencyKey(ctx, org, "pl_k"); chargeID != id {
		t.Fatalf("repeat finds charge %d, want %d", chargeID, id)
	}
	d.ReserveIdempotencyKey(ctx, org, "pl_free")
	d.ReleaseIdempotencyKey(ctx, org, "pl_free")
	if ok, _, _, _ := d.ReserveIdempotencyKey(ctx, org, "pl_free"); !ok {
		t.Fatal("released key cannot be reserved again")
	}
}

func TestSeedCharges(t *testing.T) {
	ctx := context.Background()
	d, org, _ := newOrgDB(t)
	if err := d.SeedCharges(ctx, org, 1200, 1, nil); err != nil {
		t.Fatal(err)
	}
	var n int
	d.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM charges c JOIN links l ON l.charge_id = c.id JOIN charge_items i ON i.charge_id = c.id WHERE c.org_id = ?`, org).Scan(&n)
	if n != 1200 {
		t.Fatalf("seeded %d links with items, want 1200", n)
	}
	p, err := d.ListCharges(ctx, ChargeFilter{Scope: Scope{OrgID: org}, Query: "caneca", Limit: 5})
	if err != nil || len(p.Charges) == 0 {
		t.Fatalf("search over seeded rows: %v %d", err, len(p.Charges))
	}
}

func TestSearchPaginatesNewestFirst(t *testing.T) {
	ctx := context.Background()
	d, org, other := newOrgDB(t)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 27; i++ {
		insertLink(t, d, org, int64(100+i), "link", "Caneca azul", "", base.Add(time.Duration(i)*time.Hour))
		insertLink(t, d, org, int64(200+i), "link", "Camiseta", "", base.Add(time.Duration(i)*time.Hour))
	}
	insertLink(t, d, other, 999, "link", "Caneca de outra loja", "", base)
	f := ChargeFilter{Scope: Scope{OrgID: org}, Query: "caneca", Limit: 10}
	var ids []int64
	var pages []ChargePage
	for {
		p, err := d.ListCharges(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, p)
		for _, c := range p.Charges {
			if c.Title != "Caneca azul" {
				t.Fatalf("search returned %q", c.Title)
			}
			if len(ids) > 0 && c.ID >= ids[len(ids)-1] {
				t.Fatal("search results not newest first")
			}
			ids = append(ids, c.ID)
		}
		if p.Next == nil {
			break
		}
		f.After = p.Next
	}
	if len(ids) != 27 || len(pages) != 3 {
		t.Fatalf("%d results in %d pages", len(ids), len(pages))
	}
	back, _ := d.ListCharges(ctx, ChargeFilter{Scope: Scope{OrgID: org}, Query: "caneca", Limit: 10, Before: pages[2].Prev})
	if len(back.Charges) != 10 || back.Charges[0].ID != pages[1].Charges[0].ID {
		t.Fatal("previous page of a search differs from the page walked forward")
	}
}
