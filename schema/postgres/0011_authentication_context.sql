-- OIDC Core §2 `acr` of the sign-in a code followed, when the authorization request asked for
-- one with acr_values; null otherwise (the ID token then carries none).
ALTER TABLE authorization_codes ADD COLUMN acr text;
