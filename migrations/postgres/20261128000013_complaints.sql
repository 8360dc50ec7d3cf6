-- Complaints (R8–R10): an appeal of kind `complaint` with its category, what it is about, the
-- mandatory supervisor review, escalation to a higher specialist, and the decision (confirmed or
-- not: report row 20).

CREATE TABLE complaints (
    appeal_id         UUID PRIMARY KEY REFERENCES appeals(id),
    category          TEXT NOT NULL,
    about_operator_id UUID REFERENCES staff(id),
    about_appeal_id   UUID REFERENCES appeals(id),
    reviewed_by       UUID REFERENCES staff(id),
    reviewed_at       TIMESTAMPTZ,
    review_note       TEXT,
    escalated_to      UUID REFERENCES staff(id),
    escalated_at      TIMESTAMPTZ,
    confirmed         BOOLEAN,
    decided_by        UUID REFERENCES staff(id),
    decided_at        TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX complaints_created ON complaints (created_at);
