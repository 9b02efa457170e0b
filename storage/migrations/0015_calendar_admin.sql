-- 日历与名额 (issue 14): places per county and half-day, closed days, and the State Council's
-- holiday notice as staff enter it. policy/calendar_overrides.yaml stays the starting values;
-- a day or year here wins over the file. Every change is also a row of calendar_changes (who,
-- when, what), whose highest id tells other processes that the calendar changed.
CREATE TABLE visit_places (
    county    TEXT NOT NULL,
    "window"  TEXT NOT NULL,
    places    INTEGER NOT NULL CHECK (places >= 0),   -- 0: that half-day is not offered there
    set_by    TEXT NOT NULL,
    set_at    TEXT NOT NULL,
    PRIMARY KEY (county, "window")
);

-- A day nobody goes out (培训, 台风 …): every county or one, the whole day or one half-day.
-- Reopening keeps the row, so the page can show who closed and who reopened it.
CREATE TABLE closed_days (
    id          INTEGER PRIMARY KEY,
    day         TEXT NOT NULL,
    county      TEXT NOT NULL DEFAULT '',   -- '': every county
    "window"    TEXT NOT NULL DEFAULT '',   -- '': the whole day
    reason      TEXT NOT NULL,
    closed_by   TEXT NOT NULL,
    closed_at   TEXT NOT NULL,
    reopened_by TEXT,
    reopened_at TEXT
);
CREATE INDEX closed_days_day ON closed_days (day);

-- The notice's days: worked = 0 a day off (放假), 1 a make-up working day (调休上班).
CREATE TABLE calendar_days (
    day     TEXT PRIMARY KEY,
    worked  INTEGER NOT NULL CHECK (worked IN (0, 1)),
    set_by  TEXT NOT NULL,
    set_at  TEXT NOT NULL
);

-- Years whose notice is entered in full: their computed holidays stop being provisional.
CREATE TABLE calendar_years (
    year        INTEGER PRIMARY KEY,
    entered_by  TEXT NOT NULL,
    entered_at  TEXT NOT NULL
);

CREATE TABLE calendar_changes (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,   -- places | close | reopen | holiday | workday | unset | entered
    subject TEXT NOT NULL    -- what changed, e.g. "柯城区 am 0" or "2027-02-06"
);

-- A visit may be taken by a member of staff (a console account, users.id) instead of a lawyer;
-- only a lawyer earns 4号 二(一)4's points for it. No REFERENCES: `legalaid db copy` copies tables
-- in creation order and bookings come before users; the assignment checks the account in its
-- own transaction.
ALTER TABLE bookings ADD COLUMN staff_user_id INTEGER;
