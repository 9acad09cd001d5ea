-- 0004: people, their server-side sessions and the audit log.
CREATE TABLE users (
	id                  INTEGER PRIMARY KEY,
	org_id              INTEGER REFERENCES organisations(id) ON DELETE RESTRICT,
	name                TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	email               TEXT    NOT NULL UNIQUE COLLATE NOCASE,
	password_hash       TEXT    NOT NULL,
	role                TEXT    NOT NULL CHECK (role IN ('staff', 'merchant', 'partner')),
	active              INTEGER NOT NULL DEFAULT 1,
	locale              TEXT    NOT NULL DEFAULT '',
	created_at          TEXT    NOT NULL,
	password_changed_at TEXT    NOT NULL,
	CHECK (role = 'staff' OR org_id IS NOT NULL)
) STRICT;
CREATE INDEX users_org ON users (org_id);

-- sessions are kept server-side: the cookie holds only a random id, and
-- this table holds its SHA-256, so signing out, disabling a user or
-- changing a password ends sessions at once.
CREATE TABLE sessions (
	id_hash      TEXT    PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	data         TEXT    NOT NULL DEFAULT '{}',
	created_at   TEXT    NOT NULL,
	last_seen_at TEXT    NOT NULL,
	ip           TEXT    NOT NULL DEFAULT '',
	user_agent   TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);

-- audit_log is append-only: written in the same transaction as the change.
CREATE TABLE audit_log (
	id      INTEGER PRIMARY KEY,
	at      TEXT    NOT NULL,
	user_id INTEGER,
	role    TEXT    NOT NULL DEFAULT '',
	org_id  INTEGER,
	action  TEXT    NOT NULL,
	target  TEXT    NOT NULL DEFAULT '',
	ip      TEXT    NOT NULL DEFAULT '',
	outcome TEXT    NOT NULL DEFAULT 'ok'
) STRICT;
CREATE INDEX audit_log_org ON audit_log (org_id, id DESC);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
