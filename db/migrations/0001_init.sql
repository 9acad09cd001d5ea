-- 0001: the settings every later feature reads; the rest of the schema
-- arrives with the features that need it.
CREATE TABLE settings (
	key        TEXT PRIMARY KEY,
	value      TEXT NOT NULL,
	updated_at TEXT NOT NULL
) STRICT;
