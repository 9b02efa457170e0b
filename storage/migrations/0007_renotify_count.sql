-- How often an unclaimed question has been sent again: after a few times only staff are told.
ALTER TABLE consultations ADD COLUMN renotify_count INTEGER NOT NULL DEFAULT 0;
