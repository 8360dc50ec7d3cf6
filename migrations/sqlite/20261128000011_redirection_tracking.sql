-- Redirection with status tracking (clause 3.8, R30; АППК art. 65): the department and position
-- responsible at the body, the body's due date, whether the centre forwarded it in time, and the
-- body's answer to the redirection (accepted, or returned as not its competence, with a reason).

CREATE TABLE body_departments (
    id          BLOB PRIMARY KEY,
    body_id     BLOB NOT NULL REFERENCES bodies(id),
    name_kk     TEXT NOT NULL,
    name_ru     TEXT NOT NULL,
    -- the responsible position the citizen is told of (R6)
    position_kk TEXT NOT NULL,
    position_ru TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX body_departments_body ON body_departments (body_id);

ALTER TABLE redirections ADD COLUMN department_id BLOB REFERENCES body_departments(id);
ALTER TABLE redirections ADD COLUMN due_at TEXT;
-- 'sent', 'accepted' or 'returned'
ALTER TABLE redirections ADD COLUMN state TEXT NOT NULL DEFAULT 'sent';
ALTER TABLE redirections ADD COLUMN responded_at TEXT;
ALTER TABLE redirections ADD COLUMN response TEXT;
-- forwarded after the centre's own deadline for forwarding
ALTER TABLE redirections ADD COLUMN late INTEGER NOT NULL DEFAULT 0;

ALTER TABLE appeals ADD COLUMN department_id BLOB REFERENCES body_departments(id);
