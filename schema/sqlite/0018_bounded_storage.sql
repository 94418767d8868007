-- Storage that stays bounded (docs/bounded-storage.md).

-- Ended sessions are purged like expired ones; the partial index keeps the search for them off
-- the rows of live sessions.
CREATE INDEX sessions_ended ON sessions (ended_at) WHERE ended_at IS NOT NULL;

-- The change feed is purged by age in batches.
CREATE INDEX changes_time ON changes (changed_at);

-- How far the change feed's history was purged: every entry with a sequence number up to
-- `purged_through` may be gone. A follower whose position is below it cannot know what it missed
-- and reloads its caches; any other gap in the sequence is a rolled-back or not yet committed
-- transaction, not lost history.
CREATE TABLE change_horizon (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    purged_through INTEGER NOT NULL
);
INSERT INTO change_horizon (id, purged_through) VALUES (1, 0);
