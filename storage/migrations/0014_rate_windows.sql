-- The per-person message limit's memory (handlers/ratelimit.py), in the database so that every
-- process handling a person counts the same messages (issue 16). Deleted with the person ("forget me").
CREATE TABLE rate_windows (
    channel     TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    times       TEXT NOT NULL,            -- JSON list of the last minute's message times, UTC ISO 8601
    warned_at   TEXT,                     -- last "please slow down" in the window
    PRIMARY KEY (channel, user_id)
);

-- Waiting events run in the order they arrived; received_at is to the second, and PostgreSQL has
-- no rowid to break ties: accept() numbers each channel's events (storage/inbox.py).
ALTER TABLE inbox ADD COLUMN seq INTEGER;
