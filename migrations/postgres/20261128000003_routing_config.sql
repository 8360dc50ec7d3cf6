-- Routing configuration: operators' per-channel capacity and presence, queue overflow rules,
-- and settings (the routing table, the router's tunables) as JSON documents.

ALTER TABLE staff ADD COLUMN capacity JSONB;
ALTER TABLE staff ADD COLUMN presence TEXT NOT NULL DEFAULT 'offline';
ALTER TABLE staff ADD COLUMN presence_at TIMESTAMPTZ;

ALTER TABLE queues ADD COLUMN overflow JSONB;

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      JSONB NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
