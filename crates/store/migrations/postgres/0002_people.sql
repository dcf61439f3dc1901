-- People register: persons, identifiers, encrypted vulnerabilities and consents. The
-- duplicate check reads from an in-memory index kept in step with this table (store::matching).

CREATE TABLE persons (
    id               TEXT PRIMARY KEY NOT NULL,
    owner_org_id     TEXT NOT NULL REFERENCES organisations(id),
    given_names      TEXT NOT NULL,
    family_name      TEXT NOT NULL,
    name_original    TEXT,
    aliases          TEXT NOT NULL DEFAULT '',
    sex              TEXT CHECK (sex IN ('female','male','other')),
    birth_year       INTEGER,
    birth_month      INTEGER,
    birth_day        INTEGER,
    birth_precision  TEXT CHECK (birth_precision IN ('exact','year','estimated')),
    nationality      TEXT,
    is_tcn           BOOLEAN,
    languages        TEXT NOT NULL DEFAULT '',
    phone            TEXT,
    email            TEXT,
    address          TEXT,
    merged_into      TEXT REFERENCES persons(id),
    created_by       TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX persons_owner_idx ON persons(owner_org_id);
CREATE INDEX persons_family_idx ON persons(family_name);

CREATE TABLE person_identifiers (
    id          TEXT PRIMARY KEY NOT NULL,
    person_id   TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('cui','codice_fiscale','passport','permit','other')),
    value       TEXT NOT NULL,
    value_norm  TEXT NOT NULL
);
CREATE INDEX person_identifiers_person_idx ON person_identifiers(person_id);
CREATE INDEX person_identifiers_value_idx ON person_identifiers(value_norm);

-- Each row is one art. 17 category with its date and note, sealed together (store::crypto):
-- the database never holds the category or the note in clear.
CREATE TABLE person_vulnerabilities (
    id           TEXT PRIMARY KEY NOT NULL,
    person_id    TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    sealed       TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    removed_at   TIMESTAMPTZ
);
CREATE INDEX person_vulnerabilities_person_idx ON person_vulnerabilities(person_id);

CREATE TABLE person_consents (
    id           TEXT PRIMARY KEY NOT NULL,
    person_id    TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
    purpose      TEXT NOT NULL CHECK (purpose IN ('data_processing','share_for_referral','contact')),
    given        BOOLEAN NOT NULL,
    on_date      DATE NOT NULL,
    recorded_by  TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX person_consents_person_idx ON person_consents(person_id);
