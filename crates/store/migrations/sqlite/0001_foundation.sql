-- Foundation: organisations, users, roles, sessions, API tokens, login attempts, audit log.
-- Ids are UUIDv7 text; timestamps fixed-width UTC text (see store::time); enums are text
-- with CHECK constraints.

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('prefecture','partner','patronato','managing_body','civil_society','municipality','court')),
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    is_demo     BOOLEAN NOT NULL DEFAULT FALSE,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE users (
    id                   TEXT PRIMARY KEY NOT NULL,
    org_id               TEXT NOT NULL REFERENCES organisations(id),
    username             TEXT NOT NULL UNIQUE,
    full_name            TEXT NOT NULL,
    email                TEXT,
    password_hash        TEXT NOT NULL,
    lang                 TEXT NOT NULL DEFAULT 'it' CHECK (lang IN ('it','en','ar')),
    active               BOOLEAN NOT NULL DEFAULT TRUE,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    totp_secret          TEXT,
    totp_enabled         BOOLEAN NOT NULL DEFAULT FALSE,
    totp_last_step       BIGINT,
    failed_logins        INTEGER NOT NULL DEFAULT 0,
    locked_until         TEXT,
    last_login_at        TEXT,
    version              INTEGER NOT NULL DEFAULT 1,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX users_org_idx ON users(org_id);

CREATE TABLE user_roles (
    user_id  TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role     TEXT NOT NULL CHECK (role IN ('admin','prefecture_officer','case_worker','info_point_operator','mediator','minors_officer','inspector','centre_manager','trainer','analyst')),
    scope    TEXT NOT NULL CHECK (scope IN ('own','organisation','all')),
    PRIMARY KEY (user_id, role)
);

CREATE TABLE sessions (
    id            TEXT PRIMARY KEY NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token    TEXT NOT NULL,
    stage         TEXT NOT NULL CHECK (stage IN ('totp','active')),
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    ip            TEXT,
    user_agent    TEXT
);
CREATE INDEX sessions_user_idx ON sessions(user_id);
CREATE INDEX sessions_expires_idx ON sessions(expires_at);

CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    prefix        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    expires_at    TEXT,
    revoked_at    TEXT
);
CREATE INDEX api_tokens_user_idx ON api_tokens(user_id);

CREATE TABLE login_attempts (
    id        TEXT PRIMARY KEY NOT NULL,
    ip        TEXT NOT NULL,
    username  TEXT NOT NULL,
    at        TEXT NOT NULL,
    success   BOOLEAN NOT NULL
);
CREATE INDEX login_attempts_ip_idx ON login_attempts(ip, at);

-- Append-only, hash-chained. seq is assigned by the application under the chain lock, so
-- it has no gaps and a removed row shows as a break.
CREATE TABLE audit_log (
    seq           BIGINT PRIMARY KEY NOT NULL,
    at            TEXT NOT NULL,
    actor_kind    TEXT NOT NULL CHECK (actor_kind IN ('user','system','anonymous')),
    actor_id      TEXT NOT NULL,
    actor_org_id  TEXT,
    action        TEXT NOT NULL,
    object_type   TEXT NOT NULL,
    object_id     TEXT,
    purpose       TEXT,
    request_id    TEXT,
    details       TEXT,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX audit_log_at_idx ON audit_log(at);
CREATE INDEX audit_log_actor_idx ON audit_log(actor_id);
CREATE INDEX audit_log_object_idx ON audit_log(object_type, object_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
