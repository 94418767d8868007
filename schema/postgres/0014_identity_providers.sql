-- Upstream OpenID Providers a tenant's users sign in with (docs/upstream-identity-providers.md).
-- The client secret and the private_key_jwt key are sealed under the master key, bound to the
-- tenant and the provider; scopes and the claim mapping are JSON.
CREATE TABLE identity_providers (
    tenant_id     uuid        NOT NULL,
    id            uuid        NOT NULL,
    slug          text        NOT NULL,
    name          text        NOT NULL,
    issuer        text        NOT NULL,
    client_id     text        NOT NULL,
    client_auth   text        NOT NULL,
    client_secret bytea,
    key_id        text,
    public_jwk    text,
    private_key   bytea,
    scopes        text        NOT NULL,
    claim_mapping text        NOT NULL,
    enabled       boolean     NOT NULL,
    version       integer     NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, slug)
);
-- Local users linked to upstream accounts by the upstream's iss and sub (OIDC Core §2), never
-- by e-mail: one link per (tenant, issuer, subject).
CREATE TABLE upstream_accounts (
    tenant_id   uuid        NOT NULL,
    issuer      text        NOT NULL,
    subject     text        NOT NULL,
    user_id     uuid        NOT NULL,
    provider_id uuid        NOT NULL,
    email       text,
    name        text,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, issuer, subject)
);
CREATE INDEX upstream_accounts_user ON upstream_accounts (tenant_id, user_id);
