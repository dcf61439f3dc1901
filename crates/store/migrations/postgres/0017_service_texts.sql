-- The public service pages: one text per procedure of the catalogue and language, with the
-- sections of the Designers Italia service page. Italian is the source; every other
-- language is a translation with a state (draft, review, published; a missing row is
-- "missing") and the SHA-256 of the Italian content it was made from (`source_hash`): it is
-- out of date when that differs from the Italian's `content_hash`. Every saved version is
-- kept in `service_text_versions`, so the translator can be shown what changed in the
-- Italian since they translated it. Lists (`how_to`, `needs`, `contacts`) are one item per
-- line. `demo` marks texts seeded for the demonstration.

CREATE TABLE service_texts (
    procedure_code  TEXT NOT NULL REFERENCES procedures(code),
    lang            TEXT NOT NULL,
    title           TEXT NOT NULL,
    summary         TEXT NOT NULL,
    audience        TEXT NOT NULL,
    how_to          TEXT NOT NULL,
    needs           TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    times           TEXT NOT NULL,
    access          TEXT NOT NULL,
    conditions      TEXT NOT NULL,
    contacts        TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('draft','review','published')),
    content_hash    TEXT NOT NULL,
    source_hash     TEXT,
    demo            BOOLEAN NOT NULL DEFAULT FALSE,
    version         INTEGER NOT NULL DEFAULT 1,
    updated_by      TEXT NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    published_at    TIMESTAMPTZ,
    PRIMARY KEY (procedure_code, lang)
);

CREATE TABLE service_text_versions (
    id              TEXT PRIMARY KEY NOT NULL,
    procedure_code  TEXT NOT NULL REFERENCES procedures(code),
    lang            TEXT NOT NULL,
    version         INTEGER NOT NULL,
    state           TEXT NOT NULL,
    content         TEXT NOT NULL,
    content_hash    TEXT NOT NULL,
    changed_by      TEXT NOT NULL,
    changed_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (procedure_code, lang, version)
);
CREATE INDEX service_text_versions_hash_idx ON service_text_versions(procedure_code, lang, content_hash);
