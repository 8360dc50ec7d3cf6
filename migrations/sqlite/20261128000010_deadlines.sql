-- Legal deadlines (АППК art. 63, 65, 76): the first due date bounds extensions; a reminder and
-- the overdue escalation are each recorded once.

ALTER TABLE appeals ADD COLUMN first_due_at TEXT;
ALTER TABLE appeals ADD COLUMN reminded_at TEXT;
ALTER TABLE appeals ADD COLUMN overdue_at TEXT;
CREATE INDEX appeals_due ON appeals (due_at);
