-- Delivery before acknowledgement (issue 13, 7 and 8).
-- inbox: every incoming event a channel de-duplicates (a Telegram update_id, a WeChat MsgId), recorded
-- in the transaction of its turn, so a re-delivery after a restart is recognised and not handled twice.
-- A WeChat message answered "success" before its turn ran is accepted here first (event holds it
-- until the turn is saved; a restart runs it). Keys are hashed: no account id is kept here.
CREATE TABLE inbox (
    channel      TEXT NOT NULL,
    event_key    TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    handled_at   TEXT,             -- the turn is saved (its replies are in the outbox); NULL: waiting
    event        TEXT,             -- the event as the channel received it, while it waits; then NULL
    PRIMARY KEY (channel, event_key)
);
CREATE INDEX inbox_received ON inbox (received_at);
-- The replies of a turn go to the outbox in the turn's transaction; reply_to names the event (the
-- inbox key) so a channel can answer a re-sent request from what was saved. Deleted once delivered.
ALTER TABLE outbox ADD COLUMN reply_to TEXT;
CREATE INDEX outbox_reply_to ON outbox (reply_to) WHERE reply_to IS NOT NULL;
-- A signed request (its signature, timestamp and nonce) seen with one body may come again only with
-- the same body, across restarts too: plain-mode signatures do not cover the body.
CREATE TABLE signed_requests (
    request_key  TEXT PRIMARY KEY,
    body_sha256  TEXT NOT NULL,
    seen_at      TEXT NOT NULL
);
CREATE INDEX signed_requests_seen ON signed_requests (seen_at);
