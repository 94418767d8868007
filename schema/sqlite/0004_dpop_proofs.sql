-- DPoP proof ids (RFC 9449 §11.1): each proof is accepted once per key while its window lasts,
-- at every instance; rows go with the expiry purge.
CREATE TABLE dpop_proofs (
    tenant_id  TEXT    NOT NULL,
    jkt        TEXT    NOT NULL,
    jti        TEXT    NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, jkt, jti)
);
CREATE INDEX dpop_proofs_expiry ON dpop_proofs (expires_at);
