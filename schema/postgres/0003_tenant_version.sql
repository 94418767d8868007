-- One version scheme for optimistic concurrency (ETag / If-Match): tenants count their changes
-- like clients and users do, instead of an ETag made from updated_at.
ALTER TABLE tenants ADD COLUMN version integer NOT NULL DEFAULT 1;
