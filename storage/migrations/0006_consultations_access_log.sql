-- 留言问律师: a resident's question, claimed by exactly one lawyer, answered, one follow-up.
CREATE TABLE consultations (
    id                    INTEGER PRIMARY KEY,
    channel               TEXT NOT NULL,
    user_id               TEXT NOT NULL,
    question              TEXT NOT NULL,
    status                TEXT NOT NULL DEFAULT 'open'
                          CHECK (status IN ('open', 'claimed', 'answered')),
    created_at            TEXT NOT NULL,
    lawyer_id             INTEGER REFERENCES lawyers (id),
    claimed_at            TEXT,
    answer                TEXT,
    answered_at           TEXT,
    follow_up             TEXT,
    follow_up_at          TEXT,
    follow_up_answer      TEXT,
    follow_up_answered_at TEXT,
    feedback              TEXT CHECK (feedback IN ('satisfied', 'praise')),
    renotified_at         TEXT,
    forgotten_at          TEXT,
    CHECK ((status = 'open') = (lawyer_id IS NULL))
);
CREATE INDEX consultations_open ON consultations (status, created_at);
CREATE INDEX consultations_user ON consultations (channel, user_id);

-- Who read whose personal data, when (staff reads are recorded; PIPL accountability).
CREATE TABLE access_log (
    id       INTEGER PRIMARY KEY,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,     -- e.g. 'telegram:12345'
    action   TEXT NOT NULL,     -- e.g. 'booking.details'
    subject  TEXT NOT NULL      -- e.g. a booking reference
);
CREATE INDEX access_log_at ON access_log (at);
