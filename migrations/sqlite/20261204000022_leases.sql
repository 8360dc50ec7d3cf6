-- Work one node at a time does — polling a mailbox, a Telegram bot's long poll, the PBX
-- connection — is held under a named lease: the node that holds it renews it while it works; if
-- it dies, the lease lapses and another node takes the work over.
CREATE TABLE leases (
    name   TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until  TEXT NOT NULL
);
