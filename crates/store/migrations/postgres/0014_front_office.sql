-- The front office of the info points: every contact, logged in seconds, anonymous or tied to
-- a person (and a case). Topics are procedure codes of the catalogue (or `other`); the
-- assisted digital services (SPID or CIE activation, online booking, PagoPA payment, permit
-- status check) are logged with it. Sex, age band and nationality of an anonymous contact
-- are kept only as the FAMI indicators need them, never a name. `form_token` makes a form
-- sent twice (a retry on a bad connection) one contact.

CREATE TABLE contacts (
    id           TEXT PRIMARY KEY NOT NULL,
    org_id       TEXT NOT NULL REFERENCES organisations(id),
    contact_on   DATE NOT NULL,
    person_id    TEXT REFERENCES persons(id),
    case_id      TEXT REFERENCES cases(id),
    topics       TEXT NOT NULL,
    language     TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('informed','referred','appointment','case_opened','other')),
    digital      TEXT NOT NULL DEFAULT '',
    sex          TEXT CHECK (sex IS NULL OR sex IN ('female','male','other')),
    age_band     TEXT CHECK (age_band IS NULL OR age_band IN ('0-17','18-24','25-34','35-54','55+')),
    nationality  TEXT,
    form_token   TEXT NOT NULL UNIQUE,
    recorded_by  TEXT NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX contacts_org_day_idx ON contacts(org_id, contact_on);
CREATE INDEX contacts_person_idx ON contacts(person_id);
