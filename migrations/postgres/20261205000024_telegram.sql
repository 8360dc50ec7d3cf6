-- The Telegram channel (report row 10): bots the centre answers through, and each chat's place in
-- the bot's menu. The token and the webhook secret are stored for the bot's own use and never
-- returned by the API.
CREATE TABLE telegram_bots (
    id              UUID PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    token           TEXT NOT NULL,
    -- what Telegram sends in X-Telegram-Bot-Api-Secret-Token to the webhook
    webhook_secret  TEXT NOT NULL,
    -- 'webhook' or 'polling'
    mode            TEXT NOT NULL,
    queue_id        UUID REFERENCES queues(id),
    topic_id        UUID REFERENCES topics(id),
    -- the Bot API server (https://api.telegram.org, or a local Bot API server)
    api_url         TEXT NOT NULL,
    enabled         BOOLEAN NOT NULL,
    -- long polling: the next getUpdates offset, moved only after the updates before it are committed
    update_offset   BIGINT NOT NULL DEFAULT 0,
    last_update_at  TIMESTAMPTZ,
    last_error_kind TEXT,
    last_error      TEXT,
    last_error_at   TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);

-- One citizen's chat with a bot: where they are in the menu (language, then topic), the words
-- they wrote before choosing (kept, so nothing typed is lost), and the appeal it feeds.
CREATE TABLE telegram_chats (
    bot_id        UUID NOT NULL REFERENCES telegram_bots(id) ON DELETE CASCADE,
    chat_id       BIGINT NOT NULL,
    -- 'language', 'topic' or 'open'
    stage         TEXT NOT NULL,
    language      TEXT,
    pending_text  TEXT,
    -- the files they sent before choosing (JSON), kept for the appeal's first message
    pending_files TEXT,
    appeal_id     UUID REFERENCES appeals(id),
    blocked_at    TIMESTAMPTZ,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (bot_id, chat_id)
);

-- Updates already handled, by bot: a replayed or duplicated update does nothing again.
CREATE TABLE telegram_updates (
    bot_id     UUID NOT NULL REFERENCES telegram_bots(id) ON DELETE CASCADE,
    update_id  BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (bot_id, update_id)
);

-- A chat's messages leave in order: the outbox looks for an earlier pending one to the same chat.
CREATE INDEX deliveries_chat_order ON deliveries (address, created_at)
    WHERE state = 'pending' AND method = 'telegram';
