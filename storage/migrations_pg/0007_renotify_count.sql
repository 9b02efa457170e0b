-- PostgreSQL: the same statements as storage/migrations/0007_renotify_count.sql (portable as written).
-- How often an unclaimed question has been sent again: after a few times only staff are told.
ALTER TABLE consultations ADD COLUMN renotify_count INTEGER NOT NULL DEFAULT 0;
