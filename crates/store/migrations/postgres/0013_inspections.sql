-- Inspections of reception centres against their contract's checklist, what they find,
-- and the corrective actions that follow; what centres report going wrong (critical events,
-- complaints); legal-support consultations held for guests.
--
-- A closed inspection is frozen twice over: triggers refuse any change to it, its answers,
-- findings and evidence, and its content is kept as canonical JSON with its SHA-256, which
-- is recomputed from the rows whenever the report is opened, so a change made around the
-- triggers is detected.

-- A number item scores against its target (staff hours 100%, Italian course 10 hours a
-- week); a number without one is only recorded. Set before any inspection exists.
ALTER TABLE checklist_items ADD COLUMN target DOUBLE PRECISION;
UPDATE checklist_items SET target = 100 WHERE id IN ('tpl-2021-1-17', 'tpl-2023-1-14');
UPDATE checklist_items SET target = 10 WHERE id = 'tpl-2021-1-10';

CREATE TABLE inspections (
    id            TEXT PRIMARY KEY NOT NULL,
    centre_id     TEXT NOT NULL REFERENCES centres(id),
    template_id   TEXT NOT NULL REFERENCES checklist_templates(id),
    kind          TEXT NOT NULL CHECK (kind IN ('scheduled','unannounced')),
    status        TEXT NOT NULL CHECK (status IN ('planned','in_progress','closed','cancelled')),
    planned_on    DATE NOT NULL,
    visited_on    DATE,
    summary       TEXT NOT NULL DEFAULT '',
    score         DOUBLE PRECISION,
    content       TEXT,
    content_hash  TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    closed_by     TEXT,
    closed_at     TIMESTAMPTZ
);
CREATE INDEX inspections_centre_idx ON inspections(centre_id, status);

CREATE TABLE inspection_team (
    inspection_id  TEXT NOT NULL REFERENCES inspections(id),
    user_id        TEXT NOT NULL REFERENCES users(id),
    PRIMARY KEY (inspection_id, user_id)
);

-- One answer per item; `rev` counts its changes, so two inspectors answering the same item
-- at once get a conflict instead of overwriting each other.
CREATE TABLE inspection_answers (
    inspection_id  TEXT NOT NULL REFERENCES inspections(id),
    item_id        TEXT NOT NULL REFERENCES checklist_items(id),
    value          TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    rev            INTEGER NOT NULL DEFAULT 1,
    answered_by    TEXT NOT NULL,
    answered_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (inspection_id, item_id)
);

CREATE TABLE findings (
    id               TEXT PRIMARY KEY NOT NULL,
    inspection_id    TEXT NOT NULL REFERENCES inspections(id),
    item_id          TEXT REFERENCES checklist_items(id),
    severity         TEXT NOT NULL CHECK (severity IN ('minor','major','critical')),
    description      TEXT NOT NULL,
    action_required  TEXT NOT NULL,
    due_days         INTEGER NOT NULL CHECK (due_days BETWEEN 1 AND 365),
    created_by       TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX findings_inspection_idx ON findings(inspection_id);

-- Made when the inspection closes, one per finding: the centre answers, the inspector
-- verifies or reopens (with a new deadline); penalties are recorded against it.
CREATE TABLE corrective_actions (
    id          TEXT PRIMARY KEY NOT NULL,
    finding_id  TEXT NOT NULL UNIQUE REFERENCES findings(id),
    centre_id   TEXT NOT NULL REFERENCES centres(id),
    due_on      DATE NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open','answered','verified')),
    version     INTEGER NOT NULL DEFAULT 1,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX corrective_actions_centre_idx ON corrective_actions(centre_id, status);

CREATE TABLE action_events (
    id            TEXT PRIMARY KEY NOT NULL,
    action_id     TEXT NOT NULL REFERENCES corrective_actions(id),
    kind          TEXT NOT NULL CHECK (kind IN ('answer','verify','reopen','penalty')),
    body          TEXT NOT NULL,
    due_on        DATE,
    amount_cents  INTEGER CHECK (amount_cents IS NULL OR amount_cents > 0),
    actor         TEXT NOT NULL,
    at            TIMESTAMPTZ NOT NULL
);
CREATE INDEX action_events_action_idx ON action_events(action_id);

-- Evidence: photos and documents taken during the visit (on an item or the whole visit),
-- or sent with an answer to a corrective action. Sealed at rest like case documents.
CREATE TABLE monitoring_files (
    id               TEXT PRIMARY KEY NOT NULL,
    inspection_id    TEXT NOT NULL REFERENCES inspections(id),
    item_id          TEXT REFERENCES checklist_items(id),
    action_event_id  TEXT REFERENCES action_events(id),
    filename         TEXT NOT NULL,
    media_type       TEXT NOT NULL,
    size_bytes       BIGINT NOT NULL,
    sha256           TEXT NOT NULL,
    sealed           TEXT NOT NULL,
    uploaded_by      TEXT NOT NULL,
    uploaded_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX monitoring_files_inspection_idx ON monitoring_files(inspection_id);

-- What a centre reports going wrong, and complaints from guests. The description is
-- sealed: it may tell of someone's health or of violence.
CREATE TABLE centre_events (
    id           TEXT PRIMARY KEY NOT NULL,
    centre_id    TEXT NOT NULL REFERENCES centres(id),
    kind         TEXT NOT NULL CHECK (kind IN ('critical_event','complaint')),
    category     TEXT NOT NULL,
    occurred_on  DATE NOT NULL,
    sealed       TEXT NOT NULL,
    reported_by  TEXT NOT NULL,
    reported_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX centre_events_centre_idx ON centre_events(centre_id, occurred_on);

-- Legal support given to a guest (WP3): topic and language are counted; the notes are
-- sealed, and the centre's manager never sees them.
CREATE TABLE legal_consultations (
    id           TEXT PRIMARY KEY NOT NULL,
    centre_id    TEXT NOT NULL REFERENCES centres(id),
    person_id    TEXT REFERENCES persons(id),
    held_on      DATE NOT NULL,
    topic        TEXT NOT NULL,
    language     TEXT NOT NULL DEFAULT '',
    sealed       TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX legal_consultations_centre_idx ON legal_consultations(centre_id, held_on);

CREATE FUNCTION inspection_closed_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    insp TEXT;
BEGIN
    IF TG_TABLE_NAME = 'inspections' THEN
        IF OLD.status = 'closed' THEN
            RAISE EXCEPTION 'inspection is closed';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_TABLE_NAME = 'monitoring_files' THEN
        IF TG_OP = 'UPDATE' THEN
            RAISE EXCEPTION 'evidence is never changed';
        END IF;
        IF TG_OP = 'INSERT' AND NEW.action_event_id IS NOT NULL THEN
            RETURN NEW;
        END IF;
        IF TG_OP = 'DELETE' AND OLD.action_event_id IS NOT NULL THEN
            RAISE EXCEPTION 'inspection is closed';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        insp := OLD.inspection_id;
    ELSE
        insp := NEW.inspection_id;
    END IF;
    IF (SELECT status FROM inspections WHERE id = insp) = 'closed' THEN
        RAISE EXCEPTION 'inspection is closed';
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.inspection_id <> NEW.inspection_id
       AND (SELECT status FROM inspections WHERE id = OLD.inspection_id) = 'closed' THEN
        RAISE EXCEPTION 'inspection is closed';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER inspections_closed BEFORE UPDATE OR DELETE ON inspections
    FOR EACH ROW EXECUTE FUNCTION inspection_closed_guard();
CREATE TRIGGER inspection_answers_closed BEFORE INSERT OR UPDATE OR DELETE ON inspection_answers
    FOR EACH ROW EXECUTE FUNCTION inspection_closed_guard();
CREATE TRIGGER findings_closed BEFORE INSERT OR UPDATE OR DELETE ON findings
    FOR EACH ROW EXECUTE FUNCTION inspection_closed_guard();
CREATE TRIGGER inspection_team_closed BEFORE INSERT OR UPDATE OR DELETE ON inspection_team
    FOR EACH ROW EXECUTE FUNCTION inspection_closed_guard();
CREATE TRIGGER monitoring_files_closed BEFORE INSERT OR UPDATE OR DELETE ON monitoring_files
    FOR EACH ROW EXECUTE FUNCTION inspection_closed_guard();
