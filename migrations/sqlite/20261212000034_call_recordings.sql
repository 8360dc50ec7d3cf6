-- Recordings of calls (issue "The phone", point 9; R32–R33): optional per queue and told to
-- the caller before they reach an operator. A queue records when its administrator says so; a
-- call is `recorded` once the caller was told, and only such a call's recordings are kept.
ALTER TABLE queues ADD COLUMN records_calls BOOLEAN NOT NULL DEFAULT 0;
-- A caller the operator put on hold (issue "The phone", point 6): since when; the call waits in
-- the holding area, away from the operator's phone, until the operator takes it back.
ALTER TABLE interactions ADD COLUMN held_at TEXT;
ALTER TABLE calls ADD COLUMN recorded BOOLEAN NOT NULL DEFAULT 0;

-- One recording of one call, as the provider names it (`source`: Twilio's RecordingSid, a
-- RustPBX track), so a provider's retry stores it once. A cloud provider's recording is
-- `fetching` until its bytes are in the attachment store (`sha256`); kept until `expires_at`
-- (the centre's retention), then its bytes are deleted and it is `expired`.
CREATE TABLE call_recordings (
    id              BLOB PRIMARY KEY,
    provider        TEXT NOT NULL,
    call_id         TEXT NOT NULL,
    source          TEXT NOT NULL,
    appeal_id       BLOB NOT NULL REFERENCES appeals(id),
    interaction_id  BLOB NOT NULL REFERENCES interactions(id),
    -- fetching | stored | failed | expired
    state           TEXT NOT NULL,
    url             TEXT,
    content_type    TEXT NOT NULL,
    size            INTEGER,
    sha256          TEXT,
    duration_secs   INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    stored_at       TEXT,
    expires_at      TEXT NOT NULL,
    UNIQUE (provider, source)
);
CREATE INDEX call_recordings_appeal ON call_recordings (appeal_id);
CREATE INDEX call_recordings_due ON call_recordings (state, next_attempt_at);
CREATE INDEX call_recordings_expiry ON call_recordings (state, expires_at);
