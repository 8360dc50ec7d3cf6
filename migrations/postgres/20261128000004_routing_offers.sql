-- Routing state on the contact itself: a queued interaction may carry a pending offer to one
-- operator; operators who declined it (or let the offer time out) are never offered it again;
-- overflow can lower the skill level it requires; an escalated contact waits for a supervisor.

ALTER TABLE interactions ADD COLUMN offered_to UUID REFERENCES staff(id);
ALTER TABLE interactions ADD COLUMN offered_at TIMESTAMPTZ;
ALTER TABLE interactions ADD COLUMN offer_expires_at TIMESTAMPTZ;
ALTER TABLE interactions ADD COLUMN min_level BIGINT NOT NULL DEFAULT 1;
ALTER TABLE interactions ADD COLUMN declined_by JSONB NOT NULL DEFAULT '[]';

ALTER TABLE interactions ADD COLUMN escalated BOOLEAN NOT NULL DEFAULT FALSE;
-- When the client was told the queue is closed (once per contact).
ALTER TABLE interactions ADD COLUMN out_of_hours_at TIMESTAMPTZ;

CREATE INDEX interactions_state ON interactions (state, queued_at);
CREATE INDEX interactions_operator ON interactions (operator_id, state);
CREATE INDEX interactions_offered ON interactions (offered_to, state);
