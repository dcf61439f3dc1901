-- Erasure on request: a pseudonymised person keeps only what anonymous statistics need
-- (sex, birth year, nationality); the date says when it happened.
ALTER TABLE persons ADD COLUMN pseudonymised_at TEXT;
