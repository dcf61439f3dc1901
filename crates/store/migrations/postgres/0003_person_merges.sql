-- Merges of two records of the same person. The merged record stays, pointing at the kept
-- one (persons.merged_into), with all its identifiers, consents and vulnerabilities: the
-- kept record shows both histories, and undoing a merge only clears the pointer.
CREATE TABLE person_merges (
    id          TEXT PRIMARY KEY NOT NULL,
    kept_id     TEXT NOT NULL REFERENCES persons(id),
    merged_id   TEXT NOT NULL REFERENCES persons(id),
    reason      TEXT,
    merged_by   TEXT NOT NULL,
    merged_at   TIMESTAMPTZ NOT NULL,
    undone_by   TEXT,
    undone_at   TIMESTAMPTZ
);
CREATE INDEX person_merges_kept_idx ON person_merges(kept_id);
CREATE INDEX person_merges_merged_idx ON person_merges(merged_id);
