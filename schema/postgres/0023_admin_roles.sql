-- What each person may administer at their tenant (docs/admin-roles.md): space-separated role
-- names (`admin`, `admin:clients`, …); a token issued for the person carries an admin scope only
-- with its role.
ALTER TABLE users ADD COLUMN roles text NOT NULL DEFAULT '';
