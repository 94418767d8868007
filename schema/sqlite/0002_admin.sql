-- The admin API's optimistic concurrency for users (ETag / If-Match), as clients already have.
ALTER TABLE users ADD COLUMN version integer NOT NULL DEFAULT 1;
