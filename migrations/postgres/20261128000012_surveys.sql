-- Satisfaction surveys (R5.7, KPI 3): one per appeal, asked on the appeal's own channel after
-- it is answered, answered once with a score of 1–5 and an optional comment.

CREATE TABLE surveys (
    appeal_id   UUID PRIMARY KEY REFERENCES appeals(id),
    channel     TEXT NOT NULL,
    asked_at    TIMESTAMPTZ NOT NULL,
    score       BIGINT,
    comment     TEXT,
    answered_at TIMESTAMPTZ
);
CREATE INDEX surveys_answered ON surveys (answered_at);
