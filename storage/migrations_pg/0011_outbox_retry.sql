-- PostgreSQL: the same statements as storage/migrations/0011_outbox_retry.sql (portable as written).
-- An outbox that never gives up silently: each message is retried with a growing pause for as long
-- as it is useful (until expires_at: a reminder until its visit, an answer for days), then given up
-- and shown to staff, instead of being dropped after a fixed number of attempts.
ALTER TABLE outbox ADD COLUMN next_attempt_at TEXT;   -- NULL: due now
ALTER TABLE outbox ADD COLUMN expires_at TEXT;        -- NULL (rows from before): created_at + 7 days
ALTER TABLE outbox ADD COLUMN given_up_at TEXT;
