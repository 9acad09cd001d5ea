-- 0006: a charge's timeline also holds the API's own history lines
-- (kind 'api'), each stored once.
CREATE TABLE charge_events_new (
	id             INTEGER PRIMARY KEY,
	charge_id      INTEGER NOT NULL REFERENCES charges(id) ON DELETE CASCADE,
	at             TEXT    NOT NULL,
	kind           TEXT    NOT NULL CHECK (kind IN ('created', 'status', 'note', 'action', 'api')),
	status_from    TEXT    NOT NULL DEFAULT '',
	status_to      TEXT    NOT NULL DEFAULT '',
	message        TEXT    NOT NULL DEFAULT '',
	efi_change_id  INTEGER,
	UNIQUE (charge_id, efi_change_id)
) STRICT;
INSERT INTO charge_events_new SELECT * FROM charge_events;
DROP TABLE charge_events;
ALTER TABLE charge_events_new RENAME TO charge_events;
CREATE INDEX charge_events_charge ON charge_events (charge_id, at, id);
CREATE UNIQUE INDEX charge_events_api ON charge_events (charge_id, at, message) WHERE kind = 'api';
