-- One-time codes that prove a client holds the phone or e-mail on file (R11). Only a salted
-- hash of the code is kept; a code is good for one use, a few attempts and a few minutes.

CREATE TABLE verification_codes (
    id         BLOB PRIMARY KEY,
    appeal_id  BLOB NOT NULL REFERENCES appeals(id),
    -- 'email' or 'sms'
    via        TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    expires_at TEXT NOT NULL,
    -- set when the code was used, superseded by a newer one, or exhausted
    closed_at  TEXT,
    created_by BLOB REFERENCES staff(id),
    created_at TEXT NOT NULL
);
CREATE INDEX verification_codes_appeal ON verification_codes (appeal_id, created_at);
