-- Server-side sign-in sessions (OIDC Back-Channel Logout 1.0 §2.1 `sid`): the sealed browser
-- cookie names its row, and a cookie whose row is ended or gone signs nobody in. Read by primary
-- key on every page a signed-in browser opens; written at sign-in and sign-out only.
CREATE TABLE sessions (
    tenant_id  uuid        NOT NULL,
    sid        text        NOT NULL,
    user_id    uuid        NOT NULL,
    created_at timestamptz NOT NULL,
    auth_time  timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    ended_at   timestamptz,
    amr        text        NOT NULL,
    browser    text        NOT NULL,
    PRIMARY KEY (tenant_id, sid)
);
CREATE INDEX sessions_user ON sessions (tenant_id, user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- The clients a session reached (a code or tokens were issued to them in it): who gets a logout
-- token when it ends. Kept as long as the session could be.
CREATE TABLE session_clients (
    tenant_id  uuid        NOT NULL,
    sid        text        NOT NULL,
    client_id  text        NOT NULL,
    first_at   timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, sid, client_id)
);
CREATE INDEX session_clients_expiry ON session_clients (expires_at);

-- The outbox of back-channel logout tokens (§2.5): written in the transaction that ended the
-- session, claimed by one instance at a time (FOR UPDATE SKIP LOCKED), retried with back-off.
CREATE TABLE logout_deliveries (
    tenant_id       uuid        NOT NULL,
    id              uuid        NOT NULL,
    client_id       text        NOT NULL,
    uri             text        NOT NULL,
    sid             text        NOT NULL,
    subject         text        NOT NULL,
    jti             text        NOT NULL,
    created_at      timestamptz NOT NULL,
    attempts        integer     NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    last_error      text,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX logout_deliveries_due ON logout_deliveries (next_attempt_at);

-- The session a code was issued in, for the ID token's `sid`.
ALTER TABLE authorization_codes ADD COLUMN session_id text;
-- A client's backchannel_logout_uri and backchannel_logout_session_required (§2.2), as JSON.
ALTER TABLE clients ADD COLUMN backchannel_logout text;
