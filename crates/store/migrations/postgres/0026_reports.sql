-- Reporting: the FAMI indicators and the programme's figures, computed from the records.
--
-- `report_indicators` holds the definitions as versioned data (like the legal rules): what
-- each indicator counts (a source of `report_facts`, the flags a fact must carry, how it is
-- measured) and on what basis, with the dates it applies. `report_facts` is a view: every
-- service, training, page of information material, inspection and finding as one row with
-- the same columns (when, work package, organisation, who, where), so that one kind of
-- query computes every indicator. The refresh job (store::reports) groups the facts by
-- every breakdown at once into `report_cube` under a new run, and the programme's totals
-- into `report_cells`; dashboards read those, never the facts (DHIS2's analytics tables:
-- the figures are as of the last run, which the pages say).

CREATE TABLE report_indicators (
    code        TEXT NOT NULL,
    version     INTEGER NOT NULL,
    valid_from  DATE NOT NULL,
    valid_to    DATE,
    position    INTEGER NOT NULL,
    wp          TEXT,
    -- persons: each person (after deduplication) once, in the month of their first fact;
    -- sum: the facts' `num` added up; ratio: sum of `num` over sum of `den` (a share, or
    -- an average when `den` counts and `num` measures).
    measure     TEXT NOT NULL CHECK (measure IN ('persons','sum','ratio')),
    source      TEXT NOT NULL,
    -- Flags of report_facts a fact must have (comma-separated, from a fixed list).
    flags       TEXT NOT NULL DEFAULT '',
    target      INTEGER,
    -- How a value reads: a count, a percentage (a ratio of counts) or days (an average).
    unit        TEXT NOT NULL CHECK (unit IN ('count','percent','days')),
    basis       TEXT NOT NULL,
    label_it    TEXT NOT NULL,
    label_en    TEXT NOT NULL,
    PRIMARY KEY (code, version)
);

INSERT INTO report_indicators (code, version, valid_from, valid_to, position, wp, measure, source, flags, target, unit, basis, label_it, label_en) VALUES
 ('tcn_reached', 1, '2024-03-04', NULL, 10, NULL, 'persons', 'service', 'tcn', 5000, 'count', 'Reg. (UE) 2021/1147 all. VIII, output: partecipanti sostenuti; convenzione SPRInt (destinatari)', 'Cittadini di paesi terzi raggiunti (ciascuno una volta)', 'Third-country nationals reached (each once)'),
 ('minors_reached', 1, '2024-03-04', NULL, 20, 'WP4', 'persons', 'service', 'tcn,minor', 3000, 'count', 'Convenzione SPRInt: minori stranieri non accompagnati (destinatari)', 'di cui minori', 'of whom minors'),
 ('vulnerable_reached', 1, '2024-03-04', NULL, 30, NULL, 'persons', 'service', 'tcn,vulnerable', NULL, 'count', 'Reg. (UE) 2021/1147 all. VIII, output: partecipanti vulnerabili', 'di cui vulnerabili', 'of whom vulnerable'),
 ('legal_assisted', 1, '2024-03-04', NULL, 40, NULL, 'persons', 'service', 'tcn,legal', NULL, 'count', 'Reg. (UE) 2021/1147 all. VIII, output: partecipanti che ricevono assistenza legale', 'di cui con assistenza legale', 'of whom receiving legal assistance'),
 ('services', 1, '2024-03-04', NULL, 50, NULL, 'sum', 'service', '', NULL, 'count', 'Convenzione SPRInt: servizi per work package e tipo', 'Servizi resi', 'Services given'),
 ('contacts', 1, '2024-03-04', NULL, 60, 'WP1', 'sum', 'service', 'contact', NULL, 'count', 'Convenzione SPRInt, WP1: contatti agli info point', 'Contatti agli info point', 'Info-point contacts'),
 ('digital_assisted', 1, '2024-03-04', NULL, 70, 'WP1', 'sum', 'service', 'digital', NULL, 'count', 'Convenzione SPRInt, WP1: divario digitale (SPID, CIE, prenotazioni, PagoPA)', 'Servizi digitali assistiti', 'Assisted digital services'),
 ('staff_trained', 1, '2024-03-04', NULL, 80, NULL, 'sum', 'training', '', NULL, 'count', 'Convenzione SPRInt, WP1 e WP3: operatori di patronati ed enti gestori formati (attestato)', 'Operatori formati', 'Staff trained'),
 ('training_useful', 1, '2024-03-04', NULL, 90, NULL, 'ratio', 'training_survey', '', NULL, 'percent', 'Reg. (UE) 2021/1147 all. VIII, risultato: partecipanti che ritengono utile la formazione', 'Quota che ritiene utile la formazione', 'Share finding the training useful'),
 ('materials', 1, '2024-03-04', NULL, 100, 'WP1', 'sum', 'material', '', NULL, 'count', 'Reg. (UE) 2021/1147 all. VIII, output: pacchetti informativi (servizi e lingue pubblicati)', 'Materiale informativo pubblicato (servizio e lingua)', 'Information material published (service and language)'),
 ('inspections_done', 1, '2024-03-04', NULL, 110, 'WP3', 'sum', 'inspection', '', NULL, 'count', 'Convenzione SPRInt, WP3: monitoraggio dei centri', 'Ispezioni concluse', 'Inspections completed'),
 ('findings_closed', 1, '2024-03-04', NULL, 120, 'WP3', 'ratio', 'finding', '', NULL, 'percent', 'Convenzione SPRInt, WP3: azioni correttive verificate', 'Quota di rilievi chiusi', 'Share of findings closed'),
 ('minor_days_in_hub', 1, '2024-03-04', NULL, 130, 'WP4', 'ratio', 'minor_stay', '', NULL, 'days', 'Convenzione SPRInt, WP4; DL 133/2023 art. 5 (permanenza massima)', 'Giorni medi di permanenza nell''hub', 'Average days in the hub'),
 ('minor_deadlines_met', 1, '2024-03-04', NULL, 140, 'WP4', 'ratio', 'minor_deadline', '', NULL, 'percent', 'D.lgs. 142/2015 art. 19; L. 47/2017 (termini del minore)', 'Quota di termini rispettati', 'Share of deadlines met');

-- A merged record counts as the record it was merged into, however many merges lead
-- there (a kept record can itself be merged later).
CREATE VIEW report_person_keys AS
WITH RECURSIVE up(id, key) AS (
    SELECT id, merged_into FROM persons WHERE merged_into IS NOT NULL
    UNION ALL
    SELECT up.id, p.merged_into FROM up JOIN persons p ON p.id = up.key WHERE p.merged_into IS NOT NULL
)
SELECT up.id, up.key FROM up JOIN persons k ON k.id = up.key WHERE k.merged_into IS NULL;

-- Every record as the person it counts as: the kept record's sex, birth year and
-- nationality, and whether a vulnerability (never its category) is on file.
CREATE VIEW report_people AS
SELECT p.id,
       r.id AS person_key,
       r.sex,
       r.birth_year,
       r.nationality,
       CASE WHEN r.is_tcn THEN 1 ELSE 0 END AS tcn,
       CASE WHEN EXISTS (SELECT 1 FROM person_vulnerabilities v
                         WHERE v.person_id IN (p.id, r.id) AND v.removed_at IS NULL)
            THEN 1 ELSE 0 END AS vulnerable
FROM persons p
LEFT JOIN report_person_keys k ON k.id = p.id
JOIN persons r ON r.id = COALESCE(k.key, p.id);

-- Where an organisation works: its info point's municipality, else its first centre's.
CREATE VIEW report_org_places AS
SELECT org_id, MIN(municipality) AS municipality FROM (
    SELECT org_id, municipality FROM info_points WHERE active
    UNION ALL
    SELECT c.org_id, c.municipality FROM centres c
    WHERE c.municipality <> '' AND NOT EXISTS (SELECT 1 FROM info_points i WHERE i.org_id = c.org_id AND i.active)
) places GROUP BY org_id;

CREATE VIEW report_facts AS
-- Info-point contacts (WP1): a person's data when the contact names one, else what the
-- operator noted of the anonymous visitor.
SELECT 'service' AS source, 'contact' AS kind, c.id AS source_id, c.contact_on AS on_date,
       to_char(c.contact_on, 'YYYY-MM') AS month, 'WP1' AS wp, c.topics AS service, c.org_id,
       rp.person_key,
       COALESCE(rp.sex, c.sex, '') AS sex,
       CASE WHEN rp.birth_year IS NULL THEN COALESCE(c.age_band, '')
            WHEN EXTRACT(YEAR FROM c.contact_on)::int - rp.birth_year < 18 THEN '0-17'
            WHEN EXTRACT(YEAR FROM c.contact_on)::int - rp.birth_year < 25 THEN '18-24'
            WHEN EXTRACT(YEAR FROM c.contact_on)::int - rp.birth_year < 35 THEN '25-34'
            WHEN EXTRACT(YEAR FROM c.contact_on)::int - rp.birth_year < 55 THEN '35-54'
            ELSE '55+' END AS age_band,
       COALESCE(rp.nationality, c.nationality, '') AS nationality,
       COALESCE(op.municipality, '') AS municipality, c.language,
       COALESCE(rp.tcn, 0) AS tcn,
       CASE WHEN (rp.birth_year IS NOT NULL AND EXTRACT(YEAR FROM c.contact_on)::int - rp.birth_year < 18)
                 OR (rp.birth_year IS NULL AND c.age_band = '0-17') THEN 1 ELSE 0 END AS minor,
       COALESCE(rp.vulnerable, 0) AS vulnerable, 0 AS legal,
       CASE WHEN c.digital <> '' THEN 1 ELSE 0 END AS digital, 1 AS contact,
       1 AS num, 0 AS den
FROM contacts c
LEFT JOIN report_people rp ON rp.id = c.person_id
LEFT JOIN report_org_places op ON op.org_id = c.org_id
UNION ALL
-- Cases: accompaniment through a procedure (legal assistance), in the work package of the
-- organisation that holds it; a Safe Space referral is support for a vulnerable guest.
SELECT 'service', 'case', k.id, COALESCE(k.filed_on, (k.created_at AT TIME ZONE 'UTC')::date),
       to_char(COALESCE(k.filed_on, (k.created_at AT TIME ZONE 'UTC')::date), 'YYYY-MM'),
       CASE o.kind WHEN 'prefecture' THEN 'WP2' WHEN 'managing_body' THEN 'WP3' ELSE 'WP1' END,
       k.procedure_code, k.owner_org_id, rp.person_key, COALESCE(rp.sex, ''),
       CASE WHEN rp.birth_year IS NULL THEN ''
            WHEN EXTRACT(YEAR FROM COALESCE(k.filed_on, (k.created_at AT TIME ZONE 'UTC')::date))::int - rp.birth_year < 18 THEN '0-17'
            WHEN EXTRACT(YEAR FROM COALESCE(k.filed_on, (k.created_at AT TIME ZONE 'UTC')::date))::int - rp.birth_year < 25 THEN '18-24'
            WHEN EXTRACT(YEAR FROM COALESCE(k.filed_on, (k.created_at AT TIME ZONE 'UTC')::date))::int - rp.birth_year < 35 THEN '25-34'
            WHEN EXTRACT(YEAR FROM COALESCE(k.filed_on, (k.created_at AT TIME ZONE 'UTC')::date))::int - rp.birth_year < 55 THEN '35-54'
            ELSE '55+' END,
       COALESCE(rp.nationality, ''), COALESCE(op.municipality, ''), '',
       rp.tcn,
       CASE WHEN rp.birth_year IS NOT NULL AND EXTRACT(YEAR FROM COALESCE(k.filed_on, (k.created_at AT TIME ZONE 'UTC')::date))::int - rp.birth_year < 18 THEN 1 ELSE 0 END,
       rp.vulnerable,
       CASE WHEN k.procedure_code = 'safe_space_referral' THEN 0 ELSE 1 END,
       0, 0, 1, 0
FROM cases k
JOIN report_people rp ON rp.id = k.person_id
JOIN organisations o ON o.id = k.owner_org_id
LEFT JOIN report_org_places op ON op.org_id = k.owner_org_id
UNION ALL
-- Unaccompanied minors taken in by the hub (WP4): minors by law, whatever the birth year
-- on file says.
SELECT 'service', 'minor', m.id, m.arrival_date, to_char(m.arrival_date, 'YYYY-MM'), 'WP4',
       'minor_reception', m.hub_org_id, rp.person_key, COALESCE(rp.sex, ''), '0-17',
       COALESCE(rp.nationality, ''), COALESCE(op.municipality, ''), '',
       rp.tcn, 1, rp.vulnerable, 0, 0, 0, 1, 0
FROM minors m
JOIN report_people rp ON rp.id = m.person_id
LEFT JOIN report_org_places op ON op.org_id = m.hub_org_id
UNION ALL
-- Legal support to guests of the centres (WP3).
SELECT 'service', 'legal_consultation', l.id, l.held_on, to_char(l.held_on, 'YYYY-MM'), 'WP3',
       'legal_consultation', c.org_id, rp.person_key, COALESCE(rp.sex, ''),
       CASE WHEN rp.birth_year IS NULL THEN ''
            WHEN EXTRACT(YEAR FROM l.held_on)::int - rp.birth_year < 18 THEN '0-17'
            WHEN EXTRACT(YEAR FROM l.held_on)::int - rp.birth_year < 25 THEN '18-24'
            WHEN EXTRACT(YEAR FROM l.held_on)::int - rp.birth_year < 35 THEN '25-34'
            WHEN EXTRACT(YEAR FROM l.held_on)::int - rp.birth_year < 55 THEN '35-54'
            ELSE '55+' END,
       COALESCE(rp.nationality, ''), c.municipality, l.language,
       COALESCE(rp.tcn, 0),
       CASE WHEN rp.birth_year IS NOT NULL AND EXTRACT(YEAR FROM l.held_on)::int - rp.birth_year < 18 THEN 1 ELSE 0 END,
       COALESCE(rp.vulnerable, 0), 1, 0, 0, 1, 0
FROM legal_consultations l
JOIN centres c ON c.id = l.centre_id
LEFT JOIN report_people rp ON rp.id = l.person_id
UNION ALL
-- Vulnerability screenings of guests (WP3, Safe Space).
SELECT 'service', 'screening', s.id, s.screened_on, to_char(s.screened_on, 'YYYY-MM'), 'WP3',
       'vulnerability_screening', s.org_id, rp.person_key, COALESCE(rp.sex, ''),
       CASE WHEN rp.birth_year IS NULL THEN ''
            WHEN EXTRACT(YEAR FROM s.screened_on)::int - rp.birth_year < 18 THEN '0-17'
            WHEN EXTRACT(YEAR FROM s.screened_on)::int - rp.birth_year < 25 THEN '18-24'
            WHEN EXTRACT(YEAR FROM s.screened_on)::int - rp.birth_year < 35 THEN '25-34'
            WHEN EXTRACT(YEAR FROM s.screened_on)::int - rp.birth_year < 55 THEN '35-54'
            ELSE '55+' END,
       COALESCE(rp.nationality, ''), c.municipality, '',
       rp.tcn,
       CASE WHEN rp.birth_year IS NOT NULL AND EXTRACT(YEAR FROM s.screened_on)::int - rp.birth_year < 18 THEN 1 ELSE 0 END,
       rp.vulnerable, 0, 0, 0, 1, 0
FROM vulnerability_screenings s
JOIN centres c ON c.id = s.centre_id
JOIN report_people rp ON rp.id = s.person_id
UNION ALL
-- Staff trained: a certificate of attendance, counted for the participant's organisation.
SELECT 'training', 'certificate', ce.id, (ce.issued_at AT TIME ZONE 'UTC')::date, to_char(ce.issued_at AT TIME ZONE 'UTC', 'YYYY-MM'),
       CASE co.audience WHEN 'managing_bodies' THEN 'WP3' ELSE 'WP1' END, co.audience, e.org_id,
       NULL, '', '', '', COALESCE(op.municipality, ''), '', 0, 0, 0, 0, 0, 0, 1, 0
FROM certificates ce
JOIN enrolments e ON e.id = ce.enrolment_id
JOIN courses co ON co.id = e.course_id
LEFT JOIN report_org_places op ON op.org_id = e.org_id
UNION ALL
-- The survey after a course: useful or not.
SELECT 'training_survey', 'survey', su.enrolment_id, (su.answered_at AT TIME ZONE 'UTC')::date, to_char(su.answered_at AT TIME ZONE 'UTC', 'YYYY-MM'),
       CASE co.audience WHEN 'managing_bodies' THEN 'WP3' ELSE 'WP1' END, co.audience, e.org_id,
       NULL, '', '', '', COALESCE(op.municipality, ''), '', 0, 0, 0, 0, 0, 0,
       CASE WHEN su.useful THEN 1 ELSE 0 END, 1
FROM course_surveys su
JOIN enrolments e ON e.id = su.enrolment_id
JOIN courses co ON co.id = e.course_id
LEFT JOIN report_org_places op ON op.org_id = e.org_id
UNION ALL
-- Information material: each service page published in a language.
SELECT 'material', 'service_page', t.procedure_code || ':' || t.lang, (t.published_at AT TIME ZONE 'UTC')::date,
       to_char(t.published_at AT TIME ZONE 'UTC', 'YYYY-MM'), 'WP1', t.procedure_code, '', NULL, '', '', '', '', t.lang,
       0, 0, 0, 0, 0, 0, 1, 0
FROM service_texts t
WHERE t.state = 'published' AND t.published_at IS NOT NULL
UNION ALL
-- Inspections completed, for the managing body of the centre.
SELECT 'inspection', i.kind, i.id, COALESCE(i.visited_on, (i.closed_at AT TIME ZONE 'UTC')::date),
       to_char(COALESCE(i.visited_on, (i.closed_at AT TIME ZONE 'UTC')::date), 'YYYY-MM'), 'WP3', c.kind, c.org_id, NULL, '', '', '',
       c.municipality, '', 0, 0, 0, 0, 0, 0, 1, 0
FROM inspections i
JOIN centres c ON c.id = i.centre_id
WHERE i.status = 'closed'
UNION ALL
-- Findings of closed inspections: closed once the inspector verified the corrective action.
SELECT 'finding', f.severity, f.id, COALESCE(i.visited_on, (i.closed_at AT TIME ZONE 'UTC')::date),
       to_char(COALESCE(i.visited_on, (i.closed_at AT TIME ZONE 'UTC')::date), 'YYYY-MM'), 'WP3', f.severity, c.org_id, NULL, '', '', '',
       c.municipality, '', 0, 0, 0, 0, 0, 0,
       CASE WHEN a.status = 'verified' THEN 1 ELSE 0 END, 1
FROM findings f
JOIN inspections i ON i.id = f.inspection_id
JOIN centres c ON c.id = i.centre_id
LEFT JOIN corrective_actions a ON a.finding_id = f.id
WHERE i.status = 'closed';

-- One refresh of the figures. Readers use the newest finished run.
CREATE TABLE report_runs (
    id           TEXT PRIMARY KEY NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ,
    facts        BIGINT NOT NULL DEFAULT 0,
    rows         BIGINT NOT NULL DEFAULT 0,
    millis       BIGINT NOT NULL DEFAULT 0
);

-- The facts of a run grouped by every breakdown at once. `scope`: 's' rows serve every
-- scope (sums and ratios); persons are counted once in the programme ('p', by the
-- organisation of their first fact) and once in each organisation ('o').
CREATE TABLE report_cube (
    run_id       TEXT NOT NULL REFERENCES report_runs(id),
    indicator    TEXT NOT NULL,
    scope        TEXT NOT NULL CHECK (scope IN ('s','p','o')),
    month        TEXT NOT NULL,
    wp           TEXT NOT NULL,
    service      TEXT NOT NULL,
    org_id       TEXT NOT NULL,
    sex          TEXT NOT NULL,
    age_band     TEXT NOT NULL,
    nationality  TEXT NOT NULL,
    municipality TEXT NOT NULL,
    language     TEXT NOT NULL,
    num          BIGINT NOT NULL,
    den          BIGINT NOT NULL
);
CREATE INDEX report_cube_org_idx ON report_cube(run_id, org_id, indicator);

-- The programme's figures of a run by month and one breakdown at a time (`dim` '' is the
-- total): what the programme dashboard reads.
CREATE TABLE report_cells (
    run_id     TEXT NOT NULL REFERENCES report_runs(id),
    indicator  TEXT NOT NULL,
    month      TEXT NOT NULL,
    dim        TEXT NOT NULL,
    value      TEXT NOT NULL,
    num        BIGINT NOT NULL,
    den        BIGINT NOT NULL,
    PRIMARY KEY (run_id, indicator, dim, month, value)
);
