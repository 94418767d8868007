-- A user's TOTP second factor (RFC 6238): the secret sealed under a key derived from the master
-- key, when it was confirmed (help-desk enrolment confirms at once), and the last step accepted,
-- so a code is never taken twice at any instance (RFC 6238 §5.2).
CREATE TABLE user_totp (
    tenant_id    TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    secret       BLOB    NOT NULL,
    confirmed_at INTEGER,
    last_step    INTEGER,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
