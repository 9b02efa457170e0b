-- Points scheme side tables (衢市司发〔2020〕4号 二): praise waiting for staff, and
-- lawyers' requests to correct a quarterly statement. The ledger itself is in 0002.

-- bind() finds a lawyer by the hash of a typed code, so a live code must be unique.
CREATE UNIQUE INDEX lawyers_register_code ON lawyers (register_code_hash)
    WHERE register_code_hash IS NOT NULL;

-- Praise from an assisted person (二(一)10) becomes +10 only after staff confirm it.
-- source_id names the event praised (e.g. 'visit:12'); one praise per event.
CREATE TABLE pending_praise (
    id           INTEGER PRIMARY KEY,
    lawyer_id    INTEGER NOT NULL REFERENCES lawyers (id),
    source_id    TEXT NOT NULL UNIQUE CHECK (source_id <> ''),
    occurred_on  TEXT NOT NULL,                   -- YYYY-MM-DD in Asia/Shanghai
    created_at   TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'confirmed', 'rejected')),
    decided_by   TEXT,
    decided_at   TEXT,
    reason       TEXT NOT NULL DEFAULT '',
    ledger_id    INTEGER REFERENCES ledger (id),  -- the +10 entry once confirmed
    CHECK ((status = 'pending') = (decided_by IS NULL AND decided_at IS NULL)),
    CHECK ((status = 'confirmed') = (ledger_id IS NOT NULL)),
    CHECK (status <> 'rejected' OR reason <> '')
);
CREATE INDEX pending_praise_status ON pending_praise (status, created_at);

-- A decision is part of the audit trail: taken once, never changed or removed.
CREATE TRIGGER pending_praise_decided_once BEFORE UPDATE ON pending_praise
WHEN OLD.status <> 'pending'
BEGIN
    SELECT RAISE(ABORT, 'this praise has already been decided');
END;

CREATE TRIGGER pending_praise_no_delete BEFORE DELETE ON pending_praise
BEGIN
    SELECT RAISE(ABORT, 'pending praise is never deleted; reject it with a reason');
END;

-- 二(四): an omission from a quarterly statement is reported within 5 days and checked by
-- the centre. Accepting one does not add points by itself: staff add the missing entry.
CREATE TABLE corrections (
    id                     INTEGER PRIMARY KEY,
    lawyer_id              INTEGER NOT NULL REFERENCES lawyers (id),
    year                   INTEGER NOT NULL,
    quarter                INTEGER NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    text                   TEXT NOT NULL CHECK (text <> ''),
    statement_delivered_on TEXT NOT NULL,         -- YYYY-MM-DD: taken as the day of discovery
    deadline               TEXT NOT NULL,         -- YYYY-MM-DD: last day it could be filed
    filed_at               TEXT NOT NULL,
    status                 TEXT NOT NULL DEFAULT 'pending'
                           CHECK (status IN ('pending', 'accepted', 'rejected')),
    reason                 TEXT NOT NULL DEFAULT '',
    decided_by             TEXT,
    decided_at             TEXT,
    CHECK ((status = 'pending') = (decided_by IS NULL AND decided_at IS NULL)),
    CHECK (status = 'pending' OR reason <> '')
);
CREATE INDEX corrections_status ON corrections (status, filed_at);

CREATE TRIGGER corrections_decided_once BEFORE UPDATE ON corrections
WHEN OLD.status <> 'pending'
BEGIN
    SELECT RAISE(ABORT, 'this correction has already been decided');
END;

CREATE TRIGGER corrections_no_delete BEFORE DELETE ON corrections
BEGIN
    SELECT RAISE(ABORT, 'corrections are never deleted; decide them with a reason');
END;
