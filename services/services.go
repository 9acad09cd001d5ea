// Package services holds what every area's service shares: who is asking
// (Actor), the domain errors handlers map to HTTP statuses, and field
// errors that forms show next to each input.
package services

import (
	"errors"
	"fmt"
)

// Actor is the person a service acts for. Services scope every query by it.
type Actor struct {
	UserID int64
	OrgID  int64 // 0 for staff, who see every organisation
	Role   string
	Name   string
	IP     string
}

// Roles.
const (
	RoleStaff    = "staff"
	RoleMerchant = "merchant"
	RolePartner  = "partner"
)

// IsStaff reports whether the actor is back-office staff.
func (a Actor) IsStaff() bool { return a.Role == RoleStaff }

// Domain errors. Handlers map them to statuses in one place.
var (
	ErrNotFound  = errors.New("not found")
	ErrForbidden = errors.New("forbidden")
	ErrConflict  = errors.New("conflict")
	ErrInvalid   = errors.New("invalid input")
	ErrUpstream  = errors.New("efí api error")
)

// Message is a user-facing sentence by its i18n key and arguments; the
// handler translates it into the person's language.
type Message struct {
	Key  string
	Args []any
}

// M builds a Message.
func M(key string, args ...any) Message { return Message{Key: key, Args: args} }

// FieldErrors maps a form field's name to its message.
type FieldErrors map[string]Message

// Add records the first message for a field.
func (f FieldErrors) Add(field string, m Message) {
	if _, ok := f[field]; !ok {
		f[field] = m
	}
}

// Error is a domain error with a message safe to show and the internal
// cause kept for the log.
type Error struct {
	Kind   error       // one of the Err* sentinels
	Msg    Message     // what the person reads
	Fields FieldErrors // per-field messages, for forms
	Cause  error       // the internal error, for the log only
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%v: %s: %v", e.Kind, e.Msg.Key, e.Cause)
	}
	return fmt.Sprintf("%v: %s", e.Kind, e.Msg.Key)
}

// Unwrap lets errors.Is match the kind and the cause.
func (e *Error) Unwrap() []error { return []error{e.Kind, e.Cause} }

// Invalid is a validation failure with per-field messages.
func Invalid(fields FieldErrors) *Error {
	return &Error{Kind: ErrInvalid, Msg: M("form.errors"), Fields: fields}
}
