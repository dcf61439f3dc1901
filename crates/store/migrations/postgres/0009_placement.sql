-- Reception facilities and the placement of minors leaving the hub: places by sex and age
-- band with their occupancy (taken in the same transaction as the acceptance that fills
-- them, and never beyond the places), and transfers requested by the hub and answered by
-- the receiving facility's managing body. The monitoring of centres builds on `centres`.

CREATE TABLE centres (
    id            TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('cas','first_reception_minors','temporary_minors','adult_section_minors','sai','hub')),
    org_id        TEXT NOT NULL REFERENCES organisations(id),
    address       TEXT NOT NULL DEFAULT '',
    municipality  TEXT NOT NULL DEFAULT '',
    lat           DOUBLE PRECISION,
    lon           DOUBLE PRECISION,
    -- ISO 639 codes spoken by the staff, comma-separated; what the centre specialises in.
    languages     TEXT NOT NULL DEFAULT '',
    specialisms   TEXT NOT NULL DEFAULT '',
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX centres_org_idx ON centres(org_id);

CREATE TABLE centre_places (
    id         TEXT PRIMARY KEY NOT NULL,
    centre_id  TEXT NOT NULL REFERENCES centres(id),
    sex        TEXT NOT NULL CHECK (sex IN ('female','male')),
    min_age    INTEGER NOT NULL,
    max_age    INTEGER NOT NULL,
    places     INTEGER NOT NULL CHECK (places >= 0),
    occupied   INTEGER NOT NULL DEFAULT 0,
    CHECK (occupied >= 0 AND occupied <= places)
);
CREATE INDEX centre_places_centre_idx ON centre_places(centre_id);

CREATE TABLE minor_transfers (
    id            TEXT PRIMARY KEY NOT NULL,
    minor_id      TEXT NOT NULL REFERENCES minors(id),
    centre_id     TEXT NOT NULL REFERENCES centres(id),
    place_id      TEXT NOT NULL REFERENCES centre_places(id),
    status        TEXT NOT NULL CHECK (status IN ('requested','accepted','refused','completed','cancelled')),
    note          TEXT,
    answer        TEXT,
    requested_by  TEXT NOT NULL,
    requested_at  TIMESTAMPTZ NOT NULL,
    answered_by   TEXT,
    answered_at   TIMESTAMPTZ,
    completed_on  DATE
);
CREATE INDEX minor_transfers_minor_idx ON minor_transfers(minor_id);
CREATE INDEX minor_transfers_centre_idx ON minor_transfers(centre_id, status);
-- One open transfer per minor.
CREATE UNIQUE INDEX minor_transfers_one_open ON minor_transfers(minor_id) WHERE status IN ('requested','accepted');
