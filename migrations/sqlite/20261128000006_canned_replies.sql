-- Canned replies: ready answers in Kazakh and Russian that supervisors keep and operators insert.

CREATE TABLE canned_replies (
    id         BLOB PRIMARY KEY,
    title      TEXT NOT NULL,
    body_kk    TEXT NOT NULL,
    body_ru    TEXT NOT NULL,
    topic_id   BLOB REFERENCES topics(id),
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
