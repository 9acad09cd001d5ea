package db

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// seedNames are the synthetic items' names.
var seedNames = []string{"Camiseta", "Caneca", "Curso online", "Consultoria", "Mensalidade", "Ingresso", "Livro", "Assinatura anual",
	"Kit presente", "Frete expresso", "Aula particular", "Plano família", "Manutenção", "Hospedagem", "Licença de software"}

var seedStatuses = []string{"link", "link", "paid", "paid", "paid", "waiting", "unpaid", "canceled", "expired", "settled"}

// SeedCharges inserts n synthetic payment links (charges with items and
// link settings) for an organisation, spread over the last days, in
// batches of one transaction each. It is for benchmarks and demos: the
// charges do not exist upstream. progress, when not nil, is called after
// each batch with the count so far.
func (d *DB) SeedCharges(ctx context.Context, orgID int64, n int, seed uint64, progress func(done int)) error {
	r := rand.New(rand.NewPCG(seed, uint64(orgID)))
	now := d.now().UTC()
	span := 365 * 24 * time.Hour
	const batch = 5000
	var efiBase int64
	if err := d.Write.QueryRowContext(ctx, `SELECT COALESCE(MAX(efi_charge_id), 90000000) FROM charges WHERE org_id = ?`, orgID).Scan(&efiBase); err != nil {
		return err
	}
	for done := 0; done < n; {
		m := min(batch, n-done)
		err := d.WithTx(ctx, func(tx *Tx) error {
			insCharge, err := tx.PrepareContext(ctx, `INSERT INTO charges (org_id, efi_charge_id, kind, status, total, custom_id, title,
				payment_url, payment_method, expire_at, created_at, updated_at, synced_at) VALUES (?, ?, 'link', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
			if err != nil {
				return err
			}
			defer insCharge.Close()
			insItem, err := tx.PrepareContext(ctx, `INSERT INTO charge_items (charge_id, position, name, value, amount) VALUES (?, 0, ?, ?, ?)`)
			if err != nil {
				return err
			}
			defer insItem.Close()
			insLink, err := tx.PrepareContext(ctx, `INSERT INTO links (charge_id, org_id, idempotency_key) VALUES (?, ?, ?)`)
			if err != nil {
				return err
			}
			defer insLink.Close()
			for i := 0; i < m; i++ {
				k := done + i
				efiID := efiBase + int64(k) + 1
				name := seedNames[r.IntN(len(seedNames))]
				value := int64(500 + r.IntN(200000))
				amount := int64(1 + r.IntN(3))
				// Ascending timestamps spread over the last year: rows land at
				// the end of every index, as real traffic does, which keeps
				// seeding a million rows to a few minutes.
				step := int64(span) / int64(n)
				created := now.Add(-span + time.Duration(int64(k)*step+r.Int64N(max(step, 1))))
				ts := FormatTime(created)
				res, err := insCharge.ExecContext(ctx, orgID, efiID, seedStatuses[r.IntN(len(seedStatuses))], value*amount,
					fmt.Sprintf("pedido-%d", efiID), name, fmt.Sprintf("https://pagamento.example/%d", efiID), "all",
					created.AddDate(0, 0, 30).Format("2006-01-02"), ts, ts, ts)
				if err != nil {
					return err
				}
				id, _ := res.LastInsertId()
				if _, err := insItem.ExecContext(ctx, id, name, value, amount); err != nil {
					return err
				}
				if _, err := insLink.ExecContext(ctx, id, orgID, fmt.Sprintf("seed_%d", efiID)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed batch at %d: %w", done, err)
		}
		done += m
		if progress != nil {
			progress(done)
		}
	}
	_, err := d.Write.ExecContext(ctx, `ANALYZE`)
	return err
}
