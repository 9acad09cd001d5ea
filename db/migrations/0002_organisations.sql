-- 0002: organisations, the merchant accounts everything else belongs to.
-- Each holds the Efí environment its charges live in; credentials and
-- users arrive with the sign-in layer.
CREATE TABLE organisations (
	id          INTEGER PRIMARY KEY,
	name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	document    TEXT    NOT NULL DEFAULT '' CHECK (document = '' OR length(document) IN (11, 14)),
	environment TEXT    NOT NULL DEFAULT 'embedded' CHECK (environment IN ('embedded', 'homologation', 'production')),
	created_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
