package db

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

func openTest(t *testing.T, path string) *DB {
	t.Helper()
	d, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return d
}

func TestMigrationsIdempotent(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "portal.db")
	d := openTest(t, path)
	if err := d.Ping(ctx); err != nil {
		t.Fatalf("ping after first open: %v", err)
	}
	d.Close()

	d = openTest(t, path)
	defer d.Close()
	var n int
	if err := d.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != LatestVersion() {
		t.Fatalf("schema_migrations has %d rows after two opens, want %d (one per migration)", n, LatestVersion())
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "portal.db")
	d := openTest(t, path)
	if _, err := d.Write.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from_the_future.sql', 'x')`, LatestVersion()+1); err != nil {
		t.Fatal(err)
	}
	d.Close()

	_, err := Open(ctx, path, Options{})
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("open of a newer database: got %v, want ErrNewerSchema", err)
	}
}

func TestPragmas(t *testing.T) {
	ctx := context.Background()
	d := openTest(t, filepath.Join(t.TempDir(), "portal.db"))
	defer d.Close()
	for _, tc := range []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
	} {
		var got string
		if err := d.Read.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("readers: PRAGMA %s = %s, want %s", tc.pragma, got, tc.want)
		}
		if err := d.Write.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("writer: PRAGMA %s = %s, want %s", tc.pragma, got, tc.want)
		}
	}
	if _, err := d.Read.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ('a','b','c')`); err == nil {
		t.Error("the read pool accepted a write")
	}
}

func TestMapErrorConstraints(t *testing.T) {
	ctx := context.Background()
	d := openTest(t, filepath.Join(t.TempDir(), "portal.db"))
	defer d.Close()
	insert := func() error {
		return d.WithTx(ctx, func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ('k', 'v', ?)`, FormatTime(tx.Now()))
			return err
		})
	}
	if err := insert(); err != nil {
		t.Fatal(err)
	}
	err := insert()
	if !errors.Is(err, ErrConflict) {
		t.Fatalf("duplicate key: got %v, want ErrConflict", err)
	}
	var ce *ConstraintError
	if !errors.As(err, &ce) || !ce.On("settings.key") {
		t.Fatalf("constraint error does not name settings.key: %v", err)
	}
	err = d.WithTx(ctx, func(tx *Tx) error {
		var v string
		return tx.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'missing'`).Scan(&v)
	})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing row: got %v, want ErrNotFound", err)
	}
}

func TestWithTxRollsBackOnError(t *testing.T) {
	ctx := context.Background()
	d := openTest(t, filepath.Join(t.TempDir(), "portal.db"))
	defer d.Close()
	boom := errors.New("boom")
	err := d.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ('r', 'v', 'x')`); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	var n int
	d.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM settings WHERE key = 'r'`).Scan(&n)
	if n != 0 {
		t.Fatal("a failed transaction left its row behind")
	}
}
