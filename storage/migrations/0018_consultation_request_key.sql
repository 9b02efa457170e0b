-- A question is kept once per incoming event: a re-delivery after a crash (the question saved, the
-- turn not) finds it instead of asking the lawyers a second time. Hashed as the inbox's keys are.
ALTER TABLE consultations ADD COLUMN request_key TEXT;
CREATE UNIQUE INDEX consultations_request_key ON consultations (request_key) WHERE request_key IS NOT NULL;
