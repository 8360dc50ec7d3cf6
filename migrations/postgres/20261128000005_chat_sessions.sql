-- Web chat visitors: a server-issued token (only its hash is kept) ties a browser to its client
-- record and its current appeal, so a reconnect resumes the same conversation.

CREATE TABLE chat_sessions (
    token_hash   TEXT PRIMARY KEY,
    client_id    UUID NOT NULL REFERENCES clients(id),
    appeal_id    UUID NOT NULL REFERENCES appeals(id),
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX chat_sessions_appeal ON chat_sessions (appeal_id);
