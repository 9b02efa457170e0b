-- Messages for people other than the sender (a lawyer's answer, a reminder, a staff alert).
-- Written in the same transaction as the state change that caused them, delivered by the
-- process that runs their channel, marked sent afterwards: nothing is lost across a crash.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    channel     TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    reply       TEXT NOT NULL,                  -- JSON: text, options, main_menu
    dedupe_key  TEXT UNIQUE,                    -- e.g. 'reminder:7': enqueued at most once
    created_at  TEXT NOT NULL,
    sent_at     TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
);
CREATE INDEX outbox_unsent ON outbox (channel, id) WHERE sent_at IS NULL;
