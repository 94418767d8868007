-- What each client registered about sender constraints, pushed and signed requests and refresh
-- rotation (RFC 7591 metadata of RFC 9449 §5.2, RFC 8705 §3.4, RFC 9126 §6, RFC 9101 §10.5), as
-- a JSON object of those members; '{}' is a client that requires none of them.
ALTER TABLE clients ADD COLUMN requirements text NOT NULL DEFAULT '{}';

-- RFC 9449 §10: a code issued for a request with `dpop_jkt` is redeemed only with a proof by
-- that key (its RFC 7638 thumbprint); null for unbound codes.
ALTER TABLE authorization_codes ADD COLUMN dpop_jkt text;

-- Pushed authorization requests (RFC 9126): the checked parameters, kept under the SHA-256 of
-- the request_uri handed out, for its client, until used once or expired.
CREATE TABLE pushed_requests (
    tenant_id   uuid        NOT NULL,
    handle_hash bytea       NOT NULL,
    client_id   text        NOT NULL,
    parameters  text        NOT NULL,
    expires_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, handle_hash)
);
CREATE INDEX pushed_requests_expiry ON pushed_requests (expires_at);
