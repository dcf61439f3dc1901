-- The Safe Space model for vulnerable guests of reception centres (WP3): the protocol the
-- Prefecture publishes and each managing body acknowledges; screenings of guests against
-- the art. 17 categories (d.lgs. 142/2015), sealed like every vulnerability; and, with the
-- guest's consent, a referral to a specialised service through a case of the procedure
-- below and the referral mechanism of cases.

INSERT INTO procedures (code, category, name_it, name_en, offices, term_code) VALUES
 ('safe_space_referral', 'other', 'Invio a un servizio specialistico (Safe Space)', 'Referral to a specialised service (Safe Space)', 'Ente gestore; servizio specialistico', NULL);

CREATE TABLE safe_space_protocols (
    id             TEXT PRIMARY KEY NOT NULL,
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    version_label  TEXT NOT NULL,
    published_by   TEXT NOT NULL,
    published_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE protocol_acknowledgements (
    protocol_id      TEXT NOT NULL REFERENCES safe_space_protocols(id),
    org_id           TEXT NOT NULL REFERENCES organisations(id),
    acknowledged_by  TEXT NOT NULL,
    acknowledged_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (protocol_id, org_id)
);

CREATE TABLE vulnerability_screenings (
    id           TEXT PRIMARY KEY NOT NULL,
    org_id       TEXT NOT NULL REFERENCES organisations(id),
    centre_id    TEXT NOT NULL REFERENCES centres(id),
    person_id    TEXT NOT NULL REFERENCES persons(id),
    screened_on  DATE NOT NULL,
    sealed       TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('no_referral','referred')),
    service      TEXT CHECK (service IS NULL OR service IN ('anti_trafficking','gender_violence','mental_health','disability')),
    case_id      TEXT REFERENCES cases(id),
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX vulnerability_screenings_org_idx ON vulnerability_screenings(org_id, screened_on);
CREATE INDEX vulnerability_screenings_person_idx ON vulnerability_screenings(person_id);
