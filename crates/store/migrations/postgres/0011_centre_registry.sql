-- The registry of reception centres the Prefecture monitors: each centre's contract (number,
-- dates, places, daily price, and the version of the ministerial contract schema it follows,
-- which decides what it must provide), capacity by sex and contacts; and the daily
-- presence counts, one row per centre and day, so a re-import of the same day replaces.

ALTER TABLE centres ADD COLUMN code TEXT;
ALTER TABLE centres ADD COLUMN contract_number TEXT;
ALTER TABLE centres ADD COLUMN contract_start DATE;
ALTER TABLE centres ADD COLUMN contract_end DATE;
ALTER TABLE centres ADD COLUMN contract_schema TEXT;
ALTER TABLE centres ADD COLUMN places_contracted INTEGER;
ALTER TABLE centres ADD COLUMN daily_price_cents INTEGER;
ALTER TABLE centres ADD COLUMN capacity_male INTEGER;
ALTER TABLE centres ADD COLUMN capacity_female INTEGER;
ALTER TABLE centres ADD COLUMN contact_person TEXT;
ALTER TABLE centres ADD COLUMN phone TEXT;
ALTER TABLE centres ADD COLUMN email TEXT;
ALTER TABLE centres ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
CREATE UNIQUE INDEX centres_code_idx ON centres(code);

CREATE TABLE centre_presences (
    centre_id    TEXT NOT NULL REFERENCES centres(id),
    day          DATE NOT NULL,
    male         INTEGER NOT NULL CHECK (male >= 0),
    female       INTEGER NOT NULL CHECK (female >= 0),
    source       TEXT NOT NULL CHECK (source IN ('form','csv')),
    recorded_by  TEXT NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (centre_id, day)
);
