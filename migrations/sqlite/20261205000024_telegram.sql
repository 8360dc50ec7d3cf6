-- The Telegram channel (report row 10): bots the centre answers through, and each chat's place in
-- the bot's menu. The token and the webhook secret are stored for the bot's own use and never
-- returned by the API.
CREATE TABLE telegram_bots (
    id              BLOB PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    token           TEXT NOT NULL,
    -- what Telegram sends in X-Telegram-Bot-Api-Secret-Token to the webhook
    webhook_secret  TEXT NOT NULL,
    -- 'webhook' or 'polling'
    mode            TEXT NOT NULL,
    queue_id        BLOB REFERENCES queues(id),
    topic_id        BLOB REFERENCES topics(id),
    -- the Bot API server (https://api.telegram.org, or a local Bot API server)
    api_url         TEXT NOT NULL,
    enabled         INTEGER NOT NULL,
    -- long polling: the next getUpdates offset, moved only after the updates before it are committed
    update_offset   BIGINT NOT NULL DEFAULT 0,
    last_update_at  TEXT,
    last_error_kind TEXT,
    last_error      TEXT,
    last_error_at   TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

-- One citizen's chat with a bot: where they are in the menu (language, then topic), the words
-- they wrote before choosing (kept, so nothing typed is lost), and the appeal it feeds.
CREATE TABLE telegram_chats (
    bot_id        BLOB NOT NULL REFERENCES telegram_bots(id) ON DELETE CASCADE,
    chat_id       BIGINT NOT NULL,
    -- 'language', 'topic' or 'open'
    stage         TEXT NOT NULL,
    language      TEXT,
    pending_text  TEXT,
    -- the files they sent before choosing (JSON), kept for the appeal's first message
    pending_files TEXT,
    appeal_id     BLOB REFERENCES appeals(id),
    blocked_at    TEXT,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (bot_id, chat_id)
);

-- Updates already handled, by bot: a replayed or duplicated update does nothing again.
CREATE TABLE telegram_updates (
    bot_id     BLOB NOT NULL REFERENCES telegram_bots(id) ON DELETE CASCADE,
    update_id  BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (bot_id, update_id)
);

-- A chat's messages leave in order: the outbox looks for an earlier pending one to the same chat.
CREATE INDEX deliveries_chat_order ON deliveries (address, created_at)
    WHERE state = 'pending' AND method = 'telegram';
