-- Complaints (R8–R10): an appeal of kind `complaint` with its category, what it is about, the
-- mandatory supervisor review, escalation to a higher specialist, and the decision (confirmed or
-- not: report row 20).

CREATE TABLE complaints (
    appeal_id         BLOB PRIMARY KEY REFERENCES appeals(id),
    category          TEXT NOT NULL,
    about_operator_id BLOB REFERENCES staff(id),
    about_appeal_id   BLOB REFERENCES appeals(id),
    reviewed_by       BLOB REFERENCES staff(id),
    reviewed_at       TEXT,
    review_note       TEXT,
    escalated_to      BLOB REFERENCES staff(id),
    escalated_at      TEXT,
    confirmed         INTEGER,
    decided_by        BLOB REFERENCES staff(id),
    decided_at        TEXT,
    created_at        TEXT NOT NULL
);
CREATE INDEX complaints_created ON complaints (created_at);
