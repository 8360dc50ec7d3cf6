-- KPI totals of past local days (R35: reports over millions of events come back in seconds).
-- A day's totals are final once the definitions can no longer change them — its calls answered
-- or abandoned, its resolutions' repeat-contact window closed — and are computed from the
-- event log once, then summed. The settings they were computed with are kept: a change of the
-- KPI settings makes them stale, and they are computed again.

CREATE TABLE kpi_days (
    day         TEXT PRIMARY KEY,
    settings    TEXT NOT NULL,
    sums        TEXT NOT NULL,
    computed_at TIMESTAMPTZ NOT NULL
);
