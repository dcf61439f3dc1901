-- What a case gathers besides tasks: notes (sealed, they often hold sensitive facts),
-- appointments, documents (sealed uploads), and referrals that either ask for help
-- ('referral') or hand the case over ('transfer'), completed with an outcome.
-- The catalogue keeps every version of a procedure it has had, and legal rules say who
-- added them.

CREATE TABLE case_notes (
    id          TEXT PRIMARY KEY NOT NULL,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    sealed      TEXT NOT NULL,
    author_id   TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX case_notes_case_idx ON case_notes(case_id, created_at);

CREATE TABLE case_appointments (
    id          TEXT PRIMARY KEY NOT NULL,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    starts_at   TEXT NOT NULL,
    place       TEXT NOT NULL,
    purpose     TEXT,
    status      TEXT NOT NULL CHECK (status IN ('planned','done','missed','cancelled')),
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX case_appointments_case_idx ON case_appointments(case_id, starts_at);
CREATE INDEX case_appointments_when_idx ON case_appointments(starts_at);

CREATE TABLE case_documents (
    id           TEXT PRIMARY KEY NOT NULL,
    case_id      TEXT NOT NULL REFERENCES cases(id),
    title        TEXT NOT NULL,
    filename     TEXT NOT NULL,
    media_type   TEXT NOT NULL,
    size_bytes   INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    sealed       TEXT,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TEXT NOT NULL,
    removed_by   TEXT,
    removed_at   TEXT
);
CREATE INDEX case_documents_case_idx ON case_documents(case_id, uploaded_at);

ALTER TABLE referrals ADD COLUMN kind TEXT NOT NULL DEFAULT 'referral' CHECK (kind IN ('referral','transfer'));
ALTER TABLE referrals ADD COLUMN outcome TEXT;
ALTER TABLE referrals ADD COLUMN completed_by TEXT;
ALTER TABLE referrals ADD COLUMN completed_at TEXT;

CREATE TABLE procedure_versions (
    id              TEXT PRIMARY KEY NOT NULL,
    procedure_code  TEXT NOT NULL REFERENCES procedures(code),
    version         INTEGER NOT NULL,
    snapshot        TEXT NOT NULL,
    changed_by      TEXT NOT NULL,
    changed_at      TEXT NOT NULL,
    UNIQUE (procedure_code, version)
);

ALTER TABLE legal_rules ADD COLUMN created_by TEXT;
ALTER TABLE legal_rules ADD COLUMN created_at TEXT;
