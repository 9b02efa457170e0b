-- PostgreSQL: the same statements as storage/migrations/0008_outbox_about.sql (portable as written).
-- Whom a queued message is about (a resident's question sent to a lawyer, a visit's reminder), so
-- that "forget me" withdraws and blanks those copies by a typed query rather than by key patterns.
ALTER TABLE outbox ADD COLUMN about_channel TEXT;
ALTER TABLE outbox ADD COLUMN about_user_id TEXT;
CREATE INDEX outbox_about ON outbox (about_channel, about_user_id) WHERE about_channel IS NOT NULL;
