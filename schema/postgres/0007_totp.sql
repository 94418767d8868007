-- A user's TOTP second factor (RFC 6238): the secret sealed under a key derived from the master
-- key, when it was confirmed (help-desk enrolment confirms at once), and the last step accepted,
-- so a code is never taken twice at any instance (RFC 6238 §5.2).
CREATE TABLE user_totp (
    tenant_id    uuid        NOT NULL,
    user_id      uuid        NOT NULL,
    secret       bytea       NOT NULL,
    confirmed_at timestamptz,
    last_step    bigint,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
