-- RFC 8176 `amr` of the sign-in a code was issued after (space-separated, e.g. "pwd otp mfa"),
-- for the ID token it is redeemed for; null for codes issued before this column existed.
ALTER TABLE authorization_codes ADD COLUMN amr text;
