-- Lawyers registered by staff; a one-time code binds their chat account.
CREATE TABLE lawyers (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL,
    firm               TEXT NOT NULL,
    channel            TEXT,                      -- 'telegram' | 'wechat' once bound
    user_id            TEXT,                      -- the chat account once bound
    on_duty            INTEGER NOT NULL DEFAULT 0 CHECK (on_duty IN (0, 1)),
    register_code_hash TEXT,                      -- sha256 of the one-time code; NULL once used
    code_expires_at    TEXT,
    active             INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at         TEXT NOT NULL,
    UNIQUE (channel, user_id)
);

-- The points ledger (衢市司发〔2020〕4号 二): append-only. A mistake is reversed by a
-- counter-entry that names the entry it reverses; nothing is ever edited or deleted.
CREATE TABLE ledger (
    id           INTEGER PRIMARY KEY,
    lawyer_id    INTEGER NOT NULL REFERENCES lawyers (id),
    item_key     TEXT NOT NULL,                   -- policy.points ITEMS_BY_KEY key
    clause       TEXT NOT NULL,                   -- e.g. 二(一)9
    points       INTEGER NOT NULL,                -- signed: deductions are negative
    occurred_on  TEXT NOT NULL,                   -- YYYY-MM-DD in Asia/Shanghai: decides year and quarter
    source_kind  TEXT,                            -- 'consultation' | 'visit' | 'praise' | NULL for manual
    source_id    TEXT,
    reverses_id  INTEGER UNIQUE REFERENCES ledger (id),
    note         TEXT NOT NULL DEFAULT '',
    entered_by   TEXT NOT NULL,                   -- 'system' or 'staff:<id>'
    entered_at   TEXT NOT NULL,
    -- Exactly one automatic entry per source event (e.g. +5 once per consultation).
    UNIQUE (source_kind, source_id, item_key)
);
CREATE INDEX ledger_lawyer_day ON ledger (lawyer_id, occurred_on);

CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are never edited; add a counter-entry');
END;

CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'ledger entries are never deleted; add a counter-entry');
END;
