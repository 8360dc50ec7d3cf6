-- The centre places callbacks itself through the PBX (R13; issue "The phone", point 7): a callback
-- being dialled is `placed`, with the PBX's id of the call, the operator it is placed for and
-- when, so the PBX's events find it and a node that takes over knows what is in progress.
ALTER TABLE callbacks ADD COLUMN call_id TEXT;
ALTER TABLE callbacks ADD COLUMN placed_by BLOB REFERENCES staff(id);
ALTER TABLE callbacks ADD COLUMN placed_at TEXT;
CREATE UNIQUE INDEX callbacks_call_id ON callbacks (call_id);
