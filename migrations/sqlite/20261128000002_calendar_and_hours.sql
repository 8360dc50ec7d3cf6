-- The working-day calendar's data and queue business hours (routing issue).
-- Fixed-date holidays and their weekend transfers are rules in code (services/domain/src/calendar.rs);
-- this table holds what the law does not fix: the first day of Kurban Ait (lunar calendar) and
-- the Government's yearly decree moving days off. Admins keep it current.

CREATE TABLE calendar_days (
    date       TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    name_kk    TEXT NOT NULL,
    name_ru    TEXT NOT NULL,
    note       TEXT,
    updated_at TEXT NOT NULL
);

-- Kurban Ait, first day (a day off that does not move). Dates as announced by the Spiritual
-- Administration of Muslims of Kazakhstan; confirm each year's announcement.
INSERT INTO calendar_days (date, kind, name_kk, name_ru, note, updated_at) VALUES
    ('2025-06-06', 'day_off', 'Құрбан айт', 'Курбан айт', 'first day of Kurban Ait', '2026-11-28T00:00:00+00:00'),
    ('2026-05-27', 'day_off', 'Құрбан айт', 'Курбан айт', 'first day of Kurban Ait', '2026-11-28T00:00:00+00:00'),
    ('2027-05-16', 'day_off', 'Құрбан айт', 'Курбан айт', 'first day of Kurban Ait (expected; confirm)', '2026-11-28T00:00:00+00:00');

-- NULL: the default hours, 09:00–18:00 on working days.
ALTER TABLE queues ADD COLUMN hours TEXT;
