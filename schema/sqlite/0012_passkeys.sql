-- Users' WebAuthn credentials (passkeys): the COSE public key as the authenticator encoded it,
-- the highest signature counter seen (a counter going back marks a cloned authenticator,
-- WebAuthn L3 §6.1.1), and the backup flags (BE is fixed at registration, BS follows each use).
CREATE TABLE passkeys (
    tenant_id       TEXT    NOT NULL,
    credential_id   BLOB    NOT NULL,
    user_id         TEXT    NOT NULL,
    public_key      BLOB    NOT NULL,
    algorithm       INTEGER NOT NULL,
    sign_count      INTEGER NOT NULL,
    backup_eligible INTEGER NOT NULL,
    backed_up       INTEGER NOT NULL,
    transports      TEXT    NOT NULL,
    aaguid          BLOB    NOT NULL,
    name            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    last_used_at    INTEGER,
    PRIMARY KEY (tenant_id, credential_id)
);
CREATE INDEX passkeys_user ON passkeys (tenant_id, user_id);

-- WebAuthn challenges already answered (WebAuthn L3 §13.4.3): the challenge itself is sealed
-- state the browser carries, so the one server-side trace is this, until the challenge expires.
CREATE TABLE webauthn_challenges (
    tenant_id  TEXT    NOT NULL,
    ceremony   TEXT    NOT NULL,
    jti        TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, ceremony, jti)
);
CREATE INDEX webauthn_challenges_expiry ON webauthn_challenges (expires_at);
