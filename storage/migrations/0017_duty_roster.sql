-- 值班表 (issue 14): which lawyers answer online questions on a non-working day. 4号 一(三):
-- 值班 is 律师自主报名、法律援助机构统一安排, so a lawyer may put themself down and staff may put
-- anyone down; who added each entry, and when, is kept. Removing an entry deletes its row.
-- The rule (only a non-working day, only an active lawyer, not in the past) is policy/duty_roster.py.
CREATE TABLE duty_roster (
    day        TEXT NOT NULL,                          -- YYYY-MM-DD in the centre's zone
    lawyer_id  INTEGER NOT NULL REFERENCES lawyers (id),
    added_by   TEXT NOT NULL,
    added_at   TEXT NOT NULL,
    PRIMARY KEY (day, lawyer_id)
);
CREATE INDEX duty_roster_lawyer ON duty_roster (lawyer_id, day);
