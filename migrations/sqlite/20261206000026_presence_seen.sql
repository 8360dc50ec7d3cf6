-- Presence follows the operator's live console (issue "Trustworthy in the field", point 6): each
-- open operator socket notes it is there every few seconds; an operator who is "online" with no
-- socket seen for a while is set "away" by the routing engine, so offers stop going to a closed
-- console.
ALTER TABLE staff ADD COLUMN seen_at TEXT;
