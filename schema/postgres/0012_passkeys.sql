-- Users' WebAuthn credentials (passkeys): the COSE public key as the authenticator encoded it,
-- the highest signature counter seen (a counter going back marks a cloned authenticator,
-- WebAuthn L3 §6.1.1), and the backup flags (BE is fixed at registration, BS follows each use).
CREATE TABLE passkeys (
    tenant_id       uuid        NOT NULL,
    credential_id   bytea       NOT NULL,
    user_id         uuid        NOT NULL,
    public_key      bytea       NOT NULL,
    algorithm       integer     NOT NULL,
    sign_count      bigint      NOT NULL,
    backup_eligible boolean     NOT NULL,
    backed_up       boolean     NOT NULL,
    transports      text        NOT NULL,
    aaguid          bytea       NOT NULL,
    name            text        NOT NULL,
    created_at      timestamptz NOT NULL,
    last_used_at    timestamptz,
    PRIMARY KEY (tenant_id, credential_id)
);
CREATE INDEX passkeys_user ON passkeys (tenant_id, user_id);

-- WebAuthn challenges already answered (WebAuthn L3 §13.4.3): the challenge itself is sealed
-- state the browser carries, so the one server-side trace is this, until the challenge expires.
CREATE TABLE webauthn_challenges (
    tenant_id  uuid        NOT NULL,
    ceremony   text        NOT NULL,
    jti        text        NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, ceremony, jti)
);
CREATE INDEX webauthn_challenges_expiry ON webauthn_challenges (expires_at);
