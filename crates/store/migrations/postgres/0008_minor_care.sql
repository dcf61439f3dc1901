-- What the hub records about a minor after intake: the interview with a cultural mediator,
-- the age assessment ordered by the prosecutor, health screenings (sealed), the volunteer
-- guardians' register with each appointment, siblings (counted as one for a guardian's
-- limit), and the census exports to SIM with the minors each carried.

ALTER TABLE minors ADD COLUMN family_group TEXT;

CREATE TABLE guardians (
    id          TEXT PRIMARY KEY NOT NULL,
    full_name   TEXT NOT NULL,
    court_list  TEXT NOT NULL,
    phone       TEXT,
    email       TEXT,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE minor_guardians (
    id            TEXT PRIMARY KEY NOT NULL,
    minor_id      TEXT NOT NULL REFERENCES minors(id),
    guardian_id   TEXT NOT NULL REFERENCES guardians(id),
    appointed_on  DATE NOT NULL,
    decree        TEXT,
    over_limit    BOOLEAN NOT NULL DEFAULT FALSE,
    ended_on      DATE,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX minor_guardians_guardian_idx ON minor_guardians(guardian_id);
CREATE UNIQUE INDEX minor_guardians_one_current ON minor_guardians(minor_id) WHERE ended_on IS NULL;

CREATE TABLE minor_interviews (
    id              TEXT PRIMARY KEY NOT NULL,
    minor_id        TEXT NOT NULL REFERENCES minors(id),
    held_on         DATE NOT NULL,
    mediator        TEXT NOT NULL,
    language        TEXT,
    staff           TEXT NOT NULL,
    summary_sealed  TEXT,
    created_by      TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX minor_interviews_minor_idx ON minor_interviews(minor_id);

CREATE TABLE age_assessments (
    id                       TEXT PRIMARY KEY NOT NULL,
    minor_id                 TEXT NOT NULL UNIQUE REFERENCES minors(id),
    doubt_raised_on          DATE NOT NULL,
    order_date               DATE,
    team                     TEXT,
    method                   TEXT,
    result                   TEXT,
    margin                   TEXT,
    outcome                  TEXT CHECK (outcome IN ('minor','adult','doubt_minor')),
    concluded_on             DATE,
    communicated_on          DATE,
    appeal                   TEXT,
    version                  INTEGER NOT NULL DEFAULT 1,
    created_by               TEXT NOT NULL,
    created_at               TIMESTAMPTZ NOT NULL,
    updated_at               TIMESTAMPTZ NOT NULL
);

CREATE TABLE health_screenings (
    id            TEXT PRIMARY KEY NOT NULL,
    minor_id      TEXT NOT NULL REFERENCES minors(id),
    screened_on   DATE NOT NULL,
    by_whom       TEXT NOT NULL,
    notes_sealed  TEXT,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX health_screenings_minor_idx ON health_screenings(minor_id);

CREATE TABLE sim_exports (
    id          TEXT PRIMARY KEY NOT NULL,
    hub_org_id  TEXT NOT NULL REFERENCES organisations(id),
    row_count   INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    sent_on     DATE,
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE sim_export_minors (
    export_id  TEXT NOT NULL REFERENCES sim_exports(id),
    minor_id   TEXT NOT NULL REFERENCES minors(id),
    PRIMARY KEY (export_id, minor_id)
);
