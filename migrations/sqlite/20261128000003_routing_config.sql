-- Routing configuration: operators' per-channel capacity and presence, queue overflow rules,
-- and settings (the routing table, the router's tunables) as JSON documents.

ALTER TABLE staff ADD COLUMN capacity TEXT;
ALTER TABLE staff ADD COLUMN presence TEXT NOT NULL DEFAULT 'offline';
ALTER TABLE staff ADD COLUMN presence_at TEXT;

ALTER TABLE queues ADD COLUMN overflow TEXT;

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
