-- What tests/deploy/check_migrations.py must flag (9 statements) and let through.
ALTER TABLE company ADD COLUMN partner_user_id text;
ALTER TABLE company DROP CONSTRAINT company_npwp_key;
ALTER TABLE t ADD COLUMN a int NOT NULL, ADD COLUMN b int NOT NULL DEFAULT 0;
ALTER TABLE t DROP COLUMN old_one;
ALTER TABLE t DROP legacy;
ALTER TABLE t ALTER COLUMN c DROP DEFAULT;
ALTER TABLE t ALTER COLUMN c DROP NOT NULL;
ALTER TABLE t RENAME COLUMN x TO y;
ALTER TABLE t ALTER COLUMN c TYPE bigint;
ALTER TABLE t ALTER c SET NOT NULL;
-- upgrade-safe: nothing reads old_two since 0.3
ALTER TABLE t DROP COLUMN old_two;
DROP TABLE gone;
DROP INDEX some_index;
CREATE TABLE n (id int NOT NULL);
ALTER TABLE t
    ADD COLUMN d text NOT NULL;
