-- The Telegram channel, continued.

-- What a person says about themselves on a channel — a phone shared in Telegram — kept apart from
-- the identities that say who a client is: a claim fills no record and reaches no other client's
-- history until staff verify it (R11). The event log records that a claim was made, not its value.
CREATE TABLE client_claims (
    id          BLOB PRIMARY KEY,
    client_id   BLOB NOT NULL REFERENCES clients(id),
    -- 'phone'
    kind        TEXT NOT NULL,
    value       TEXT NOT NULL,
    -- where it was claimed
    channel     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (client_id, kind, value)
);

-- A citizen changed a message they had sent (Telegram tells the bot): the new text is a message of
-- its own on the timeline, and this row says which one it changes, so neither version is lost.
CREATE TABLE message_edits (
    message_id  BLOB PRIMARY KEY REFERENCES messages(id),
    appeal_id   BLOB NOT NULL REFERENCES appeals(id),
    -- the message it changes; NULL when that one is not on the timeline (written before the menu)
    edits       BLOB REFERENCES messages(id)
);
CREATE INDEX message_edits_appeal ON message_edits (appeal_id);

-- Buttons under an outgoing message where the channel has them (the survey's 1–5 in Telegram):
-- JSON rows of [label, data].
ALTER TABLE deliveries ADD COLUMN buttons TEXT;

-- How late the bot heard of its last update (now minus the time the citizen sent it), for the
-- bot's health: a webhook Telegram cannot reach, or a poller that falls behind, shows here.
ALTER TABLE telegram_bots ADD COLUMN last_lag_ms BIGINT;
