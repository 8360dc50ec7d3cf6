-- Conversations carry more than text: the notices the client is told of (an operator joined, a
-- transfer, the close) are entries with their own `seq`, so a resuming widget replays them in
-- order. Read receipts keep, per side, the last `seq` that side has seen.

ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'text';
UPDATE messages SET kind = 'notice' WHERE author = 'system';

CREATE TABLE read_marks (
    appeal_id UUID NOT NULL REFERENCES appeals(id),
    -- 'client' or 'staff'
    reader    TEXT NOT NULL,
    seq       BIGINT NOT NULL,
    read_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (appeal_id, reader)
);
