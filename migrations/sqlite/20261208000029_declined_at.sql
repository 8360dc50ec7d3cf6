-- When an operator last declined a contact: once everyone who could take it has declined and
-- this is a while ago, the routing engine offers it again (or escalates it) by rule, instead of
-- leaving the citizen to wait for a manual reassignment (`routing.reoffered`).
ALTER TABLE interactions ADD COLUMN declined_at TEXT;
