-- Surveys by link (R5.7, KPI 3): a client told by e-mail or SMS rates the service on a page
-- reached by a one-time link. Only the SHA-256 of the link's token is kept.

ALTER TABLE surveys ADD COLUMN token_hash TEXT;
CREATE UNIQUE INDEX surveys_token ON surveys (token_hash);
