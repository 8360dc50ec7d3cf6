-- Every event says who acted (DESIGN principle 12): staff (actor_id, as before), the client on a
-- channel, a channel adapter, a body's system, or the centre itself. actor_ref holds the channel
-- name or the body's id. Events written before say staff when they had a staff id, else system.
ALTER TABLE events ADD COLUMN actor_kind TEXT NOT NULL DEFAULT 'system';
ALTER TABLE events ADD COLUMN actor_ref TEXT;
UPDATE events SET actor_kind = 'staff' WHERE actor_id IS NOT NULL;

-- Contacts have phases (menu, queued, answered, wrap-up, ended, abandoned): handling time runs
-- from the answer to the end of the after-contact work, which starts when the client is gone.
ALTER TABLE interactions ADD COLUMN wrap_up_at TIMESTAMPTZ;

-- One service-level definition (the KPI settings' service_level_secs, over calls after the voice
-- menu) for the live view and the KPIs: the router's own threshold goes.
UPDATE settings SET value = value - 'service_level_secs' WHERE key = 'routing.router';
