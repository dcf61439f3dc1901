-- Checklist templates as versioned data: one per contract schema. A centre is checked against
-- its own contract's template (the 2021 ministerial schema, or the reduced one after DL 20/2023
-- that requires only health care, social assistance and cultural mediation among the services),
-- never against a list written in the code. A new version is a new template row.

CREATE TABLE checklist_templates (
    id          TEXT PRIMARY KEY NOT NULL,
    schema      TEXT NOT NULL CHECK (schema IN ('2021','2023')),
    version     INTEGER NOT NULL,
    title_it    TEXT NOT NULL,
    title_en    TEXT NOT NULL,
    valid_from  TEXT NOT NULL,
    UNIQUE (schema, version)
);

CREATE TABLE checklist_items (
    id           TEXT PRIMARY KEY NOT NULL,
    template_id  TEXT NOT NULL REFERENCES checklist_templates(id),
    heading      TEXT NOT NULL,
    heading_it   TEXT NOT NULL,
    heading_en   TEXT NOT NULL,
    position     INTEGER NOT NULL,
    text_it      TEXT NOT NULL,
    text_en      TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('yes_no','number','text','photo')),
    weight       INTEGER NOT NULL CHECK (weight >= 0)
);
CREATE INDEX checklist_items_template_idx ON checklist_items(template_id, position);

INSERT INTO checklist_templates (id, schema, version, title_it, title_en, valid_from) VALUES
 ('tpl-2021-1', '2021', 1, 'Capitolato 2021 (DM 29/1/2021)', '2021 contract schema (DM 29/1/2021)', '2021-01-29'),
 ('tpl-2023-1', '2023', 1, 'Capitolato dopo il DL 20/2023', 'Contract schema after DL 20/2023', '2023-03-11');

INSERT INTO checklist_items (id, template_id, heading, heading_it, heading_en, position, text_it, text_en, kind, weight) VALUES
 ('tpl-2021-1-01', 'tpl-2021-1', 'administration', 'Amministrazione e registro degli ospiti', 'Administration and guest register', 1, 'Il registro delle presenze è aggiornato al giorno della visita', 'The guest register is up to date on the day of the visit', 'yes_no', 3),
 ('tpl-2021-1-02', 'tpl-2021-1', 'administration', 'Amministrazione e registro degli ospiti', 'Administration and guest register', 2, 'Ospiti presenti alla visita', 'Guests present at the visit', 'number', 1),
 ('tpl-2021-1-03', 'tpl-2021-1', 'mediation', 'Mediazione linguistico-culturale', 'Linguistic and cultural mediation', 3, 'Il servizio di mediazione è attivo nelle lingue degli ospiti', 'Mediation is available in the guests'' languages', 'yes_no', 3),
 ('tpl-2021-1-04', 'tpl-2021-1', 'mediation', 'Mediazione linguistico-culturale', 'Linguistic and cultural mediation', 4, 'Ore di mediazione nell''ultimo mese', 'Hours of mediation in the last month', 'number', 1),
 ('tpl-2021-1-05', 'tpl-2021-1', 'information', 'Informazione su asilo, Dublino e accertamento dell''età', 'Information on asylum, Dublin and age assessment', 5, 'Gli ospiti hanno ricevuto l''informativa scritta nella loro lingua', 'Guests received the written information in their language', 'yes_no', 2),
 ('tpl-2021-1-06', 'tpl-2021-1', 'social', 'Assistenza sociale', 'Social assistance', 6, 'Ogni ospite ha un operatore di riferimento', 'Each guest has a key worker', 'yes_no', 2),
 ('tpl-2021-1-07', 'tpl-2021-1', 'health', 'Assistenza sanitaria', 'Health care', 7, 'Screening sanitario all''ingresso eseguito per tutti', 'Health screening on entry done for everyone', 'yes_no', 3),
 ('tpl-2021-1-08', 'tpl-2021-1', 'health', 'Assistenza sanitaria', 'Health care', 8, 'Iscrizione al Servizio sanitario nazionale', 'Registration with the national health service', 'yes_no', 2),
 ('tpl-2021-1-09', 'tpl-2021-1', 'psychological', 'Supporto psicologico', 'Psychological support', 9, 'Uno psicologo è disponibile secondo il capitolato', 'A psychologist is available as the contract requires', 'yes_no', 2),
 ('tpl-2021-1-10', 'tpl-2021-1', 'italian', 'Corsi di lingua italiana', 'Italian language courses', 10, 'Ore settimanali di corso di italiano', 'Weekly hours of Italian course', 'number', 2),
 ('tpl-2021-1-11', 'tpl-2021-1', 'legal', 'Orientamento legale', 'Legal orientation', 11, 'Orientamento legale garantito', 'Legal orientation provided', 'yes_no', 2),
 ('tpl-2021-1-12', 'tpl-2021-1', 'cleaning', 'Pulizia e igiene', 'Cleaning and hygiene', 12, 'Ambienti comuni e servizi igienici puliti', 'Common areas and toilets are clean', 'yes_no', 2),
 ('tpl-2021-1-13', 'tpl-2021-1', 'cleaning', 'Pulizia e igiene', 'Cleaning and hygiene', 13, 'Foto dei servizi igienici', 'Photo of the toilets', 'photo', 0),
 ('tpl-2021-1-14', 'tpl-2021-1', 'meals', 'Vitto e diete', 'Meals and diets', 14, 'Menù rispettosi di diete religiose e sanitarie', 'Menus respect religious and medical diets', 'yes_no', 2),
 ('tpl-2021-1-15', 'tpl-2021-1', 'goods', 'Beni e pocket money', 'Goods and pocket money', 15, 'Kit di primo ingresso consegnato', 'Entry kit handed over', 'yes_no', 1),
 ('tpl-2021-1-16', 'tpl-2021-1', 'goods', 'Beni e pocket money', 'Goods and pocket money', 16, 'Pocket money erogato e registrato', 'Pocket money paid and recorded', 'yes_no', 2),
 ('tpl-2021-1-17', 'tpl-2021-1', 'staff', 'Personale in servizio rispetto alle ore previste', 'Staff on duty against required hours', 17, 'Ore di personale presenti rispetto alla tabella del capitolato (%)', 'Staff hours present against the contract''s staffing table (%)', 'number', 3),
 ('tpl-2021-1-18', 'tpl-2021-1', 'vulnerable', 'Ospiti vulnerabili individuati e inviati ai servizi', 'Vulnerable guests identified and referred', 18, 'Le vulnerabilità sono rilevate e gli invii documentati', 'Vulnerabilities are identified and referrals documented', 'yes_no', 3),
 ('tpl-2021-1-19', 'tpl-2021-1', 'events', 'Registro degli eventi critici', 'Critical-event log', 19, 'Il registro degli eventi critici è tenuto e comunicato', 'The critical-event log is kept and reported', 'yes_no', 2),
 ('tpl-2021-1-20', 'tpl-2021-1', 'complaints', 'Reclami', 'Complaints', 20, 'Esiste una procedura di reclamo nota agli ospiti', 'A complaints procedure known to guests exists', 'yes_no', 1),
 ('tpl-2021-1-21', 'tpl-2021-1', 'complaints', 'Reclami', 'Complaints', 21, 'Note sui reclami ricevuti', 'Notes on complaints received', 'text', 0),
 ('tpl-2021-1-22', 'tpl-2021-1', 'safety', 'Sicurezza dell''edificio e capienza', 'Building safety and capacity', 22, 'Presenze entro la capienza autorizzata', 'Guests within the authorised capacity', 'yes_no', 3),
 ('tpl-2021-1-23', 'tpl-2021-1', 'safety', 'Sicurezza dell''edificio e capienza', 'Building safety and capacity', 23, 'Presidi antincendio e uscite di sicurezza a norma', 'Fire equipment and emergency exits compliant', 'yes_no', 3),
 ('tpl-2023-1-01', 'tpl-2023-1', 'administration', 'Amministrazione e registro degli ospiti', 'Administration and guest register', 1, 'Il registro delle presenze è aggiornato al giorno della visita', 'The guest register is up to date on the day of the visit', 'yes_no', 3),
 ('tpl-2023-1-02', 'tpl-2023-1', 'administration', 'Amministrazione e registro degli ospiti', 'Administration and guest register', 2, 'Ospiti presenti alla visita', 'Guests present at the visit', 'number', 1),
 ('tpl-2023-1-03', 'tpl-2023-1', 'mediation', 'Mediazione linguistico-culturale', 'Linguistic and cultural mediation', 3, 'Il servizio di mediazione è attivo nelle lingue degli ospiti', 'Mediation is available in the guests'' languages', 'yes_no', 3),
 ('tpl-2023-1-04', 'tpl-2023-1', 'mediation', 'Mediazione linguistico-culturale', 'Linguistic and cultural mediation', 4, 'Ore di mediazione nell''ultimo mese', 'Hours of mediation in the last month', 'number', 1),
 ('tpl-2023-1-05', 'tpl-2023-1', 'information', 'Informazione su asilo, Dublino e accertamento dell''età', 'Information on asylum, Dublin and age assessment', 5, 'Gli ospiti hanno ricevuto l''informativa scritta nella loro lingua', 'Guests received the written information in their language', 'yes_no', 2),
 ('tpl-2023-1-06', 'tpl-2023-1', 'social', 'Assistenza sociale', 'Social assistance', 6, 'Ogni ospite ha un operatore di riferimento', 'Each guest has a key worker', 'yes_no', 2),
 ('tpl-2023-1-07', 'tpl-2023-1', 'health', 'Assistenza sanitaria', 'Health care', 7, 'Screening sanitario all''ingresso eseguito per tutti', 'Health screening on entry done for everyone', 'yes_no', 3),
 ('tpl-2023-1-08', 'tpl-2023-1', 'health', 'Assistenza sanitaria', 'Health care', 8, 'Iscrizione al Servizio sanitario nazionale', 'Registration with the national health service', 'yes_no', 2),
 ('tpl-2023-1-09', 'tpl-2023-1', 'cleaning', 'Pulizia e igiene', 'Cleaning and hygiene', 9, 'Ambienti comuni e servizi igienici puliti', 'Common areas and toilets are clean', 'yes_no', 2),
 ('tpl-2023-1-10', 'tpl-2023-1', 'cleaning', 'Pulizia e igiene', 'Cleaning and hygiene', 10, 'Foto dei servizi igienici', 'Photo of the toilets', 'photo', 0),
 ('tpl-2023-1-11', 'tpl-2023-1', 'meals', 'Vitto e diete', 'Meals and diets', 11, 'Menù rispettosi di diete religiose e sanitarie', 'Menus respect religious and medical diets', 'yes_no', 2),
 ('tpl-2023-1-12', 'tpl-2023-1', 'goods', 'Beni e pocket money', 'Goods and pocket money', 12, 'Kit di primo ingresso consegnato', 'Entry kit handed over', 'yes_no', 1),
 ('tpl-2023-1-13', 'tpl-2023-1', 'goods', 'Beni e pocket money', 'Goods and pocket money', 13, 'Pocket money erogato e registrato', 'Pocket money paid and recorded', 'yes_no', 2),
 ('tpl-2023-1-14', 'tpl-2023-1', 'staff', 'Personale in servizio rispetto alle ore previste', 'Staff on duty against required hours', 14, 'Ore di personale presenti rispetto alla tabella del capitolato (%)', 'Staff hours present against the contract''s staffing table (%)', 'number', 3),
 ('tpl-2023-1-15', 'tpl-2023-1', 'vulnerable', 'Ospiti vulnerabili individuati e inviati ai servizi', 'Vulnerable guests identified and referred', 15, 'Le vulnerabilità sono rilevate e gli invii documentati', 'Vulnerabilities are identified and referrals documented', 'yes_no', 3),
 ('tpl-2023-1-16', 'tpl-2023-1', 'events', 'Registro degli eventi critici', 'Critical-event log', 16, 'Il registro degli eventi critici è tenuto e comunicato', 'The critical-event log is kept and reported', 'yes_no', 2),
 ('tpl-2023-1-17', 'tpl-2023-1', 'complaints', 'Reclami', 'Complaints', 17, 'Esiste una procedura di reclamo nota agli ospiti', 'A complaints procedure known to guests exists', 'yes_no', 1),
 ('tpl-2023-1-18', 'tpl-2023-1', 'complaints', 'Reclami', 'Complaints', 18, 'Note sui reclami ricevuti', 'Notes on complaints received', 'text', 0),
 ('tpl-2023-1-19', 'tpl-2023-1', 'safety', 'Sicurezza dell''edificio e capienza', 'Building safety and capacity', 19, 'Presenze entro la capienza autorizzata', 'Guests within the authorised capacity', 'yes_no', 3),
 ('tpl-2023-1-20', 'tpl-2023-1', 'safety', 'Sicurezza dell''edificio e capienza', 'Building safety and capacity', 20, 'Presidi antincendio e uscite di sicurezza a norma', 'Fire equipment and emergency exits compliant', 'yes_no', 3);
