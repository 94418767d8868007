-- Key lines (docs/id-token-signing.md): a tenant's main keys ('', of key_algorithm) and, once a
-- client asks for another algorithm, an ID-token line of that algorithm ('RS256', 'EdDSA',
-- 'ES256'). Each line rotates on its own, so "one current and one next key" holds per line.
ALTER TABLE signing_keys ADD COLUMN line TEXT NOT NULL DEFAULT '';
DROP INDEX signing_keys_one_current;
DROP INDEX signing_keys_one_next;
CREATE UNIQUE INDEX signing_keys_one_current ON signing_keys (tenant_id, line) WHERE state = 'current';
CREATE UNIQUE INDEX signing_keys_one_next ON signing_keys (tenant_id, line) WHERE state = 'next';
