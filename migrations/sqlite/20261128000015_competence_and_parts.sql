-- Competence (clause 3.8, R30): the topics each body is competent for, so the console proposes
-- the right body for an appeal's topic. And appeals split in parts — one part to one body,
-- another elsewhere — each part its own appeal, with its own number and redirection, pointing
-- at the appeal it came from.

CREATE TABLE body_topics (
    body_id  BLOB NOT NULL REFERENCES bodies(id),
    topic_id BLOB NOT NULL REFERENCES topics(id),
    PRIMARY KEY (body_id, topic_id)
);
CREATE INDEX body_topics_topic ON body_topics (topic_id);

ALTER TABLE appeals ADD COLUMN parent_id BLOB REFERENCES appeals(id);
CREATE INDEX appeals_parent ON appeals (parent_id);
