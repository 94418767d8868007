-- DPoP proof ids (RFC 9449 §11.1): each proof is accepted once per key while its window lasts,
-- at every instance; rows go with the expiry purge.
CREATE TABLE dpop_proofs (
    tenant_id  uuid        NOT NULL,
    jkt        text        NOT NULL,
    jti        text        NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, jkt, jti)
);
CREATE INDEX dpop_proofs_expiry ON dpop_proofs (expires_at);
