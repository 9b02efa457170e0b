-- Home visits booked by or for older people who cannot travel (衢市司发〔2020〕3号 三).
CREATE TABLE bookings (
    id                 INTEGER PRIMARY KEY,
    ref                TEXT NOT NULL UNIQUE,             -- SM-YYYYMMDD-NNNN (policy.slots.make_reference)
    channel            TEXT NOT NULL,
    user_id            TEXT NOT NULL,                    -- '' once personal data is purged
    county             TEXT NOT NULL CHECK (county IN ('柯城区', '衢江区', '龙游县', '江山市', '常山县', '开化县')),
    visit_date         TEXT NOT NULL CHECK (visit_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    window             TEXT NOT NULL,                    -- policy.slots.Window.key
    seat               INTEGER NOT NULL CHECK (seat >= 1),
    status             TEXT NOT NULL DEFAULT 'active'
                       CHECK (status IN ('active', 'cancelled', 'visited', 'no_show')),
    elder_name         TEXT NOT NULL,
    phone              TEXT NOT NULL,
    phone_owner        TEXT NOT NULL CHECK (phone_owner IN ('self', 'family')),
    township           TEXT NOT NULL,                    -- kept after purge: an area, like county
    address            TEXT NOT NULL,
    access_needs       TEXT NOT NULL DEFAULT '',
    matter             TEXT NOT NULL,
    -- No row without the person's consent to store these details.
    consent_at         TEXT NOT NULL CHECK (consent_at <> ''),
    lawyer_id          INTEGER REFERENCES lawyers (id),
    -- A double tap on 确认 sends the same key twice and gets the same booking back.
    request_key        TEXT NOT NULL UNIQUE,
    closed_by          TEXT,                             -- 'staff:<id>' who marked visited / no_show
    created_at         TEXT NOT NULL,                    -- ISO 8601, UTC
    updated_at         TEXT NOT NULL,
    personal_purged_at TEXT
);

-- Capacity as a constraint: seats are numbered 1..capacity and a seat is held by at
-- most one booking that is not cancelled, so even buggy code cannot oversell a window.
CREATE UNIQUE INDEX bookings_seat_taken ON bookings (county, visit_date, window, seat)
    WHERE status != 'cancelled';
CREATE INDEX bookings_user ON bookings (channel, user_id);
CREATE INDEX bookings_visit_date ON bookings (visit_date);

-- One reminder per booking and audience; re-arming (reschedule, new lawyer) resets the row.
CREATE TABLE reminders (
    id              INTEGER PRIMARY KEY,
    booking_id      INTEGER NOT NULL REFERENCES bookings (id),
    audience        TEXT NOT NULL CHECK (audience IN ('resident', 'lawyer')),
    due_at          TEXT NOT NULL,                       -- ISO 8601, UTC
    sent_at         TEXT,
    dropped_at      TEXT,
    dropped_reason  TEXT,
    UNIQUE (booking_id, audience)
);
CREATE INDEX reminders_due ON reminders (due_at) WHERE sent_at IS NULL AND dropped_at IS NULL;

-- References are numbered per day of creation: SM-20270105-0001, -0002, …
CREATE TABLE booking_ref_counters (
    day   TEXT PRIMARY KEY,                              -- YYYYMMDD, Asia/Shanghai
    last  INTEGER NOT NULL CHECK (last >= 1)
) WITHOUT ROWID;
