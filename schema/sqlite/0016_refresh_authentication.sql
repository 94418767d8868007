-- RFC 8176 `amr` (space-separated) and OIDC Core §2 `acr` of the sign-in a refresh token family
-- began with, so refreshed access and ID tokens say how the user signed in (OIDC Core §12.2);
-- null for families that began before this existed, whose tokens then say nothing.
ALTER TABLE refresh_tokens ADD COLUMN amr TEXT;
ALTER TABLE refresh_tokens ADD COLUMN acr TEXT;
