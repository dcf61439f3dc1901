-- Trainings for patronati, managing bodies and operators: courses, their sessions (in a
-- classroom, online, or on the job at a managing body's centre), enrolment, attendance per
-- session, a short satisfaction survey, and certificates of attendance with a code anyone
-- can verify on a public page. A participant may have no account (`user_id` empty).

CREATE TABLE courses (
    id                  TEXT PRIMARY KEY NOT NULL,
    title               TEXT NOT NULL,
    audience            TEXT NOT NULL CHECK (audience IN ('patronati','managing_bodies','operators')),
    description         TEXT NOT NULL DEFAULT '',
    procedure_code      TEXT REFERENCES procedures(code),
    min_attendance_pct  INTEGER NOT NULL DEFAULT 75 CHECK (min_attendance_pct BETWEEN 1 AND 100),
    version             INTEGER NOT NULL DEFAULT 1,
    created_by          TEXT NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE course_sessions (
    id           TEXT PRIMARY KEY NOT NULL,
    course_id    TEXT NOT NULL REFERENCES courses(id),
    starts_at    TIMESTAMPTZ NOT NULL,
    minutes      INTEGER NOT NULL CHECK (minutes BETWEEN 15 AND 600),
    kind         TEXT NOT NULL CHECK (kind IN ('classroom','online','on_the_job')),
    place        TEXT NOT NULL DEFAULT '',
    host_org_id  TEXT REFERENCES organisations(id),
    created_by   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX course_sessions_course_idx ON course_sessions(course_id, starts_at);

CREATE TABLE enrolments (
    id           TEXT PRIMARY KEY NOT NULL,
    course_id    TEXT NOT NULL REFERENCES courses(id),
    user_id      TEXT REFERENCES users(id),
    full_name    TEXT NOT NULL,
    org_id       TEXT NOT NULL REFERENCES organisations(id),
    enrolled_by  TEXT NOT NULL,
    enrolled_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (course_id, user_id)
);
CREATE INDEX enrolments_user_idx ON enrolments(user_id);

CREATE TABLE session_attendance (
    session_id     TEXT NOT NULL REFERENCES course_sessions(id),
    enrolment_id   TEXT NOT NULL REFERENCES enrolments(id),
    present        BOOLEAN NOT NULL,
    recorded_by    TEXT NOT NULL,
    recorded_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (session_id, enrolment_id)
);

CREATE TABLE course_surveys (
    enrolment_id  TEXT PRIMARY KEY NOT NULL REFERENCES enrolments(id),
    useful        BOOLEAN NOT NULL,
    rating        INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment       TEXT NOT NULL DEFAULT '',
    answered_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE certificates (
    id                TEXT PRIMARY KEY NOT NULL,
    enrolment_id      TEXT NOT NULL UNIQUE REFERENCES enrolments(id),
    code              TEXT NOT NULL UNIQUE,
    minutes_attended  INTEGER NOT NULL,
    issued_at         TIMESTAMPTZ NOT NULL
);
