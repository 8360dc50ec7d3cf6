-- Redirection with status tracking (clause 3.8, R30; АППК art. 65): the department and position
-- responsible at the body, the body's due date, whether the centre forwarded it in time, and the
-- body's answer to the redirection (accepted, or returned as not its competence, with a reason).

CREATE TABLE body_departments (
    id          UUID PRIMARY KEY,
    body_id     UUID NOT NULL REFERENCES bodies(id),
    name_kk     TEXT NOT NULL,
    name_ru     TEXT NOT NULL,
    -- the responsible position the citizen is told of (R6)
    position_kk TEXT NOT NULL,
    position_ru TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX body_departments_body ON body_departments (body_id);

ALTER TABLE redirections ADD COLUMN department_id UUID REFERENCES body_departments(id);
ALTER TABLE redirections ADD COLUMN due_at TIMESTAMPTZ;
-- 'sent', 'accepted' or 'returned'
ALTER TABLE redirections ADD COLUMN state TEXT NOT NULL DEFAULT 'sent';
ALTER TABLE redirections ADD COLUMN responded_at TIMESTAMPTZ;
ALTER TABLE redirections ADD COLUMN response TEXT;
-- forwarded after the centre's own deadline for forwarding
ALTER TABLE redirections ADD COLUMN late BOOLEAN NOT NULL DEFAULT FALSE;

ALTER TABLE appeals ADD COLUMN department_id UUID REFERENCES body_departments(id);
