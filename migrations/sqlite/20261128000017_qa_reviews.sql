-- QA reviews (R26–R28, KPI 2): supervisors score sampled contacts of every channel against the
-- scorecard (a settings document). One review per reviewer per contact, so a second reviewer on
-- the same contact is a calibration, never an overwrite. The operator and channel are copied
-- from the contact when it is reviewed, so reports by operator and channel need no join.

CREATE TABLE qa_reviews (
    id             BLOB PRIMARY KEY,
    interaction_id BLOB NOT NULL REFERENCES interactions(id),
    appeal_id      BLOB NOT NULL REFERENCES appeals(id),
    operator_id    BLOB NOT NULL REFERENCES staff(id),
    channel        TEXT NOT NULL,
    reviewer_id    BLOB NOT NULL REFERENCES staff(id),
    scores         TEXT NOT NULL,
    total          REAL NOT NULL,
    accurate       INTEGER NOT NULL,
    comment        TEXT,
    created_at     TEXT NOT NULL,
    UNIQUE (interaction_id, reviewer_id)
);
CREATE INDEX qa_reviews_created ON qa_reviews (created_at);
CREATE INDEX qa_reviews_operator ON qa_reviews (operator_id, created_at);

-- The sample draws the contacts answered in a period (R28).
CREATE INDEX interactions_answered ON interactions (answered_at);
