-- 0003: charges (payment links first; carnê parcels and subscription
-- charges join later), their items and timeline, the organisations'
-- callback secrets and the webhook event log.

-- charges mirrors what the Efí API said about each charge of an
-- organisation, plus what only the portal knows (idempotency key, the last
-- notification change applied).
CREATE TABLE charges (
	id                   INTEGER PRIMARY KEY,
	org_id               INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
	efi_charge_id        INTEGER NOT NULL,
	kind                 TEXT    NOT NULL CHECK (kind IN ('link', 'billet', 'card', 'carnet_parcel', 'subscription')),
	status               TEXT    NOT NULL,
	total                INTEGER NOT NULL CHECK (total >= 0),
	custom_id            TEXT    NOT NULL DEFAULT '',
	title                TEXT    NOT NULL DEFAULT '',
	payment_url          TEXT    NOT NULL DEFAULT '',
	payment_method       TEXT    NOT NULL DEFAULT '',
	expire_at            TEXT    NOT NULL DEFAULT '',
	notification_url     TEXT    NOT NULL DEFAULT '',
	notification_token   TEXT    NOT NULL DEFAULT '',
	last_change_id       INTEGER NOT NULL DEFAULT 0,
	status_reason        TEXT    NOT NULL DEFAULT '',
	paid_value           INTEGER NOT NULL DEFAULT 0,
	paid_at              TEXT    NOT NULL DEFAULT '',
	created_at           TEXT    NOT NULL,
	updated_at           TEXT    NOT NULL,
	synced_at            TEXT    NOT NULL,
	UNIQUE (org_id, efi_charge_id)
) STRICT;
-- Keyset pagination: newest first, per organisation, optionally by status;
-- staff read across organisations.
CREATE INDEX charges_org_created ON charges (org_id, created_at DESC, id DESC);
CREATE INDEX charges_org_kind_created ON charges (org_id, kind, created_at DESC, id DESC);
CREATE INDEX charges_org_status_created ON charges (org_id, status, created_at DESC, id DESC);
CREATE INDEX charges_created ON charges (created_at DESC, id DESC);
CREATE INDEX charges_kind_created ON charges (kind, created_at DESC, id DESC);
CREATE INDEX charges_status_created ON charges (status, created_at DESC, id DESC);
-- The reconciliation job walks charges that may still change.
CREATE INDEX charges_open ON charges (synced_at) WHERE status IN ('new', 'waiting', 'link', 'unpaid', 'identified', 'approved', 'contested');

-- Search by custom_id or item name without scanning: an external-content
-- FTS5 index kept in step by triggers.
CREATE VIRTUAL TABLE charges_fts USING fts5 (title, custom_id, content = 'charges', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2');
CREATE TRIGGER charges_fts_ai AFTER INSERT ON charges BEGIN
	INSERT INTO charges_fts (rowid, title, custom_id) VALUES (new.id, new.title, new.custom_id);
END;
CREATE TRIGGER charges_fts_ad AFTER DELETE ON charges BEGIN
	INSERT INTO charges_fts (charges_fts, rowid, title, custom_id) VALUES ('delete', old.id, old.title, old.custom_id);
END;
CREATE TRIGGER charges_fts_au AFTER UPDATE OF title, custom_id ON charges BEGIN
	INSERT INTO charges_fts (charges_fts, rowid, title, custom_id) VALUES ('delete', old.id, old.title, old.custom_id);
	INSERT INTO charges_fts (rowid, title, custom_id) VALUES (new.id, new.title, new.custom_id);
END;

CREATE TABLE charge_items (
	charge_id INTEGER NOT NULL REFERENCES charges(id) ON DELETE CASCADE,
	position  INTEGER NOT NULL,
	name      TEXT    NOT NULL,
	value     INTEGER NOT NULL CHECK (value >= 0),
	amount    INTEGER NOT NULL CHECK (amount >= 1),
	PRIMARY KEY (charge_id, position)
) STRICT, WITHOUT ROWID;

-- links holds a payment link's settings and the idempotency key of the form
-- that created it: a double submit finds the first link instead of making a
-- second one.
CREATE TABLE links (
	charge_id                INTEGER PRIMARY KEY REFERENCES charges(id) ON DELETE CASCADE,
	org_id                   INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
	idempotency_key          TEXT    NOT NULL,
	message                  TEXT    NOT NULL DEFAULT '',
	billet_discount          INTEGER NOT NULL DEFAULT 0,
	card_discount            INTEGER NOT NULL DEFAULT 0,
	conditional_type         TEXT    NOT NULL DEFAULT '' CHECK (conditional_type IN ('', 'percentage', 'currency')),
	conditional_value        INTEGER NOT NULL DEFAULT 0,
	conditional_until        TEXT    NOT NULL DEFAULT '',
	request_delivery_address INTEGER NOT NULL DEFAULT 0,
	customer_email           TEXT    NOT NULL DEFAULT '',
	UNIQUE (org_id, idempotency_key)
) STRICT;

-- charge_events is a charge's timeline: creation, every status change from
-- a notification (each change applied once), notes and actions.
CREATE TABLE charge_events (
	id             INTEGER PRIMARY KEY,
	charge_id      INTEGER NOT NULL REFERENCES charges(id) ON DELETE CASCADE,
	at             TEXT    NOT NULL,
	kind           TEXT    NOT NULL CHECK (kind IN ('created', 'status', 'note', 'action')),
	status_from    TEXT    NOT NULL DEFAULT '',
	status_to      TEXT    NOT NULL DEFAULT '',
	message        TEXT    NOT NULL DEFAULT '',
	efi_change_id  INTEGER,
	UNIQUE (charge_id, efi_change_id)
) STRICT;
CREATE INDEX charge_events_charge ON charge_events (charge_id, at, id);

-- org_callbacks holds the unguessable secret in each organisation's public
-- callback URL (/hooks/efi/:secret).
CREATE TABLE org_callbacks (
	org_id     INTEGER PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
	secret     TEXT    NOT NULL UNIQUE,
	created_at TEXT    NOT NULL
) STRICT;

-- webhook_events is the event log: every callback stored raw the moment it
-- arrives, then what fetching its token returned and the outcome.
CREATE TABLE webhook_events (
	id              INTEGER PRIMARY KEY,
	org_id          INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
	source          TEXT    NOT NULL DEFAULT 'charges',
	received_at     TEXT    NOT NULL,
	remote_addr     TEXT    NOT NULL DEFAULT '',
	content_type    TEXT    NOT NULL DEFAULT '',
	raw             TEXT    NOT NULL,
	token           TEXT    NOT NULL DEFAULT '',
	state           TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at TEXT    NOT NULL,
	fetched         TEXT    NOT NULL DEFAULT '',
	outcome         TEXT    NOT NULL DEFAULT '',
	processed_at    TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX webhook_events_due ON webhook_events (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_events_org ON webhook_events (org_id, id DESC);

-- idempotency_keys reserves a creation form's key before the API is
-- called, so a double submit waits for, then returns, the first request's
-- charge instead of creating a second one upstream.
CREATE TABLE idempotency_keys (
	org_id     INTEGER NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
	key        TEXT    NOT NULL,
	charge_id  INTEGER REFERENCES charges(id) ON DELETE SET NULL,
	created_at TEXT    NOT NULL,
	PRIMARY KEY (org_id, key)
) STRICT;
