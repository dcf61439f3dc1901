-- Unaccompanied minors (MSNA) at the Red Cross hub: the record that follows a minor from
-- first contact to the end of their stay, the notifications the law requires at once, the
-- hub's register of entries, exits and movements, and the legal terms of the minors' clock
-- as versioned rules. A term may be extended by a number of days (a minor's stay in an
-- adult-centre section: 90 days + 60).

ALTER TABLE legal_rules ADD COLUMN extension_days INTEGER;

CREATE TABLE minors (
    id                  TEXT PRIMARY KEY NOT NULL,
    person_id           TEXT NOT NULL REFERENCES persons(id),
    hub_org_id          TEXT NOT NULL REFERENCES organisations(id),
    -- Rome wall-clock time of first contact; the date is what the legal terms count from.
    arrived_at          TIMESTAMP NOT NULL,
    arrival_date        DATE NOT NULL,
    contact_place       TEXT NOT NULL,
    brought_by          TEXT NOT NULL CHECK (brought_by IN ('police','self','social_services','ngo','other')),
    brought_by_detail   TEXT,
    accompanying_adult  TEXT,
    declared_age        INTEGER,
    -- Parents or relatives the minor names (for the notices), and whether the adult who
    -- came with them is willing to act as guardian.
    relatives           TEXT,
    companion_willing   BOOLEAN NOT NULL DEFAULT FALSE,
    -- Sealed: immediate needs are often about health.
    needs_sealed        TEXT,
    status              TEXT NOT NULL CHECK (status IN ('present','transferred','absconded','family_found','adult','moved_out')),
    identified_on       DATE,
    left_on             DATE,
    created_by          TEXT NOT NULL,
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX minors_hub_idx ON minors(hub_org_id, status);
CREATE INDEX minors_person_idx ON minors(person_id);
-- One open stay per person: a second intake of the same child is a mistake to catch.
CREATE UNIQUE INDEX minors_one_present ON minors(person_id) WHERE status = 'present';

CREATE TABLE minor_notifications (
    id          TEXT PRIMARY KEY NOT NULL,
    minor_id    TEXT NOT NULL REFERENCES minors(id),
    recipient   TEXT NOT NULL CHECK (recipient IN ('prosecutor','court','sim')),
    sent_on     DATE NOT NULL,
    reference   TEXT,
    sent_by     TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (minor_id, recipient)
);

CREATE TABLE minor_movements (
    id          TEXT PRIMARY KEY NOT NULL,
    minor_id    TEXT NOT NULL REFERENCES minors(id),
    at          TIMESTAMP NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('entry','exit','out','back')),
    note        TEXT,
    recorded_by TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX minor_movements_idx ON minor_movements(minor_id, at);

INSERT INTO legal_rules (id, code, days, months, extension_months, extension_days, basis, valid_from, valid_to) VALUES
 ('msna-notify-prosecutor', 'msna_notify_prosecutor', 0, NULL, NULL, NULL, 'D.lgs. 142/2015 art. 19 c. 5 (come modificato dalla L. 47/2017)', '2017-05-06', NULL),
 ('msna-notify-court', 'msna_notify_court', 0, NULL, NULL, NULL, 'D.lgs. 142/2015 art. 19 c. 5 (come modificato dalla L. 47/2017)', '2017-05-06', NULL),
 ('msna-notify-sim', 'msna_notify_sim', 0, NULL, NULL, NULL, 'D.lgs. 142/2015 art. 19 c. 5; L. 47/2017 art. 9 (SIM)', '2017-05-06', NULL),
 ('msna-identification', 'msna_identification', 10, NULL, NULL, NULL, 'D.lgs. 142/2015 art. 19 c. 1 (come modificato dalla L. 47/2017)', '2017-05-06', NULL),
 ('msna-first-reception-30', 'msna_first_reception', 30, NULL, NULL, NULL, 'D.lgs. 142/2015 art. 19 c. 1, testo della L. 47/2017 art. 4', '2017-05-06', '2023-10-05'),
 ('msna-first-reception-45', 'msna_first_reception', 45, NULL, NULL, NULL, 'D.lgs. 142/2015 art. 19 c. 1 come modificato dal DL 133/2023, conv. L. 176/2023', '2023-10-06', NULL),
 ('msna-age-assessment-60', 'msna_age_assessment', 60, NULL, NULL, NULL, 'D.lgs. 142/2015 art. 19-bis come modificato dal DL 133/2023, conv. L. 176/2023', '2023-10-06', NULL),
 ('msna-adult-section-90', 'msna_adult_section', 90, NULL, NULL, 60, 'D.lgs. 142/2015 art. 19 c. 3-bis come modificato dal DL 133/2023 art. 5', '2023-10-06', NULL);
