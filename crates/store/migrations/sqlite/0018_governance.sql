-- The network's bodies (the Consiglio Territoriale per l'Immigrazione, the city governance
-- table on reception, working groups under them) with their members: organisations and
-- their representatives, with dates of office. Meetings with agenda, attendance, minutes
-- (drafted, approved, published; approved minutes are frozen and keep their SHA-256),
-- decisions, and action items with an owner and a due date that stay on the owner's home
-- page until done.

CREATE TABLE bodies (
    id           TEXT PRIMARY KEY NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('ctim','governance_table','working_group')),
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    parent_id    TEXT REFERENCES bodies(id),
    active       BOOLEAN NOT NULL DEFAULT TRUE,
    version      INTEGER NOT NULL DEFAULT 1,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL
);

CREATE TABLE body_members (
    id              TEXT PRIMARY KEY NOT NULL,
    body_id         TEXT NOT NULL REFERENCES bodies(id),
    org_id          TEXT NOT NULL REFERENCES organisations(id),
    representative  TEXT NOT NULL,
    user_id         TEXT REFERENCES users(id),
    role            TEXT NOT NULL CHECK (role IN ('chair','secretary','member','observer')),
    from_date       TEXT NOT NULL,
    to_date         TEXT,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX body_members_body_idx ON body_members(body_id);

CREATE TABLE meetings (
    id             TEXT PRIMARY KEY NOT NULL,
    body_id        TEXT NOT NULL REFERENCES bodies(id),
    starts_at      TEXT NOT NULL,
    place          TEXT NOT NULL DEFAULT '',
    link           TEXT NOT NULL DEFAULT '',
    agenda         TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('planned','held','cancelled')),
    minutes        TEXT NOT NULL DEFAULT '',
    minutes_state  TEXT NOT NULL DEFAULT 'none' CHECK (minutes_state IN ('none','draft','approved','published')),
    minutes_hash   TEXT,
    approved_by    TEXT,
    approved_at    TEXT,
    published_at   TEXT,
    version        INTEGER NOT NULL DEFAULT 1,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX meetings_body_idx ON meetings(body_id, starts_at);

CREATE TABLE meeting_attendance (
    meeting_id  TEXT NOT NULL REFERENCES meetings(id),
    member_id   TEXT NOT NULL REFERENCES body_members(id),
    present     BOOLEAN NOT NULL,
    PRIMARY KEY (meeting_id, member_id)
);

CREATE TABLE meeting_decisions (
    id          TEXT PRIMARY KEY NOT NULL,
    meeting_id  TEXT NOT NULL REFERENCES meetings(id),
    position    INTEGER NOT NULL,
    text        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX meeting_decisions_meeting_idx ON meeting_decisions(meeting_id);

CREATE TABLE action_items (
    id          TEXT PRIMARY KEY NOT NULL,
    meeting_id  TEXT NOT NULL REFERENCES meetings(id),
    title       TEXT NOT NULL,
    owner_id    TEXT NOT NULL REFERENCES users(id),
    due_on      TEXT NOT NULL,
    done_at     TEXT,
    done_by     TEXT,
    done_note   TEXT NOT NULL DEFAULT '',
    version     INTEGER NOT NULL DEFAULT 1,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX action_items_owner_idx ON action_items(owner_id, done_at);
CREATE INDEX action_items_meeting_idx ON action_items(meeting_id);
