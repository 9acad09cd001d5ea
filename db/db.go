// Package db opens the portal's SQLite database, runs its embedded
// migrations and maps driver errors to domain errors in one place.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
)

// DB holds two pools over one SQLite file: a single writer connection, so
// writes never fight over the file lock, and a pool of readers that run
// concurrently thanks to WAL mode.
type DB struct {
	// Write is the one connection every write goes through.
	Write *sql.DB
	// Read is a pool of read-only connections.
	Read *sql.DB

	path string
	now  func() time.Time
}

// Options tunes Open.
type Options struct {
	// Readers is the size of the read pool; zero means max(4, GOMAXPROCS).
	Readers int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Open opens (creating if needed) the database at path and applies every
// pending migration. It refuses a database written by a newer version.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Readers <= 0 {
		opts.Readers = max(4, runtime.GOMAXPROCS(0))
	}
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)

	d := &DB{Write: w, path: path, now: opts.Now}
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := d.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open database readers: %w", err)
	}
	r.SetMaxOpenConns(opts.Readers)
	r.SetMaxIdleConns(opts.Readers)
	d.Read = r
	return d, nil
}

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_txlock", "immediate")
	if readOnly {
		q.Add("mode", "ro")
	}
	return "file:" + path + "?" + q.Encode()
}

// Path is the database file's location.
func (d *DB) Path() string { return d.path }

// Now is the database's clock, injected for tests.
func (d *DB) Now() time.Time { return d.now() }

// Close closes both pools.
func (d *DB) Close() error {
	var errs []error
	if d.Read != nil {
		errs = append(errs, d.Read.Close())
	}
	errs = append(errs, d.Write.Close())
	return errors.Join(errs...)
}

// Tx is a write transaction.
type Tx struct {
	*sql.Tx
	now time.Time
}

// Now is the time the transaction started, so every row it writes carries
// one timestamp.
func (tx *Tx) Now() time.Time { return tx.now }

// WithTx runs fn in a write transaction and commits it when fn returns nil.
// A constraint error from fn or the commit is mapped to a domain error.
func (d *DB) WithTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := d.Write.BeginTx(ctx, nil)
	if err != nil {
		return MapError(fmt.Errorf("begin: %w", err))
	}
	defer sqlTx.Rollback()
	if err := fn(&Tx{Tx: sqlTx, now: d.now().UTC()}); err != nil {
		return MapError(err)
	}
	if err := sqlTx.Commit(); err != nil {
		return MapError(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// Ping checks that the database answers and its schema is current.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.Read.PingContext(ctx); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	cur, err := d.version(ctx, d.Read)
	if err != nil {
		return err
	}
	if want := LatestVersion(); cur != want {
		return fmt.Errorf("schema at version %d, want %d", cur, want)
	}
	return nil
}
