-- Tessera's first schema. Every row that belongs to a tenant carries tenant_id, and every
-- tenant table's primary key starts with it, so the schema can be distributed by tenant_id.
-- No cross-tenant foreign keys and no triggers: the code enforces the rules.

CREATE TABLE tenants (
    id          uuid        PRIMARY KEY,
    slug        text        NOT NULL UNIQUE,
    name        text        NOT NULL,
    status      text        NOT NULL,
    settings    text        NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE scopes (
    tenant_id   uuid        NOT NULL,
    name        text        NOT NULL,
    description text        NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

CREATE TABLE clients (
    tenant_id        uuid        NOT NULL,
    client_id        text        NOT NULL,
    name             text        NOT NULL,
    auth_method      text        NOT NULL,
    secret_hash      bytea,
    jwks             text,
    grant_types      text        NOT NULL,
    scopes           text        NOT NULL,
    redirect_uris    text        NOT NULL,
    audiences        text        NOT NULL,
    access_token_ttl integer,
    status           text        NOT NULL,
    version          integer     NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, client_id)
);

CREATE TABLE users (
    tenant_id     uuid        NOT NULL,
    id            uuid        NOT NULL,
    username      text        NOT NULL,
    password_hash text        NOT NULL,
    claims        text        NOT NULL DEFAULT '{}',
    status        text        NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, username)
);

CREATE TABLE signing_keys (
    tenant_id      uuid        NOT NULL,
    kid            text        NOT NULL,
    algorithm      text        NOT NULL,
    state          text        NOT NULL,
    public_jwk     text        NOT NULL,
    private_key    bytea,
    created_at     timestamptz NOT NULL,
    activated_at   timestamptz,
    deactivated_at timestamptz,
    retire_after   timestamptz,
    ended_at       timestamptz,
    PRIMARY KEY (tenant_id, kid)
);
-- One signing key per tenant, whatever two instances try at once.
CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys (tenant_id) WHERE state = 'current';
CREATE UNIQUE INDEX signing_keys_one_next ON signing_keys (tenant_id) WHERE state = 'next';

CREATE TABLE consents (
    tenant_id  uuid        NOT NULL,
    user_id    uuid        NOT NULL,
    client_id  text        NOT NULL,
    scopes     text        NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, user_id, client_id)
);

CREATE TABLE authorization_codes (
    tenant_id      uuid        NOT NULL,
    code_hash      bytea       NOT NULL,
    client_id      text        NOT NULL,
    user_id        uuid        NOT NULL,
    redirect_uri   text        NOT NULL,
    scopes         text        NOT NULL,
    audience       text,
    code_challenge text        NOT NULL,
    nonce          text,
    auth_time      timestamptz NOT NULL,
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    used_at        timestamptz,
    -- The refresh-token family and access-token ids the first use issued, revoked on replay.
    family_id      uuid,
    issued_jti     text,
    PRIMARY KEY (tenant_id, code_hash)
);
CREATE INDEX authorization_codes_expiry ON authorization_codes (expires_at);

CREATE TABLE refresh_tokens (
    tenant_id    uuid        NOT NULL,
    token_hash   bytea       NOT NULL,
    family_id    uuid        NOT NULL,
    client_id    text        NOT NULL,
    user_id      uuid        NOT NULL,
    scopes       text        NOT NULL,
    audience     text,
    auth_time    timestamptz NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    idle_expires_at timestamptz NOT NULL,
    used_at      timestamptz,
    revoked_at   timestamptz,
    PRIMARY KEY (tenant_id, token_hash)
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (tenant_id, family_id);
CREATE INDEX refresh_tokens_user_client ON refresh_tokens (tenant_id, user_id, client_id);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);

CREATE TABLE device_codes (
    tenant_id        uuid        NOT NULL,
    device_code_hash bytea       NOT NULL,
    user_code        text        NOT NULL,
    client_id        text        NOT NULL,
    scopes           text        NOT NULL,
    audience         text,
    status           text        NOT NULL,
    user_id          uuid,
    auth_time        timestamptz,
    interval_seconds integer     NOT NULL,
    last_polled_at   timestamptz,
    created_at       timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, device_code_hash),
    UNIQUE (tenant_id, user_code)
);
CREATE INDEX device_codes_expiry ON device_codes (expires_at);

-- Access tokens revoked before their exp (RFC 7009), kept until that exp.
CREATE TABLE revoked_tokens (
    tenant_id  uuid        NOT NULL,
    jti        text        NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, jti)
);
CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);

-- private_key_jwt assertion ids seen, so an assertion is accepted once (RFC 7523 §3).
CREATE TABLE client_assertions (
    tenant_id  uuid        NOT NULL,
    client_id  text        NOT NULL,
    jti        text        NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, client_id, jti)
);
CREATE INDEX client_assertions_expiry ON client_assertions (expires_at);

CREATE TABLE audit_events (
    tenant_id   uuid        NOT NULL,
    id          uuid        NOT NULL,
    occurred_at timestamptz NOT NULL,
    actor       text        NOT NULL,
    action      text        NOT NULL,
    target      text        NOT NULL,
    request_id  text,
    details     text        NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_events_time ON audit_events (tenant_id, occurred_at, id);

-- What changed, in commit order, so every instance refreshes its caches (keys, clients,
-- revocations, settings): woken by NOTIFY, and by polling when a notification is missed.
CREATE TABLE changes (
    seq        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id  uuid        NOT NULL,
    kind       text        NOT NULL,
    subject    text        NOT NULL,
    changed_at timestamptz NOT NULL
);
