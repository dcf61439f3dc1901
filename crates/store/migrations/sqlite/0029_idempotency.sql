-- Idempotency keys (issue 20): a submission carries a key (a form's hidden `idem` field, an
-- `idem` query parameter on upload forms, or the `Idempotency-Key` header of the offline
-- queue and the API). The key is claimed before the handler runs, so a second arrival while
-- the first is being handled waits instead of applying twice, and completed with the first
-- answer, which every repeat then receives. Keys are scoped to the signed-in user, the API
-- token or the anonymous visitor's pre-session, and hashed with that scope; rows go after
-- two days with the session housekeeping.
CREATE TABLE idempotency_keys (
    key_hash      TEXT PRIMARY KEY NOT NULL,
    request_hash  TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending','done')),
    status        INTEGER,
    location      TEXT,
    content_type  TEXT,
    body          TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys(created_at);

-- The key that encrypts a user's drafts and offline queue in the browser (AES-GCM there):
-- handed only to that user's session, never cached, so the next user of a shared browser
-- cannot read what the previous one left.
ALTER TABLE users ADD COLUMN draft_key TEXT;
