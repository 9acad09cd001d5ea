-- PLACEHOLDER on the links branch until the auth branch lands its 0002.
CREATE TABLE organisations (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL
) STRICT;
