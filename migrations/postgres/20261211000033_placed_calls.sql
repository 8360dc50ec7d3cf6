-- The centre places calls itself through the PBX (R13; issue "The phone", point 7): callbacks a
-- waiting caller asked for, and calls an operator starts on an appeal, with the reason the
-- operator opens with. A call being dialled is `placed`, with the PBX's id of the call, the
-- operator it is placed for and when, so the PBX's events find it and a node that takes over
-- knows what is in progress. An operator's call has no inbound call it came from.
ALTER TABLE callbacks ALTER COLUMN interaction_id DROP NOT NULL;
ALTER TABLE callbacks ADD COLUMN reason TEXT;
ALTER TABLE callbacks ADD COLUMN requested_by UUID REFERENCES staff(id);
ALTER TABLE callbacks ADD COLUMN call_id TEXT;
ALTER TABLE callbacks ADD COLUMN placed_by UUID REFERENCES staff(id);
ALTER TABLE callbacks ADD COLUMN placed_at TIMESTAMPTZ;
CREATE UNIQUE INDEX callbacks_call_id ON callbacks (call_id);
