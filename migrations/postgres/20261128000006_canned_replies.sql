-- Canned replies: ready answers in Kazakh and Russian that supervisors keep and operators insert.

CREATE TABLE canned_replies (
    id         UUID PRIMARY KEY,
    title      TEXT NOT NULL,
    body_kk    TEXT NOT NULL,
    body_ru    TEXT NOT NULL,
    topic_id   UUID REFERENCES topics(id),
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
