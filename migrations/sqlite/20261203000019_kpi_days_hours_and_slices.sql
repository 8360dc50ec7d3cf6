-- Kept KPI totals per local day, now also per hour (a period aligned to hours, e.g. UTC days,
-- reads them instead of the log) and per single slice (channel, queue, topic, operator: the
-- dashboards' breakdowns), and for days that can still change ("settled" false: today and the
-- days whose calls or repeat-contact window are still open), brought up to date in the
-- background. A cache of what the event log says: dropping it loses nothing.

DROP TABLE kpi_days;

CREATE TABLE kpi_days (
    day         TEXT PRIMARY KEY,
    settings    TEXT NOT NULL,
    settled     BOOLEAN NOT NULL,
    computed_at TEXT NOT NULL,
    total       TEXT NOT NULL,
    hours       TEXT NOT NULL,
    slices      TEXT NOT NULL
);
