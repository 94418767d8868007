-- The instances serving now, by heartbeat (docs/cluster-limits.md): each instance refreshes its
-- row every couple of seconds and divides every request budget by the number of live rows, so
-- the cluster as a whole keeps to a limit without a database round trip per request.
CREATE TABLE instances (
    id           uuid        PRIMARY KEY,
    started_at   timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL
);

-- Failed sign-ins per user and per address, shared by every instance, so back-off counts the
-- failures made anywhere in the cluster. A row goes once it has been quiet long enough to be
-- forgiven (`expires_at`).
CREATE TABLE login_failures (
    tenant_id       uuid        NOT NULL,
    subject         text        NOT NULL,
    failures        integer     NOT NULL,
    last_failure_at timestamptz NOT NULL,
    blocked_until   timestamptz,
    expires_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, subject)
);
CREATE INDEX login_failures_expiry ON login_failures (expires_at);
