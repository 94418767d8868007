-- The protected resources a tenant registered (`tessera resource create`): APIs and MCP servers
-- by their RFC 8707 / RFC 9728 identifier and the scopes they accept, a JSON array on the
-- tenant, so they travel with it in every instance's cache and change with its version.
ALTER TABLE tenants ADD COLUMN resources TEXT NOT NULL DEFAULT '[]';
