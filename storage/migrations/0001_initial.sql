-- Conversation state: one row per person per channel, so a restart resumes the same step.
CREATE TABLE conversations (
    channel     TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    state       TEXT NOT NULL,            -- JSON of handlers.state.Conversation
    updated_at  TEXT NOT NULL,            -- ISO 8601, UTC
    PRIMARY KEY (channel, user_id)
) WITHOUT ROWID;

-- Questions the matcher could not answer with confidence; no personal data beyond the text.
CREATE TABLE faq_misses (
    id          INTEGER PRIMARY KEY,
    asked_at    TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('clarify', 'fallback')),
    question    TEXT NOT NULL,
    best_ids    TEXT NOT NULL,            -- JSON list
    scores      TEXT NOT NULL             -- JSON list
);
CREATE INDEX faq_misses_asked_at ON faq_misses (asked_at);
