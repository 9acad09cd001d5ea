package db

import (
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// TimeFormat is how timestamps are stored: RFC 3339 in UTC with fixed
// fractional digits, so text order is time order.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// FormatTime formats t for storage.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// ParseTime parses a stored timestamp.
func ParseTime(s string) (time.Time, error) { return time.Parse(TimeFormat, s) }

// Domain errors that driver errors are mapped to.
var (
	// ErrNotFound means no row matched.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a unique constraint refused the write.
	ErrConflict = errors.New("already exists")
	// ErrConstraint means another constraint (foreign key, check, not null) refused the write.
	ErrConstraint = errors.New("constraint violated")
	// ErrBusy means the database stayed locked past the busy timeout.
	ErrBusy = errors.New("database busy")
)

// ConstraintError tells which constraint refused a write.
type ConstraintError struct {
	Kind   error  // ErrConflict or ErrConstraint
	Detail string // the driver's message, e.g. "UNIQUE constraint failed: links.idempotency_key"
	err    error
}

func (e *ConstraintError) Error() string { return fmt.Sprintf("%v: %s", e.Kind, e.Detail) }

// Unwrap lets errors.Is match both the kind and the driver error.
func (e *ConstraintError) Unwrap() []error { return []error{e.Kind, e.err} }

// On reports whether the constraint concerns the named column or index
// (e.g. "links.idempotency_key").
func (e *ConstraintError) On(name string) bool { return strings.Contains(e.Detail, name) }

// MapError turns driver errors into the package's domain errors; it is the
// one place that knows SQLite's result codes.
func MapError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	var ce *ConstraintError
	if errors.As(err, &ce) {
		return err
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return &ConstraintError{Kind: ErrConflict, Detail: se.Error(), err: err}
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY, sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL, sqlite3.SQLITE_CONSTRAINT:
		return &ConstraintError{Kind: ErrConstraint, Detail: se.Error(), err: err}
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return fmt.Errorf("%w: %w", ErrBusy, err)
	}
	return err
}
