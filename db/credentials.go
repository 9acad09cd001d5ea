package db

import (
	"context"
	"errors"
)

// Credentials are an organisation's Efí credentials, secrets still sealed.
type Credentials struct {
	OrgID           int64
	Environment     string
	ClientID        string
	ClientSecretEnc string
	CertKind        string
	CertEnc         string
	KeyEnc          string
	P12PasswordEnc  string
	CertSubject     string
	CertNotAfter    string
	UpdatedAt       string
}

// OrgCredentials reads an organisation's environment and credentials (the
// zero credentials when none were saved).
func (d *DB) OrgCredentials(ctx context.Context, orgID int64) (Credentials, error) {
	c := Credentials{OrgID: orgID}
	err := d.Read.QueryRowContext(ctx, `SELECT o.environment, COALESCE(c.client_id, ''), COALESCE(c.client_secret_enc, ''),
		COALESCE(c.cert_kind, ''), COALESCE(c.cert_enc, ''), COALESCE(c.key_enc, ''), COALESCE(c.p12_password_enc, ''),
		COALESCE(c.cert_subject, ''), COALESCE(c.cert_not_after, ''), COALESCE(c.updated_at, '')
		FROM organisations o LEFT JOIN org_credentials c ON c.org_id = o.id WHERE o.id = ?`, orgID).
		Scan(&c.Environment, &c.ClientID, &c.ClientSecretEnc, &c.CertKind, &c.CertEnc, &c.KeyEnc, &c.P12PasswordEnc,
			&c.CertSubject, &c.CertNotAfter, &c.UpdatedAt)
	return c, MapError(err)
}

// SaveOrgCredentials writes the environment and the credentials.
func SaveOrgCredentials(ctx context.Context, tx *Tx, c Credentials) error {
	res, err := tx.ExecContext(ctx, `UPDATE organisations SET environment = ? WHERE id = ?`, c.Environment, c.OrgID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO org_credentials (org_id, client_id, client_secret_enc, cert_kind, cert_enc, key_enc,
		p12_password_enc, cert_subject, cert_not_after, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (org_id) DO UPDATE SET client_id = excluded.client_id, client_secret_enc = excluded.client_secret_enc,
		cert_kind = excluded.cert_kind, cert_enc = excluded.cert_enc, key_enc = excluded.key_enc,
		p12_password_enc = excluded.p12_password_enc, cert_subject = excluded.cert_subject,
		cert_not_after = excluded.cert_not_after, updated_at = excluded.updated_at`,
		c.OrgID, c.ClientID, c.ClientSecretEnc, c.CertKind, c.CertEnc, c.KeyEnc, c.P12PasswordEnc, c.CertSubject, c.CertNotAfter, FormatTime(tx.Now()))
	if err != nil {
		return MapError(errors.Join(errors.New("save credentials"), err))
	}
	return nil
}
