-- Routing state on the contact itself: a queued interaction may carry a pending offer to one
-- operator; operators who declined it (or let the offer time out) are never offered it again;
-- overflow can lower the skill level it requires; an escalated contact waits for a supervisor.

ALTER TABLE interactions ADD COLUMN offered_to BLOB REFERENCES staff(id);
ALTER TABLE interactions ADD COLUMN offered_at TEXT;
ALTER TABLE interactions ADD COLUMN offer_expires_at TEXT;
ALTER TABLE interactions ADD COLUMN min_level INTEGER NOT NULL DEFAULT 1;
ALTER TABLE interactions ADD COLUMN declined_by TEXT NOT NULL DEFAULT '[]';

ALTER TABLE interactions ADD COLUMN escalated INTEGER NOT NULL DEFAULT 0;
-- When the client was told the queue is closed (once per contact).
ALTER TABLE interactions ADD COLUMN out_of_hours_at TEXT;

CREATE INDEX interactions_state ON interactions (state, queued_at);
CREATE INDEX interactions_operator ON interactions (operator_id, state);
CREATE INDEX interactions_offered ON interactions (offered_to, state);
