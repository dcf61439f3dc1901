-- Appointments at an info point, booked without an account. Slots are made from the info
-- point's opening hours; a partial unique index lets a slot hold one live booking only, so
-- two people pressing "book" at the same moment cannot both get it. The booking code is the
-- only key to cancel or move: the database keeps its SHA-256, never the code. The phone
-- number, optional, is sealed. `public_attempts` counts bookings and code look-ups by
-- address, to slow down abuse.

CREATE TABLE booking_slots (
    id             TEXT PRIMARY KEY NOT NULL,
    info_point_id  TEXT NOT NULL REFERENCES info_points(id),
    starts_at      TEXT NOT NULL,
    minutes        INTEGER NOT NULL CHECK (minutes > 0),
    UNIQUE (info_point_id, starts_at)
);

CREATE TABLE bookings (
    id            TEXT PRIMARY KEY NOT NULL,
    slot_id       TEXT NOT NULL REFERENCES booking_slots(id),
    code_hash     TEXT NOT NULL UNIQUE,
    service       TEXT NOT NULL,
    language      TEXT NOT NULL,
    phone_sealed  TEXT,
    status        TEXT NOT NULL CHECK (status IN ('booked','cancelled')),
    created_at    TEXT NOT NULL,
    cancelled_at  TEXT
);
CREATE UNIQUE INDEX bookings_one_per_slot ON bookings(slot_id) WHERE status = 'booked';

CREATE TABLE public_attempts (
    id    TEXT PRIMARY KEY NOT NULL,
    ip    TEXT NOT NULL,
    kind  TEXT NOT NULL,
    at    TEXT NOT NULL
);
CREATE INDEX public_attempts_ip_idx ON public_attempts(ip, kind, at);
