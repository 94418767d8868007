-- Clients that registered themselves (RFC 7591) or are named by a metadata document, beside
-- those an administrator created (docs/dynamic-client-registration.md). `registration` holds
-- the RFC 7592 registration access token's SHA-256 and the metadata echoed back (JSON);
-- `verified` is an administrator's word that the app is who it says; `last_used_at` (written
-- at most once a day per client and instance) is what the purge of unused registrations reads.
ALTER TABLE clients ADD COLUMN origin text NOT NULL DEFAULT 'admin';
ALTER TABLE clients ADD COLUMN verified boolean NOT NULL DEFAULT true;
ALTER TABLE clients ADD COLUMN registration text;
ALTER TABLE clients ADD COLUMN last_used_at timestamptz;
CREATE INDEX clients_registered ON clients (tenant_id, origin) WHERE origin <> 'admin';

-- Initial access tokens (RFC 7591 §3): issued by an administrator, stored as their SHA-256,
-- good until `expires_at` for `uses_left` registrations (null: any number).
CREATE TABLE registration_tokens (
    tenant_id  uuid        NOT NULL,
    id         uuid        NOT NULL,
    token_hash bytea       NOT NULL,
    uses_left  integer,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL,
    created_by text        NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, token_hash)
);
CREATE INDEX registration_tokens_expiry ON registration_tokens (expires_at);

-- What a tenant lets registered clients have: grant types, scopes, and the publisher keys whose
-- software statements it trusts (JWKS). No row: the defaults of RegistrationPolicy.
CREATE TABLE registration_policies (
    tenant_id  uuid        PRIMARY KEY,
    policy     text        NOT NULL,
    version    integer     NOT NULL,
    updated_at timestamptz NOT NULL
);
