-- Procedures and cases: the catalogue of Prefecture procedures with their legal terms as
-- versioned rules, cases with tasks and a timeline, and referrals between organisations.

CREATE TABLE legal_rules (
    id                TEXT PRIMARY KEY NOT NULL,
    code              TEXT NOT NULL,
    days              INTEGER,
    months            INTEGER,
    extension_months  INTEGER,
    basis             TEXT NOT NULL,
    valid_from        TEXT NOT NULL,
    valid_to          TEXT,
    version           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX legal_rules_code_idx ON legal_rules(code);

CREATE TABLE procedures (
    code          TEXT PRIMARY KEY NOT NULL,
    category      TEXT NOT NULL,
    name_it       TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    offices       TEXT NOT NULL DEFAULT '',
    term_code     TEXT,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    version       INTEGER NOT NULL DEFAULT 1
);

-- Steps to follow and documents to bring, in order.
CREATE TABLE procedure_items (
    id              TEXT PRIMARY KEY NOT NULL,
    procedure_code  TEXT NOT NULL REFERENCES procedures(code),
    kind            TEXT NOT NULL CHECK (kind IN ('step','document')),
    position        INTEGER NOT NULL,
    text_it         TEXT NOT NULL,
    text_en         TEXT NOT NULL
);
CREATE INDEX procedure_items_proc_idx ON procedure_items(procedure_code);

CREATE TABLE cases (
    id              TEXT PRIMARY KEY NOT NULL,
    person_id       TEXT NOT NULL REFERENCES persons(id),
    procedure_code  TEXT NOT NULL REFERENCES procedures(code),
    owner_org_id    TEXT NOT NULL REFERENCES organisations(id),
    assigned_to     TEXT REFERENCES users(id),
    status          TEXT NOT NULL CHECK (status IN ('open','submitted','waiting','decided','closed')),
    filed_on        TEXT,
    decided_on      TEXT,
    created_by      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX cases_person_idx ON cases(person_id);
CREATE INDEX cases_owner_idx ON cases(owner_org_id, status);

CREATE TABLE case_tasks (
    id           TEXT PRIMARY KEY NOT NULL,
    case_id      TEXT NOT NULL REFERENCES cases(id),
    title        TEXT NOT NULL,
    due_on       TEXT,
    assigned_to  TEXT REFERENCES users(id),
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    done_at      TEXT,
    done_by      TEXT
);
CREATE INDEX case_tasks_case_idx ON case_tasks(case_id);

-- What happened, in order: shown as the case's timeline.
CREATE TABLE case_events (
    id         TEXT PRIMARY KEY NOT NULL,
    case_id    TEXT NOT NULL REFERENCES cases(id),
    at         TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    kind       TEXT NOT NULL,
    detail     TEXT
);
CREATE INDEX case_events_case_idx ON case_events(case_id, at);

CREATE TABLE referrals (
    id            TEXT PRIMARY KEY NOT NULL,
    case_id       TEXT NOT NULL REFERENCES cases(id),
    from_org_id   TEXT NOT NULL REFERENCES organisations(id),
    to_org_id     TEXT NOT NULL REFERENCES organisations(id),
    status        TEXT NOT NULL CHECK (status IN ('requested','accepted','rejected','completed')),
    note          TEXT,
    answer        TEXT,
    created_by    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    decided_by    TEXT,
    decided_at    TEXT
);
CREATE INDEX referrals_case_idx ON referrals(case_id);
CREATE INDEX referrals_to_idx ON referrals(to_org_id, status);

-- Legal terms (domain.md). Each version applies to cases filed within its dates.
INSERT INTO legal_rules (id, code, days, months, extension_months, basis, valid_from, valid_to) VALUES
 ('fr-90', 'family_reunification_decision', 90, NULL, NULL, 'TUI (d.lgs. 286/1998) art. 29 c. 8, testo previgente', '1998-01-01', '2024-10-10'),
 ('fr-150', 'family_reunification_decision', 150, NULL, NULL, 'TUI art. 29 c. 8 come modificato dal DL 145/2024, conv. L. 187/2024', '2024-10-11', NULL),
 ('cit-48', 'citizenship_decision', NULL, 48, NULL, 'L. 91/1992 art. 9-ter come introdotto dal DL 113/2018', '2018-10-05', '2020-12-19'),
 ('cit-24-36', 'citizenship_decision', NULL, 24, 12, 'L. 91/1992 art. 9-ter come modificato dal DL 130/2020 (24 mesi prorogabili a 36)', '2020-12-20', '2025-05-23'),
 ('cit-24', 'citizenship_decision', NULL, 24, NULL, 'L. 91/1992 art. 9-ter come modificato dal DL 36/2025, conv. L. 74/2025 (24 mesi, senza proroga)', '2025-05-24', NULL);

INSERT INTO procedures (code, category, name_it, name_en, offices, term_code) VALUES
 ('permit_first', 'residence', 'Permesso di soggiorno: primo rilascio', 'Residence permit: first issue', 'Questura; Poste (kit); patronato', NULL),
 ('permit_renewal', 'residence', 'Permesso di soggiorno: rinnovo', 'Residence permit: renewal', 'Questura; Poste (kit); patronato', NULL),
 ('permit_conversion', 'residence', 'Permesso di soggiorno: conversione', 'Residence permit: conversion', 'Sportello Unico per l''Immigrazione; Questura', NULL),
 ('family_reunification', 'family', 'Ricongiungimento familiare (nulla osta)', 'Family reunification (clearance)', 'Sportello Unico per l''Immigrazione, Prefettura', 'family_reunification_decision'),
 ('work_clearance', 'work', 'Nulla osta al lavoro (decreto flussi)', 'Work clearance (decreto flussi)', 'Sportello Unico per l''Immigrazione, Prefettura', NULL),
 ('citizenship_residence', 'citizenship', 'Cittadinanza per residenza (art. 9 L. 91/1992)', 'Citizenship by residence (art. 9 L. 91/1992)', 'Ufficio Cittadinanza, Prefettura', 'citizenship_decision'),
 ('citizenship_marriage', 'citizenship', 'Cittadinanza per matrimonio (art. 5 L. 91/1992)', 'Citizenship by marriage (art. 5 L. 91/1992)', 'Ufficio Cittadinanza, Prefettura', 'citizenship_decision'),
 ('eu_long_term', 'residence', 'Permesso UE per soggiornanti di lungo periodo', 'EU long-term residence permit', 'Questura; Prefettura (test A2)', NULL),
 ('digital_identity', 'digital', 'Identità digitale (SPID, CIE) e servizi online', 'Digital identity (SPID, CIE) and online services', 'Comune; Poste; info point', NULL);

INSERT INTO procedure_items (id, procedure_code, kind, position, text_it, text_en) VALUES
 ('fr-s1', 'family_reunification', 'step', 1, 'Verificare i requisiti: permesso in corso di validità, alloggio idoneo, reddito minimo', 'Check the requirements: a valid permit, suitable housing, minimum income'),
 ('fr-s2', 'family_reunification', 'step', 2, 'Presentare la domanda online allo Sportello Unico per l''Immigrazione', 'File the application online with the Sportello Unico per l''Immigrazione'),
 ('fr-s3', 'family_reunification', 'step', 3, 'Appuntamento allo Sportello Unico con i documenti originali', 'Appointment at the Sportello Unico with the original documents'),
 ('fr-s4', 'family_reunification', 'step', 4, 'Rilascio del nulla osta e visto al consolato', 'Clearance issued, then the visa at the consulate'),
 ('fr-d1', 'family_reunification', 'document', 1, 'Permesso di soggiorno e passaporto del richiedente', 'Applicant''s residence permit and passport'),
 ('fr-d2', 'family_reunification', 'document', 2, 'Certificato di idoneità alloggiativa', 'Housing suitability certificate'),
 ('fr-d3', 'family_reunification', 'document', 3, 'Documentazione del reddito (buste paga, CU, dichiarazione dei redditi)', 'Proof of income (payslips, tax statements)'),
 ('fr-d4', 'family_reunification', 'document', 4, 'Certificati di stato civile e di parentela, tradotti e legalizzati', 'Civil status and kinship certificates, translated and legalised'),
 ('cr-s1', 'citizenship_residence', 'step', 1, 'Verificare gli anni di residenza legale (10 anni per i cittadini non UE)', 'Check the years of legal residence (10 years for non-EU nationals)'),
 ('cr-s2', 'citizenship_residence', 'step', 2, 'Domanda online al Ministero dell''Interno con SPID', 'Online application to the Ministry of the Interior with SPID'),
 ('cr-d1', 'citizenship_residence', 'document', 1, 'Estratto dell''atto di nascita, tradotto e legalizzato', 'Birth certificate extract, translated and legalised'),
 ('cr-d2', 'citizenship_residence', 'document', 2, 'Certificato penale del paese di origine', 'Criminal record certificate from the country of origin'),
 ('cr-d3', 'citizenship_residence', 'document', 3, 'Certificazione di lingua italiana livello B1', 'Italian language certificate, level B1'),
 ('cr-d4', 'citizenship_residence', 'document', 4, 'Ricevuta del contributo di 250 euro', 'Receipt of the 250 euro fee'),
 ('pr-s1', 'permit_renewal', 'step', 1, 'Compilare il kit postale (anche con un patronato) almeno 60 giorni prima della scadenza', 'Fill in the postal kit (a patronato can help) at least 60 days before expiry'),
 ('pr-s2', 'permit_renewal', 'step', 2, 'Spedire il kit da un ufficio postale abilitato e conservare la ricevuta', 'Send the kit from an enabled post office and keep the receipt'),
 ('pr-s3', 'permit_renewal', 'step', 3, 'Presentarsi in Questura all''appuntamento per le impronte', 'Go to the Questura appointment for fingerprints'),
 ('pr-d1', 'permit_renewal', 'document', 1, 'Passaporto e permesso in scadenza, con fotocopie', 'Passport and expiring permit, with copies'),
 ('pr-d2', 'permit_renewal', 'document', 2, 'Quattro fototessere', 'Four passport photos'),
 ('pr-d3', 'permit_renewal', 'document', 3, 'Marca da bollo da 16 euro', 'A 16 euro revenue stamp');
