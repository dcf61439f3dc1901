-- Documents of a meeting (the agenda's papers, annexes to the minutes): sealed at rest like
-- case documents, their type read from their bytes, with their SHA-256.

CREATE TABLE meeting_documents (
    id           TEXT PRIMARY KEY NOT NULL,
    meeting_id   TEXT NOT NULL REFERENCES meetings(id),
    title        TEXT NOT NULL,
    filename     TEXT NOT NULL,
    media_type   TEXT NOT NULL,
    size_bytes   BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    sealed       TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    uploaded_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX meeting_documents_meeting_idx ON meeting_documents(meeting_id);
