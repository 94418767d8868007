-- RFC 9449 §5: a public client's refresh tokens are bound to the DPoP key they were issued
-- with (its RFC 7638 thumbprint); null for unbound ones.
ALTER TABLE refresh_tokens ADD COLUMN jkt text;
