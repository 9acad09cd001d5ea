-- 0005: each organisation's Efí credentials. Secrets are sealed by
-- services/secrets (AES-256-GCM) before they reach this table.
CREATE TABLE org_credentials (
	org_id            INTEGER PRIMARY KEY REFERENCES organisations(id) ON DELETE CASCADE,
	client_id         TEXT    NOT NULL DEFAULT '',
	client_secret_enc TEXT    NOT NULL DEFAULT '',
	cert_kind         TEXT    NOT NULL DEFAULT '' CHECK (cert_kind IN ('', 'p12', 'pem')),
	cert_enc          TEXT    NOT NULL DEFAULT '',
	key_enc           TEXT    NOT NULL DEFAULT '',
	p12_password_enc  TEXT    NOT NULL DEFAULT '',
	cert_subject      TEXT    NOT NULL DEFAULT '',
	cert_not_after    TEXT    NOT NULL DEFAULT '',
	updated_at        TEXT    NOT NULL
) STRICT;
