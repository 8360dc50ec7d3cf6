-- Legal deadlines (АППК art. 63, 65, 76): the first due date bounds extensions; a reminder and
-- the overdue escalation are each recorded once.

ALTER TABLE appeals ADD COLUMN first_due_at TIMESTAMPTZ;
ALTER TABLE appeals ADD COLUMN reminded_at TIMESTAMPTZ;
ALTER TABLE appeals ADD COLUMN overdue_at TIMESTAMPTZ;
CREATE INDEX appeals_due ON appeals (due_at);
