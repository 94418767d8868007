-- Upstream OpenID Providers a tenant's users sign in with (docs/upstream-identity-providers.md).
-- The client secret and the private_key_jwt key are sealed under the master key, bound to the
-- tenant and the provider; scopes and the claim mapping are JSON.
CREATE TABLE identity_providers (
    tenant_id     TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    slug          TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    issuer        TEXT    NOT NULL,
    client_id     TEXT    NOT NULL,
    client_auth   TEXT    NOT NULL,
    client_secret BLOB,
    key_id        TEXT,
    public_jwk    TEXT,
    private_key   BLOB,
    scopes        TEXT    NOT NULL,
    claim_mapping TEXT    NOT NULL,
    enabled       INTEGER NOT NULL,
    version       INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, slug)
);
-- Local users linked to upstream accounts by the upstream's iss and sub (OIDC Core §2), never
-- by e-mail: one link per (tenant, issuer, subject).
CREATE TABLE upstream_accounts (
    tenant_id   TEXT    NOT NULL,
    issuer      TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    user_id     TEXT    NOT NULL,
    provider_id TEXT    NOT NULL,
    email       TEXT,
    name        TEXT,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, issuer, subject)
);
CREATE INDEX upstream_accounts_user ON upstream_accounts (tenant_id, user_id);
