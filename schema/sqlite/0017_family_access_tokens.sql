-- The access tokens each refresh token family issued (the code's and every refresh's), by jti,
-- until they expire: revoking a family (reuse detected, RFC 7009 revocation, consent withdrawn,
-- a disabled user) revokes them too, instead of letting them run out on their own.
CREATE TABLE family_access_tokens (
    tenant_id  TEXT NOT NULL,
    family_id  TEXT NOT NULL,
    jti        TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, jti)
);
CREATE INDEX family_access_tokens_family ON family_access_tokens (tenant_id, family_id);
CREATE INDEX family_access_tokens_expiry ON family_access_tokens (expires_at);
