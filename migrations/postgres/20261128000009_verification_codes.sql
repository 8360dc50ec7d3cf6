-- One-time codes that prove a client holds the phone or e-mail on file (R11). Only a salted
-- hash of the code is kept; a code is good for one use, a few attempts and a few minutes.

CREATE TABLE verification_codes (
    id         UUID PRIMARY KEY,
    appeal_id  UUID NOT NULL REFERENCES appeals(id),
    -- 'email' or 'sms'
    via        TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    attempts   BIGINT NOT NULL DEFAULT 0,
    expires_at TIMESTAMPTZ NOT NULL,
    -- set when the code was used, superseded by a newer one, or exhausted
    closed_at  TIMESTAMPTZ,
    created_by UUID REFERENCES staff(id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX verification_codes_appeal ON verification_codes (appeal_id, created_at);
