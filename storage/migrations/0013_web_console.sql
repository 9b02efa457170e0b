-- The web console's accounts (管理后台): staff, and lawyers linked to their row in lawyers.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('staff', 'lawyer')),
    lawyer_id     INTEGER REFERENCES lawyers (id),
    password_hash TEXT NOT NULL,           -- argon2id, never the password
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    CHECK ((role = 'lawyer') = (lawyer_id IS NOT NULL))
);

-- A signed-in browser. Only a hash of the cookie's token is stored, so a copy of the database
-- cannot be used to sign in.
CREATE TABLE web_sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    csrf        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    last_seen   TEXT NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);

-- Every sign-in attempt, for throttling by account and by address; staff lift a lock-out by
-- marking the failures lifted.
CREATE TABLE login_attempts (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    name      TEXT NOT NULL,
    address   TEXT NOT NULL,
    ok        INTEGER NOT NULL,
    lifted_at TEXT
);
CREATE INDEX login_attempts_name ON login_attempts (name, at);
CREATE INDEX login_attempts_address ON login_attempts (address, at);
