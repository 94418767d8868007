-- One-time recovery codes of a user's second factor: only their SHA-256 is kept; a code is
-- spent by setting used_at, once, at any instance. Enrolling again replaces them.
CREATE TABLE recovery_codes (
    tenant_id  TEXT    NOT NULL,
    user_id    TEXT    NOT NULL,
    code_hash  BLOB    NOT NULL,
    used_at    INTEGER,
    PRIMARY KEY (tenant_id, user_id, code_hash)
);
