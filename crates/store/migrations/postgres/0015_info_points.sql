-- The info points directory, shaped after Open Referral HSDS: a location (name, address,
-- district or municipality, coordinates, contacts, accessibility), its regular schedule (one
-- row per weekday and opening), the languages spoken and the services offered (procedure
-- codes of the catalogue). Public data: shown without login.

CREATE TABLE info_points (
    id             TEXT PRIMARY KEY NOT NULL,
    org_id         TEXT NOT NULL REFERENCES organisations(id),
    name           TEXT NOT NULL,
    description_it TEXT NOT NULL DEFAULT '',
    description_en TEXT NOT NULL DEFAULT '',
    address        TEXT NOT NULL,
    municipality   TEXT NOT NULL,
    district       TEXT NOT NULL DEFAULT '',
    lat            DOUBLE PRECISION,
    lon            DOUBLE PRECISION,
    phone          TEXT,
    email          TEXT,
    accessibility_it TEXT NOT NULL DEFAULT '',
    accessibility_en TEXT NOT NULL DEFAULT '',
    -- ISO 639 codes, comma-separated, as in `domain::languages`.
    languages      TEXT NOT NULL DEFAULT '',
    -- Procedure codes of the catalogue, comma-separated.
    services       TEXT NOT NULL DEFAULT '',
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX info_points_municipality_idx ON info_points(municipality);

-- HSDS regular_schedule: weekday 1 (Monday) to 7, opening and closing as HH:MM, Rome time.
CREATE TABLE info_point_hours (
    info_point_id  TEXT NOT NULL REFERENCES info_points(id),
    weekday        INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    opens_at       TEXT NOT NULL,
    closes_at      TEXT NOT NULL,
    CHECK (opens_at < closes_at),
    PRIMARY KEY (info_point_id, weekday, opens_at)
);
