-- The outbox (R6, R30): whatever the centre must deliver beyond its own sockets — a notice to the
-- citizen by e-mail or SMS, a redirected appeal to a body by e-mail or a signed webhook — is
-- written here in the same transaction as the notice or the redirection, and a worker delivers it
-- with retries. An acknowledged action never loses its delivery to a crash, and every attempt,
-- failure and fallback is visible on the appeal's timeline.

CREATE TABLE deliveries (
    id             UUID PRIMARY KEY,
    appeal_id      UUID NOT NULL REFERENCES appeals(id),
    -- the notice on the timeline this delivery carries to the client
    message_id     UUID REFERENCES messages(id),
    -- the redirection this delivery carries to the body
    redirection_id UUID REFERENCES redirections(id),
    -- the delivery this one replaces after it gave up (a fallback to another channel)
    fallback_of    UUID REFERENCES deliveries(id),
    -- 'client' or 'body'
    recipient      TEXT NOT NULL,
    -- 'email', 'sms' or 'webhook'
    method         TEXT NOT NULL,
    address        TEXT NOT NULL,
    subject        TEXT,
    payload        TEXT NOT NULL,
    -- JSON [[method, address], ...] to try in order when this one gives up
    fallbacks      TEXT NOT NULL,
    -- 'pending', 'sent' or 'failed'
    state          TEXT NOT NULL,
    attempts       BIGINT NOT NULL DEFAULT 0,
    -- when a pending delivery is next due; a worker that claims it moves this past its lease
    next_at        TIMESTAMPTZ NOT NULL,
    last_error     TEXT,
    sent_at        TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (state, next_at);
CREATE INDEX deliveries_appeal ON deliveries (appeal_id, created_at);

-- The shared secret a body's system and the centre sign webhooks with (HMAC-SHA256). It must be
-- kept in the clear to sign with; it is never returned by the API after it is issued.
ALTER TABLE bodies ADD COLUMN webhook_secret TEXT;

-- Webhook calls a body's system made, by their id: a replayed call is refused.
CREATE TABLE body_webhook_receipts (
    body_id    UUID NOT NULL REFERENCES bodies(id),
    webhook_id TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (body_id, webhook_id)
);
