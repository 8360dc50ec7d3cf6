//! The working-day calendar of Kazakhstan, for deadlines (the Administrative Procedural Code
//! counts in working days) and business hours (R12.3, report rows 6–7).
//!
//! Monday to Friday are working days, minus the public holidays of the Labour Code (art. 84 and
//! the Law on holidays). A national holiday that falls on a Saturday or Sunday moves its day off
//! to the next working day; the religious ones (Orthodox Christmas, the first day of Kurban Ait)
//! do not move. Everything the law does not fix — the date of Kurban Ait, which follows the lunar
//! calendar, and the Government's yearly decree moving days off, which creates working
//! Saturdays — is data: [`DayOverride`] rows an admin keeps, applied on top of the rules.
//!
//! All dates are local dates in Asia/Almaty (DESIGN principle 8).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::enums::string_enum;
use crate::TZ;

string_enum! {
    /// What an override makes of a date.
    DayKind, "day kind" {
        /// Not a working day (a movable holiday, a day off moved by decree).
        DayOff = "day_off",
        /// A working day even if a weekend or holiday (a decree's working Saturday).
        WorkingDay = "working_day",
    }
}

/// A date the admin fixed by hand, winning over the rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayOverride {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub name_kk: String,
    pub name_ru: String,
}

/// A public holiday fixed by law.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holiday {
    pub month: u32,
    pub day: u32,
    pub name_kk: &'static str,
    pub name_ru: &'static str,
    /// National holidays on a weekend move their day off to the next working day; religious
    /// ones do not.
    pub moves: bool,
}

const fn h(
    month: u32,
    day: u32,
    name_kk: &'static str,
    name_ru: &'static str,
    moves: bool,
) -> Holiday {
    Holiday {
        month,
        day,
        name_kk,
        name_ru,
        moves,
    }
}

/// The fixed-date holidays that are days off. Kurban Ait is movable and lives in the data.
pub const HOLIDAYS: &[Holiday] = &[
    h(1, 1, "Жаңа жыл", "Новый год", true),
    h(1, 2, "Жаңа жыл", "Новый год", true),
    h(
        1,
        7,
        "Православиелік Рождество",
        "Православное Рождество",
        false,
    ),
    h(
        3,
        8,
        "Халықаралық әйелдер күні",
        "Международный женский день",
        true,
    ),
    h(3, 21, "Наурыз мейрамы", "Наурыз мейрамы", true),
    h(3, 22, "Наурыз мейрамы", "Наурыз мейрамы", true),
    h(3, 23, "Наурыз мейрамы", "Наурыз мейрамы", true),
    h(
        5,
        1,
        "Қазақстан халқының бірлігі мерекесі",
        "Праздник единства народа Казахстана",
        true,
    ),
    h(5, 7, "Отан қорғаушы күні", "День защитника Отечества", true),
    h(5, 9, "Жеңіс күні", "День Победы", true),
    h(7, 6, "Астана күні", "День Столицы", true),
    h(8, 30, "Конституция күні", "День Конституции", true),
    h(10, 25, "Республика күні", "День Республики", true),
    h(12, 16, "Тәуелсіздік күні", "День Независимости", true),
];

/// Why a date is or is not a working day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum DayReason {
    Weekday,
    Weekend,
    Holiday {
        name_kk: String,
        name_ru: String,
    },
    /// The day off of a holiday that fell on a weekend.
    Transferred {
        from: NaiveDate,
        name_kk: String,
        name_ru: String,
    },
    Override {
        name_kk: String,
        name_ru: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayInfo {
    pub date: NaiveDate,
    pub working: bool,
    #[serde(flatten)]
    pub reason: DayReason,
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The days off the law gives in `year`, with the transfers of weekend holidays.
fn law_days(year: i32) -> BTreeMap<NaiveDate, DayReason> {
    let mut days = BTreeMap::new();
    for hol in HOLIDAYS {
        if let Some(d) = NaiveDate::from_ymd_opt(year, hol.month, hol.day) {
            days.insert(
                d,
                DayReason::Holiday {
                    name_kk: hol.name_kk.into(),
                    name_ru: hol.name_ru.into(),
                },
            );
        }
    }
    // Transfers in date order: each weekend holiday takes the first weekday after it that is
    // neither a holiday nor already taken by an earlier transfer (Nauryz on Sat–Sun–Mon moves
    // its two weekend days to Tuesday and Wednesday).
    let holidays: BTreeSet<NaiveDate> = days.keys().copied().collect();
    for hol in HOLIDAYS.iter().filter(|h| h.moves) {
        let Some(d) = NaiveDate::from_ymd_opt(year, hol.month, hol.day) else {
            continue;
        };
        if !is_weekend(d) {
            continue;
        }
        let mut next = d + Duration::days(1);
        while is_weekend(next) || holidays.contains(&next) || days.contains_key(&next) {
            next += Duration::days(1);
        }
        days.insert(
            next,
            DayReason::Transferred {
                from: d,
                name_kk: hol.name_kk.into(),
                name_ru: hol.name_ru.into(),
            },
        );
    }
    days
}

/// The calendar: the law's rules plus the admin's overrides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    overrides: BTreeMap<NaiveDate, DayOverride>,
}

impl Calendar {
    pub fn new(overrides: impl IntoIterator<Item = DayOverride>) -> Self {
        Calendar {
            overrides: overrides.into_iter().map(|o| (o.date, o)).collect(),
        }
    }

    /// The local date of an instant in Asia/Almaty.
    pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&TZ).date_naive()
    }

    pub fn day(&self, date: NaiveDate) -> DayInfo {
        if let Some(o) = self.overrides.get(&date) {
            return DayInfo {
                date,
                working: o.kind == DayKind::WorkingDay,
                reason: DayReason::Override {
                    name_kk: o.name_kk.clone(),
                    name_ru: o.name_ru.clone(),
                },
            };
        }
        // A transfer from late December can land in January, so look at both years.
        for year in [date.year(), date.year() - 1] {
            if let Some(reason) = law_days(year).remove(&date) {
                return DayInfo {
                    date,
                    working: false,
                    reason,
                };
            }
        }
        if is_weekend(date) {
            DayInfo {
                date,
                working: false,
                reason: DayReason::Weekend,
            }
        } else {
            DayInfo {
                date,
                working: true,
                reason: DayReason::Weekday,
            }
        }
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.day(date).working
    }

    /// `date` itself when it is a working day, else the next one. An appeal received on a
    /// non-working day is registered on the next working day (АППК art. 63).
    pub fn next_working_day(&self, date: NaiveDate) -> NaiveDate {
        let mut d = date;
        // A year without working days cannot happen unless overrides say so; stop after a year.
        for _ in 0..366 {
            if self.is_working_day(d) {
                return d;
            }
            d += Duration::days(1);
        }
        d
    }

    /// The `n`-th working day after `date` (not counting `date` itself): "15 working days
    /// after" the registration date is the deadline of an appeal (АППК art. 76).
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut d = date;
        let mut left = n;
        let mut guard = 0u32;
        while left > 0 && guard < n.saturating_mul(7).saturating_add(366) {
            d += Duration::days(1);
            guard += 1;
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days in `(from, to]`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d += Duration::days(1);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }

    /// Every day of `[from, to]` with its status, for the admin's calendar view.
    pub fn days(&self, from: NaiveDate, to: NaiveDate) -> Vec<DayInfo> {
        from.iter_days()
            .take_while(|d| *d <= to)
            .map(|d| self.day(d))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    fn kurban(date: NaiveDate) -> DayOverride {
        DayOverride {
            date,
            kind: DayKind::DayOff,
            name_kk: "Құрбан айт".into(),
            name_ru: "Курбан айт".into(),
        }
    }

    #[test]
    fn republic_day_on_saturday_2025_moves_to_monday() {
        let cal = Calendar::default();
        assert!(!cal.is_working_day(d(2025, 10, 25)));
        assert!(!cal.is_working_day(d(2025, 10, 26)));
        let monday = cal.day(d(2025, 10, 27));
        assert!(!monday.working);
        assert!(
            matches!(monday.reason, DayReason::Transferred { from, .. } if from == d(2025, 10, 25))
        );
        assert!(cal.is_working_day(d(2025, 10, 28)));
    }

    #[test]
    fn sunday_holiday_moves_to_monday() {
        let cal = Calendar::default();
        // Constitution Day 2026 is a Sunday; Capital Day 2025 too.
        assert!(!cal.is_working_day(d(2026, 8, 31)));
        assert!(cal.is_working_day(d(2026, 9, 1)));
        assert!(!cal.is_working_day(d(2025, 7, 7)));
    }

    #[test]
    fn nauryz_on_a_weekend_moves_past_its_own_monday() {
        let cal = Calendar::default();
        // 2026: 21 Sat, 22 Sun, 23 Mon → days off 21–25 March.
        for day in 21..=25 {
            assert!(!cal.is_working_day(d(2026, 3, day)), "March {day}");
        }
        assert!(cal.is_working_day(d(2026, 3, 26)));
        // 2025: 21 Fri, 22 Sat, 23 Sun → 24 and 25 off.
        assert!(!cal.is_working_day(d(2025, 3, 24)));
        assert!(!cal.is_working_day(d(2025, 3, 25)));
        assert!(cal.is_working_day(d(2025, 3, 26)));
    }

    #[test]
    fn religious_holidays_do_not_move() {
        // Kurban Ait 2027 falls on a Sunday: Monday stays a working day.
        let cal = Calendar::new([kurban(d(2027, 5, 16))]);
        assert!(!cal.is_working_day(d(2027, 5, 16)));
        assert!(cal.is_working_day(d(2027, 5, 17)));
        // Orthodox Christmas on a Sunday (2029): no transfer either.
        assert!(cal.is_working_day(d(2029, 1, 8)));
        // Kurban Ait 2026 on a Wednesday is a day off.
        let cal = Calendar::new([kurban(d(2026, 5, 27))]);
        assert!(!cal.is_working_day(d(2026, 5, 27)));
    }

    #[test]
    fn decree_working_saturday_counts() {
        let saturday = d(2026, 1, 3);
        assert!(!Calendar::default().is_working_day(saturday));
        let cal = Calendar::new([DayOverride {
            date: saturday,
            kind: DayKind::WorkingDay,
            name_kk: "Жұмыс күні (қаулы)".into(),
            name_ru: "Рабочий день (постановление)".into(),
        }]);
        assert!(cal.is_working_day(saturday));
        assert_eq!(cal.add_working_days(d(2026, 1, 2), 1), saturday);
    }

    #[test]
    fn fifteen_working_days_across_nauryz() {
        let cal = Calendar::default();
        // From Monday 16 March 2026: 17–20, then 26–27, 30–31, 1–3 and 6–9 April.
        assert_eq!(cal.add_working_days(d(2026, 3, 16), 15), d(2026, 4, 9));
        assert_eq!(cal.working_days_between(d(2026, 3, 16), d(2026, 4, 9)), 15);
        // Without holidays it would have been 6 April.
        assert_eq!(cal.add_working_days(d(2026, 2, 16), 15), d(2026, 3, 10));
        assert_eq!(cal.add_working_days(d(2026, 3, 16), 0), d(2026, 3, 16));
    }

    #[test]
    fn next_working_day_and_new_year_transfer() {
        let cal = Calendar::default();
        // 2 January 2027 is a Saturday: its day off moves to Monday the 4th.
        assert_eq!(cal.next_working_day(d(2027, 1, 1)), d(2027, 1, 5));
        assert_eq!(cal.next_working_day(d(2026, 6, 3)), d(2026, 6, 3));
        // A Saturday appeal is registered on Monday.
        assert_eq!(cal.next_working_day(d(2026, 6, 6)), d(2026, 6, 8));
    }

    #[test]
    fn local_date_uses_almaty() {
        // 20:30 UTC on 31 December is already 1 January in Almaty (UTC+5).
        let at = DateTime::parse_from_rfc3339("2026-12-31T20:30:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        assert_eq!(Calendar::local_date(at), d(2027, 1, 1));
    }

    #[test]
    fn days_lists_a_range() {
        let cal = Calendar::default();
        let days = cal.days(d(2026, 5, 7), d(2026, 5, 11));
        let working: Vec<bool> = days.iter().map(|x| x.working).collect();
        // Thu holiday, Fri, Sat Victory Day, Sun, Mon transfer.
        assert_eq!(working, [false, true, false, false, false]);
    }
}
