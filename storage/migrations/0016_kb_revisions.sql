-- Staff edits of the knowledge base (web console, 知识库). faq/data stays the shipped base; each save
-- is the whole entry, kept with who, when and why, and the knowledge base in use is the files with
-- the latest revision of each entry on top (services/knowledge.py). Rows are never changed or deleted.
CREATE TABLE kb_revisions (
    id          INTEGER PRIMARY KEY,      -- given by the save (the newest + 1, under its lock): portable as written
    entry_id    TEXT NOT NULL,
    body        TEXT NOT NULL,            -- JSON of the whole faq.kb.Entry
    note        TEXT NOT NULL DEFAULT '',
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX kb_revisions_entry ON kb_revisions (entry_id, id);
