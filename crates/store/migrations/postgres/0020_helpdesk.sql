-- The patronati helpdesk: a question about a procedure from a patronato (or any partner's
-- operator), answered by the Prefecture's team, with the time it took; a good answer
-- becomes an entry of the knowledge base, linked to the procedure catalogue and searchable
-- by everyone signed in.

CREATE TABLE kb_entries (
    id                  TEXT PRIMARY KEY NOT NULL,
    procedure_code      TEXT REFERENCES procedures(code),
    question            TEXT NOT NULL,
    answer              TEXT NOT NULL,
    source_question_id  TEXT,
    version             INTEGER NOT NULL DEFAULT 1,
    created_by          TEXT NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX kb_entries_procedure_idx ON kb_entries(procedure_code);

CREATE TABLE helpdesk_questions (
    id              TEXT PRIMARY KEY NOT NULL,
    org_id          TEXT NOT NULL REFERENCES organisations(id),
    asked_by        TEXT NOT NULL REFERENCES users(id),
    procedure_code  TEXT REFERENCES procedures(code),
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('open','answered')),
    asked_at        TIMESTAMPTZ NOT NULL,
    answer          TEXT NOT NULL DEFAULT '',
    answered_by     TEXT,
    answered_at     TIMESTAMPTZ,
    kb_entry_id     TEXT REFERENCES kb_entries(id),
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX helpdesk_questions_org_idx ON helpdesk_questions(org_id, asked_at);
CREATE INDEX helpdesk_questions_status_idx ON helpdesk_questions(status, asked_at);
