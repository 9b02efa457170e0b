-- PostgreSQL: the same statements as storage/migrations/0009_county_status.sql (portable as written).
-- Whether each county (市、区) applies the measures 3号 二 leaves to 有条件的县(市、区) (the unrestricted
-- scope and the waived means test for 70+ …): a fact staff maintain, with the date and the source
-- they read it in. A county without a row is "unconfirmed".
CREATE TABLE county_status (
    county      TEXT PRIMARY KEY,
    status      TEXT NOT NULL CHECK (status IN ('applies', 'not_applied', 'unconfirmed')),
    since       TEXT,                         -- YYYY-MM-DD the status took effect, when known
    source      TEXT NOT NULL DEFAULT '',     -- e.g. '柯城区司法局 2020年3月通知'
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
