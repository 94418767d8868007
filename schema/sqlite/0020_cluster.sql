-- The instances serving now, by heartbeat (docs/cluster-limits.md): each instance refreshes its
-- row every couple of seconds and divides every request budget by the number of live rows, so
-- the cluster as a whole keeps to a limit without a database round trip per request.
CREATE TABLE instances (
    id           TEXT    PRIMARY KEY,
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL
);

-- Failed sign-ins per user and per address, shared by every instance, so back-off counts the
-- failures made anywhere in the cluster. A row goes once it has been quiet long enough to be
-- forgiven (`expires_at`).
CREATE TABLE login_failures (
    tenant_id       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    failures        INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL,
    blocked_until   INTEGER,
    expires_at      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, subject)
);
CREATE INDEX login_failures_expiry ON login_failures (expires_at);
