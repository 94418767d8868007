-- Tessera's first schema, SQLite dialect of schema/postgres/0001_initial.sql: uuid as TEXT,
-- timestamps as INTEGER milliseconds since 1970, bytes as BLOB. Same tables, keys and indexes.

CREATE TABLE tenants (
    id          TEXT        PRIMARY KEY,
    slug        TEXT        NOT NULL UNIQUE,
    name        TEXT        NOT NULL,
    status      TEXT        NOT NULL,
    settings    TEXT        NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE scopes (
    tenant_id   TEXT        NOT NULL,
    name        TEXT        NOT NULL,
    description TEXT        NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

CREATE TABLE clients (
    tenant_id        TEXT        NOT NULL,
    client_id        TEXT        NOT NULL,
    name             TEXT        NOT NULL,
    auth_method      TEXT        NOT NULL,
    secret_hash      BLOB,
    jwks             TEXT,
    grant_types      TEXT        NOT NULL,
    scopes           TEXT        NOT NULL,
    redirect_uris    TEXT        NOT NULL,
    audiences        TEXT        NOT NULL,
    access_token_ttl INTEGER,
    status           TEXT        NOT NULL,
    version          INTEGER     NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, client_id)
);

CREATE TABLE users (
    tenant_id     TEXT        NOT NULL,
    id            TEXT        NOT NULL,
    username      TEXT        NOT NULL,
    password_hash TEXT        NOT NULL,
    claims        TEXT        NOT NULL DEFAULT '{}',
    status        TEXT        NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, username)
);

CREATE TABLE signing_keys (
    tenant_id      TEXT        NOT NULL,
    kid            TEXT        NOT NULL,
    algorithm      TEXT        NOT NULL,
    state          TEXT        NOT NULL,
    public_jwk     TEXT        NOT NULL,
    private_key    BLOB,
    created_at     INTEGER NOT NULL,
    activated_at   INTEGER,
    deactivated_at INTEGER,
    retire_after   INTEGER,
    ended_at       INTEGER,
    PRIMARY KEY (tenant_id, kid)
);
-- One signing key per tenant, whatever two instances try at once.
CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys (tenant_id) WHERE state = 'current';
CREATE UNIQUE INDEX signing_keys_one_next ON signing_keys (tenant_id) WHERE state = 'next';

CREATE TABLE consents (
    tenant_id  TEXT        NOT NULL,
    user_id    TEXT        NOT NULL,
    client_id  TEXT        NOT NULL,
    scopes     TEXT        NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, user_id, client_id)
);

CREATE TABLE authorization_codes (
    tenant_id      TEXT        NOT NULL,
    code_hash      BLOB       NOT NULL,
    client_id      TEXT        NOT NULL,
    user_id        TEXT        NOT NULL,
    redirect_uri   TEXT        NOT NULL,
    scopes         TEXT        NOT NULL,
    audience       TEXT,
    code_challenge TEXT        NOT NULL,
    nonce          TEXT,
    auth_time      INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    used_at        INTEGER,
    -- The refresh-token family and access-token ids the first use issued, revoked on replay.
    family_id      TEXT,
    issued_jti     TEXT,
    PRIMARY KEY (tenant_id, code_hash)
);
CREATE INDEX authorization_codes_expiry ON authorization_codes (expires_at);

CREATE TABLE refresh_tokens (
    tenant_id    TEXT        NOT NULL,
    token_hash   BLOB       NOT NULL,
    family_id    TEXT        NOT NULL,
    client_id    TEXT        NOT NULL,
    user_id      TEXT        NOT NULL,
    scopes       TEXT        NOT NULL,
    audience     TEXT,
    auth_time    INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    idle_expires_at INTEGER NOT NULL,
    used_at      INTEGER,
    revoked_at   INTEGER,
    PRIMARY KEY (tenant_id, token_hash)
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (tenant_id, family_id);
CREATE INDEX refresh_tokens_user_client ON refresh_tokens (tenant_id, user_id, client_id);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);

CREATE TABLE device_codes (
    tenant_id        TEXT        NOT NULL,
    device_code_hash BLOB       NOT NULL,
    user_code        TEXT        NOT NULL,
    client_id        TEXT        NOT NULL,
    scopes           TEXT        NOT NULL,
    audience         TEXT,
    status           TEXT        NOT NULL,
    user_id          TEXT,
    auth_time        INTEGER,
    interval_seconds INTEGER     NOT NULL,
    last_polled_at   INTEGER,
    created_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, device_code_hash),
    UNIQUE (tenant_id, user_code)
);
CREATE INDEX device_codes_expiry ON device_codes (expires_at);

-- Access tokens revoked before their exp (RFC 7009), kept until that exp.
CREATE TABLE revoked_tokens (
    tenant_id  TEXT        NOT NULL,
    jti        TEXT        NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, jti)
);
CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);

-- private_key_jwt assertion ids seen, so an assertion is accepted once (RFC 7523 §3).
CREATE TABLE client_assertions (
    tenant_id  TEXT        NOT NULL,
    client_id  TEXT        NOT NULL,
    jti        TEXT        NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, client_id, jti)
);
CREATE INDEX client_assertions_expiry ON client_assertions (expires_at);

CREATE TABLE audit_events (
    tenant_id   TEXT        NOT NULL,
    id          TEXT        NOT NULL,
    occurred_at INTEGER NOT NULL,
    actor       TEXT        NOT NULL,
    action      TEXT        NOT NULL,
    target      TEXT        NOT NULL,
    request_id  TEXT,
    details     TEXT        NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_events_time ON audit_events (tenant_id, occurred_at, id);

-- What changed, in commit order, so every instance refreshes its caches (keys, clients,
-- revocations, settings): woken by NOTIFY, and by polling when a notification is missed.
CREATE TABLE changes (
    seq        INTEGER     PRIMARY KEY AUTOINCREMENT,
    tenant_id  TEXT        NOT NULL,
    kind       TEXT        NOT NULL,
    subject    TEXT        NOT NULL,
    changed_at INTEGER NOT NULL
);
