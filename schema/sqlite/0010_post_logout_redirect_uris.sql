-- OIDC RP-Initiated Logout 1.0 §3.1: where a client may send users after they signed out,
-- compared exactly; a JSON array.
ALTER TABLE clients ADD COLUMN post_logout_redirect_uris TEXT NOT NULL DEFAULT '[]';
