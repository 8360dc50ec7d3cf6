-- The centre places calls itself through the PBX (R13; issue "The phone", point 7): callbacks a
-- waiting caller asked for, and calls an operator starts on an appeal, with the reason the
-- operator opens with. A call being dialled is `placed`, with the PBX's id of the call, the
-- operator it is placed for and when, so the PBX's events find it and a node that takes over
-- knows what is in progress. An operator's call has no inbound call it came from, so the
-- table is rebuilt with `interaction_id` optional (SQLite cannot drop NOT NULL in place).
CREATE TABLE callbacks_new (
    id              BLOB PRIMARY KEY,
    appeal_id       BLOB NOT NULL REFERENCES appeals(id),
    -- the inbound call's contact a callback came from; none for an operator's call
    interaction_id  BLOB UNIQUE REFERENCES interactions(id),
    number          TEXT NOT NULL,
    language        TEXT NOT NULL,
    -- pending | placed | done | failed | cancelled
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    requested_at    TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    -- why an operator calls (their opening line); none for a callback asked for
    reason          TEXT,
    requested_by    BLOB REFERENCES staff(id),
    call_id         TEXT,
    placed_by       BLOB REFERENCES staff(id),
    placed_at       TEXT
);
INSERT INTO callbacks_new (id, appeal_id, interaction_id, number, language, state, attempts,
                           requested_at, updated_at)
    SELECT id, appeal_id, interaction_id, number, language, state, attempts, requested_at,
           updated_at FROM callbacks;
DROP TABLE callbacks;
ALTER TABLE callbacks_new RENAME TO callbacks;
CREATE INDEX callbacks_state ON callbacks (state, requested_at);
CREATE UNIQUE INDEX callbacks_call_id ON callbacks (call_id);
