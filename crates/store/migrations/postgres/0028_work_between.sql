-- Work that passes between organisations and people (issue 19).
-- - access_requests: an organisation asks the owner of a person's record for access
--   ("presa in carico"), with a purpose; the owner grants (read or work, until a date; or
--   hands the record over) or refuses with a reason.
-- - duplicate_pairs: two records that may be the same person, kept when an operator
--   registered someone despite the warning, so that each owner finds them in a queue;
--   a merge across organisations needs both owners' yes.
-- - stated_purposes: an all-scope read outside one's organisation and its referrals asks
--   for a purpose, kept for the rest of the day and written into every audit entry.
-- - inbox_items: what waits for a user, or for an organisation's queue (members holding
--   `perm`), written in the same transaction as the change that causes it.
-- - mail_outbox and inbox_deliveries: the daily e-mail digest, each item in one message.
-- - who does the work: a task's organisation queue, an appointment with a partner
--   organisation (which confirms it or proposes another time), a corrective action's
--   assignee.

CREATE TABLE access_requests (
    id                TEXT PRIMARY KEY NOT NULL,
    person_id         TEXT NOT NULL REFERENCES persons(id),
    owner_org_id      TEXT NOT NULL REFERENCES organisations(id),
    requester_org_id  TEXT NOT NULL REFERENCES organisations(id),
    requested_by      TEXT NOT NULL,
    purpose           TEXT NOT NULL CHECK (purpose IN ('open_case','log_contact','duplicate','other')),
    procedure_code    TEXT REFERENCES procedures(code),
    note              TEXT NOT NULL DEFAULT '',
    asked_level       TEXT NOT NULL CHECK (asked_level IN ('read','work','handover')),
    status            TEXT NOT NULL CHECK (status IN ('requested','granted','refused','withdrawn','revoked')),
    level             TEXT CHECK (level IN ('read','work','handover')),
    valid_until       DATE,
    answer            TEXT NOT NULL DEFAULT '',
    answered_by       TEXT,
    answered_at       TIMESTAMPTZ,
    closed_by         TEXT,
    closed_at         TIMESTAMPTZ,
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX access_requests_owner_idx ON access_requests(owner_org_id, status);
CREATE INDEX access_requests_requester_idx ON access_requests(requester_org_id, status);
CREATE INDEX access_requests_person_idx ON access_requests(person_id, requester_org_id);
-- One waiting request per record and asking organisation.
CREATE UNIQUE INDEX access_requests_one_waiting ON access_requests(person_id, requester_org_id)
    WHERE status = 'requested';

CREATE TABLE duplicate_pairs (
    id            TEXT PRIMARY KEY NOT NULL,
    new_id        TEXT NOT NULL REFERENCES persons(id),
    old_id        TEXT NOT NULL REFERENCES persons(id),
    score         INTEGER NOT NULL,
    reasons       TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN ('open','merge_requested','merged','distinct')),
    found_by      TEXT NOT NULL,
    found_at      TIMESTAMPTZ NOT NULL,
    asked_org_id  TEXT REFERENCES organisations(id),
    asked_by      TEXT,
    asked_at      TIMESTAMPTZ,
    keep_id       TEXT REFERENCES persons(id),
    note          TEXT NOT NULL DEFAULT '',
    answer        TEXT NOT NULL DEFAULT '',
    decided_by    TEXT,
    decided_at    TIMESTAMPTZ,
    version       INTEGER NOT NULL DEFAULT 1,
    UNIQUE (new_id, old_id)
);
CREATE INDEX duplicate_pairs_old_idx ON duplicate_pairs(old_id);

CREATE TABLE stated_purposes (
    id            TEXT PRIMARY KEY NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users(id),
    subject_type  TEXT NOT NULL CHECK (subject_type IN ('person','case')),
    subject_id    TEXT NOT NULL,
    purpose       TEXT NOT NULL CHECK (purpose IN ('supervision','legal_check','complaint','data_subject_request','other')),
    note          TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX stated_purposes_idx ON stated_purposes(user_id, subject_type, subject_id);

CREATE TABLE inbox_items (
    id            TEXT PRIMARY KEY NOT NULL,
    kind          TEXT NOT NULL,
    user_id       TEXT REFERENCES users(id),
    org_id        TEXT REFERENCES organisations(id),
    perm          TEXT,
    subject_type  TEXT NOT NULL,
    subject_id    TEXT NOT NULL,
    person_id     TEXT REFERENCES persons(id),
    from_org_id   TEXT REFERENCES organisations(id),
    link          TEXT NOT NULL,
    summary       TEXT NOT NULL DEFAULT '',
    due_on        DATE,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    done_at       TIMESTAMPTZ,
    done_by       TEXT,
    CHECK (user_id IS NOT NULL OR org_id IS NOT NULL OR perm IS NOT NULL)
);
-- One partial index per part of a reader's inbox (`inbox::reader_parts`), each holding
-- only open items of its part: the header of every page counts them (bench/inbox).
-- The three are disjoint (an item is in one part), so no count reads another part's rows.
CREATE INDEX inbox_items_user_idx ON inbox_items(user_id) WHERE done_at IS NULL AND user_id IS NOT NULL;
CREATE INDEX inbox_items_org_idx ON inbox_items(org_id, perm)
    WHERE done_at IS NULL AND user_id IS NULL AND org_id IS NOT NULL;
CREATE INDEX inbox_items_perm_idx ON inbox_items(perm)
    WHERE done_at IS NULL AND user_id IS NULL AND org_id IS NULL;
CREATE INDEX inbox_items_subject_idx ON inbox_items(subject_type, subject_id);
CREATE INDEX inbox_items_person_idx ON inbox_items(person_id) WHERE person_id IS NOT NULL;
CREATE INDEX inbox_items_created_idx ON inbox_items(created_at);

CREATE TABLE mail_outbox (
    id             TEXT PRIMARY KEY NOT NULL,
    user_id        TEXT NOT NULL REFERENCES users(id),
    kind           TEXT NOT NULL CHECK (kind IN ('digest')),
    day            DATE NOT NULL,
    to_addr        TEXT NOT NULL,
    subject        TEXT NOT NULL,
    body           TEXT NOT NULL,
    message_id     TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('pending','sending','sent','failed')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    claimed_until  TIMESTAMPTZ,
    last_error     TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL,
    sent_at        TIMESTAMPTZ,
    UNIQUE (user_id, kind, day)
);
CREATE INDEX mail_outbox_state_idx ON mail_outbox(state);

CREATE TABLE inbox_deliveries (
    item_id  TEXT NOT NULL REFERENCES inbox_items(id),
    user_id  TEXT NOT NULL REFERENCES users(id),
    mail_id  TEXT NOT NULL REFERENCES mail_outbox(id),
    PRIMARY KEY (item_id, user_id)
);

ALTER TABLE users ADD COLUMN digest BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE case_tasks ADD COLUMN assigned_org_id TEXT REFERENCES organisations(id);
ALTER TABLE case_appointments ADD COLUMN partner_org_id TEXT REFERENCES organisations(id);
ALTER TABLE case_appointments ADD COLUMN partner_status TEXT
    CHECK (partner_status IN ('pending','confirmed','proposed'));
ALTER TABLE case_appointments ADD COLUMN proposed_at TIMESTAMP;
ALTER TABLE case_appointments ADD COLUMN partner_note TEXT NOT NULL DEFAULT '';
ALTER TABLE case_appointments ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE corrective_actions ADD COLUMN assigned_to TEXT REFERENCES users(id);
CREATE INDEX case_tasks_assigned_idx ON case_tasks(assigned_to) WHERE done_at IS NULL;
CREATE INDEX case_appointments_partner_idx ON case_appointments(partner_org_id) WHERE partner_org_id IS NOT NULL;

-- A council's action item is for a user or for an organisation's queue: `owner_id` may be
-- empty when `owner_org_id` names the organisation.
ALTER TABLE action_items ALTER COLUMN owner_id DROP NOT NULL;
ALTER TABLE action_items ADD COLUMN owner_org_id TEXT REFERENCES organisations(id);
ALTER TABLE action_items ADD CONSTRAINT action_items_owner_check CHECK (owner_id IS NOT NULL OR owner_org_id IS NOT NULL);
CREATE INDEX action_items_org_idx ON action_items(owner_org_id) WHERE owner_org_id IS NOT NULL;
