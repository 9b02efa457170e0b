-- PostgreSQL: the same statements as storage/migrations/0010_correction_discovered_on.sql (portable as written).
-- 二(四) 应在发现之日起5日内提出: the period runs from the day the lawyer discovered the
-- omission, which they now state; the statement's delivery day no longer stands in for it.
ALTER TABLE corrections RENAME COLUMN statement_delivered_on TO discovered_on;
