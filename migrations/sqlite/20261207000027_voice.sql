-- The phone (clause 3.15, R12, R13): the voice menu as data, each call's course, and the
-- callbacks waiting callers ask for.

-- One voice menu of one language; `menu` is its JSON (prompt, options, timeout, retries).
-- `version` grows with each save, so two administrators editing at once do not overwrite each
-- other (the second is told the version it missed).
CREATE TABLE ivr_menus (
    language    TEXT NOT NULL,
    key         TEXT NOT NULL,
    menu        TEXT NOT NULL,
    version     BIGINT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (language, key)
);

-- A call, as the centre runs it: the state any node reads to answer the PBX's or the
-- provider's next event, so a node that dies mid-call leaves calls another node can carry on.
CREATE TABLE calls (
    provider        TEXT NOT NULL,
    call_id         TEXT NOT NULL,
    appeal_id       BLOB NOT NULL REFERENCES appeals(id),
    interaction_id  BLOB NOT NULL REFERENCES interactions(id),
    from_number     TEXT,
    to_number       TEXT,
    -- menu | queued | connecting | talking | ended: forward only
    phase           TEXT NOT NULL,
    language        TEXT NOT NULL,
    -- the menu the caller is in, and how many times it was asked again there
    menu            TEXT NOT NULL,
    tries           INTEGER NOT NULL,
    -- JSON array of the options taken, for the operator and the log
    path            TEXT NOT NULL,
    -- counts the collections asked for, so each one's answer has an id of its own
    steps           BIGINT NOT NULL,
    queued_at       TEXT,
    announced_at    TEXT,
    announcements   INTEGER NOT NULL,
    -- the operator's phone the caller is put through to
    bridge_to       TEXT,
    version         BIGINT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (provider, call_id)
);
CREATE UNIQUE INDEX calls_interaction ON calls (interaction_id);
CREATE INDEX calls_live ON calls (phase) WHERE phase <> 'ended';

-- Each provider event a call took, with the answer given: a replayed event (a provider's retry)
-- gets the same answer and changes nothing.
CREATE TABLE call_events (
    provider    TEXT NOT NULL,
    call_id     TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    event       TEXT NOT NULL,
    answer      TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (provider, call_id, event_id)
);

-- A caller who asked to be called back instead of waiting (R12.2, R13).
CREATE TABLE callbacks (
    id              BLOB PRIMARY KEY,
    appeal_id       BLOB NOT NULL REFERENCES appeals(id),
    -- the inbound call's contact it came from
    interaction_id  BLOB NOT NULL UNIQUE REFERENCES interactions(id),
    number          TEXT NOT NULL,
    language        TEXT NOT NULL,
    -- pending | placed | done | failed | cancelled
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    requested_at    TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX callbacks_state ON callbacks (state, requested_at);

-- The operator's phone: a SIP URI of the PBX's extension (sip:101@pbx) or a number.
ALTER TABLE staff ADD COLUMN extension TEXT;
