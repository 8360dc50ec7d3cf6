-- The e-mail channel (R5.3): mailboxes the centre reads by IMAP, what it did with each mail it
-- read, the headers of the mails on the timeline, and the files any channel brings.

-- A mailbox read by IMAP. The password is stored so the poller can log in, and never returned by
-- the API. The sync position (UIDVALIDITY + the last UID committed) is what lets a restart, a cut
-- connection or a rebuilt mailbox never import a mail twice nor skip one.
CREATE TABLE mailboxes (
    id            UUID PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    host          TEXT NOT NULL,
    port          BIGINT NOT NULL,
    -- 'plain', 'starttls' or 'tls'
    security      TEXT NOT NULL,
    login         TEXT NOT NULL,
    password      TEXT NOT NULL,
    folder        TEXT NOT NULL,
    -- where its new appeals wait (else the routing table decides) and what they are about
    queue_id      UUID REFERENCES queues(id),
    topic_id      UUID REFERENCES topics(id),
    -- the language of an appeal whose mail does not tell
    language      TEXT NOT NULL,
    -- the address the citizen writes to, shown to staff
    address       TEXT,
    enabled       BOOLEAN NOT NULL,
    uid_validity  BIGINT,
    last_uid      BIGINT NOT NULL DEFAULT 0,
    connected     BOOLEAN NOT NULL DEFAULT FALSE,
    last_sync_at  TIMESTAMPTZ,
    -- what kind of failure ('login_refused', 'unreachable', 'configuration') and the server's words
    last_error_kind TEXT,
    last_error    TEXT,
    last_error_at TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);

-- What the poller did with each mail it read: opened an appeal, joined one, recorded a bounce,
-- held a robot's mail, refused an unreadable one. One row per (mailbox, UIDVALIDITY, UID).
CREATE TABLE mail_log (
    id            UUID PRIMARY KEY,
    mailbox_id    UUID NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
    uid_validity  BIGINT NOT NULL,
    uid           BIGINT NOT NULL,
    mail_id       TEXT,
    sender        TEXT,
    outcome       TEXT NOT NULL,
    detail        TEXT,
    appeal_id     UUID REFERENCES appeals(id),
    size          BIGINT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (mailbox_id, uid_validity, uid)
);
CREATE INDEX mail_log_recent ON mail_log (mailbox_id, created_at);
CREATE INDEX mail_log_sender ON mail_log (mailbox_id, sender, created_at);

-- A mail's headers beside its message on the timeline: the console shows the thread as mail.
CREATE TABLE message_mail (
    message_id    UUID PRIMARY KEY REFERENCES messages(id),
    appeal_id     UUID NOT NULL REFERENCES appeals(id),
    mailbox_id    UUID,
    subject       TEXT,
    sender        TEXT,
    -- JSON arrays of addresses (at most 50 each) and how many the mail named in all
    recipients_to TEXT NOT NULL,
    recipients_cc TEXT NOT NULL,
    recipients    BIGINT NOT NULL,
    -- the quoted history folded away from the text
    quoted        TEXT,
    from_html     BOOLEAN NOT NULL,
    -- why a machine wrote it, if one did (auto-reply, list, bounce)
    automatic     TEXT
);
CREATE INDEX message_mail_appeal ON message_mail (appeal_id);

-- A file that came with a message on any channel: its bytes live in the attachment store under
-- their SHA-256; a file refused by the limits is recorded with why, never silently dropped.
CREATE TABLE attachments (
    id            UUID PRIMARY KEY,
    appeal_id     UUID NOT NULL REFERENCES appeals(id),
    message_id    UUID NOT NULL REFERENCES messages(id),
    name          TEXT,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL,
    sha256        TEXT NOT NULL,
    refused       TEXT,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX attachments_appeal ON attachments (appeal_id);

-- A mail that answers one of ours finds its appeal by our Message-ID.
ALTER TABLE deliveries ADD COLUMN mail_message_id TEXT;
UPDATE deliveries SET mail_message_id = (mail_thread::json ->> 'message_id') WHERE mail_thread IS NOT NULL;
CREATE INDEX deliveries_mail_message_id ON deliveries (mail_message_id);
