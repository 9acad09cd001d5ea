package sandbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/url"

	_ "modernc.org/sqlite" // pure-Go SQLite driver
)

// store persists the sandbox's state as JSON documents in its own SQLite
// file, so charges survive a restart. The live state is kept in memory
// (an emulator's data is small) and written through on every change.
type store struct {
	db *sql.DB
}

func openStore(ctx context.Context, path string) (*store, error) {
	if path == "" {
		path = ":memory:"
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	dsn := "file:" + path + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sandbox db: %w", err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS docs (
		kind TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (kind, id))`); err != nil {
		db.Close()
		return nil, fmt.Errorf("create sandbox schema: %w", err)
	}
	return &store{db: db}, nil
}

func (s *store) put(kind, id string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = s.db.Exec(`INSERT INTO docs (kind, id, data) VALUES (?, ?, ?) ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data`, kind, id, string(b))
	return err
}

// each calls fn with every document of a kind.
func (s *store) each(ctx context.Context, kind string, fn func(id string, data []byte) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT id, data FROM docs WHERE kind = ?`, kind)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, data string
		if err := rows.Scan(&id, &data); err != nil {
			return err
		}
		if err := fn(id, []byte(data)); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s *store) close() error { return s.db.Close() }
