//! Business hours of a queue: several intervals a day, by weekday, on top of the working-day
//! calendar. Out of hours the client is told the hours and the other channels (R12.3, report
//! rows 6–7).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, DayInfo, DayReason};
use crate::{DomainError, TZ};

/// One opening interval, `[start, end)` in local time; `end` `24:00` is written `00:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interval {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Interval {
    fn end_secs(&self) -> u32 {
        use chrono::Timelike;
        match self.end.num_seconds_from_midnight() {
            0 => 24 * 3600,
            s => s,
        }
    }

    fn start_secs(&self) -> u32 {
        use chrono::Timelike;
        self.start.num_seconds_from_midnight()
    }

    fn contains(&self, t: NaiveTime) -> bool {
        use chrono::Timelike;
        let s = t.num_seconds_from_midnight();
        self.start_secs() <= s && s < self.end_secs()
    }
}

/// Opening hours for each day of the week (Monday first) and whether the queue also works on
/// public holidays and their transferred days off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyHours {
    pub days: [Vec<Interval>; 7],
    /// Round-the-clock lines (e.g. 1414) work on holidays too, with that weekday's hours.
    pub open_on_holidays: bool,
}

impl Default for WeeklyHours {
    /// 09:00–18:00 Monday to Friday, closed on weekends and holidays.
    fn default() -> Self {
        let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default();
        let six = NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default();
        let day = vec![Interval {
            start: nine,
            end: six,
        }];
        WeeklyHours {
            days: [
                day.clone(),
                day.clone(),
                day.clone(),
                day.clone(),
                day,
                vec![],
                vec![],
            ],
            open_on_holidays: false,
        }
    }
}

impl WeeklyHours {
    /// Open every minute of every day.
    pub fn always() -> Self {
        let all = vec![Interval {
            start: NaiveTime::MIN,
            end: NaiveTime::MIN,
        }];
        WeeklyHours {
            days: [
                all.clone(),
                all.clone(),
                all.clone(),
                all.clone(),
                all.clone(),
                all.clone(),
                all,
            ],
            open_on_holidays: true,
        }
    }

    /// Rejects empty or inverted intervals and overlaps within a day.
    pub fn validate(&self) -> Result<(), DomainError> {
        for (i, day) in self.days.iter().enumerate() {
            let mut sorted = day.clone();
            sorted.sort_by_key(Interval::start_secs);
            for iv in &sorted {
                if iv.start_secs() >= iv.end_secs() {
                    return Err(DomainError::InvalidField {
                        field: "hours",
                        reason: format!(
                            "{}: {}–{} is empty or inverted",
                            weekday_name(i),
                            iv.start,
                            iv.end
                        ),
                    });
                }
            }
            for pair in sorted.windows(2) {
                if pair[1].start_secs() < pair[0].end_secs() {
                    return Err(DomainError::InvalidField {
                        field: "hours",
                        reason: format!(
                            "{}: {}–{} overlaps {}–{}",
                            weekday_name(i),
                            pair[0].start,
                            pair[0].end,
                            pair[1].start,
                            pair[1].end
                        ),
                    });
                }
            }
        }
        Ok(())
    }

    /// The intervals that apply on a date: a weekday's or weekend's own hours; on a holiday
    /// (or its transferred day off) none unless the queue works on holidays; a weekend day made
    /// a working day by decree uses its own hours, or Monday's when it has none.
    fn intervals_on(&self, calendar: &Calendar, date: NaiveDate) -> &[Interval] {
        let weekday = date.weekday().num_days_from_monday() as usize;
        let own = &self.days[weekday];
        match calendar.day(date) {
            DayInfo {
                reason: DayReason::Weekday | DayReason::Weekend,
                ..
            } => own,
            DayInfo { working: true, .. } if weekday >= 5 && own.is_empty() => &self.days[0],
            DayInfo { working: true, .. } => own,
            DayInfo { working: false, .. } if self.open_on_holidays => own,
            DayInfo { working: false, .. } => &[],
        }
    }

    pub fn is_open(&self, calendar: &Calendar, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&TZ);
        self.intervals_on(calendar, local.date_naive())
            .iter()
            .any(|iv| iv.contains(local.time()))
    }

    /// When the queue next opens at or after `at` (within two weeks), for the out-of-hours
    /// reply.
    pub fn next_opening(&self, calendar: &Calendar, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.is_open(calendar, at) {
            return Some(at);
        }
        let local = at.with_timezone(&TZ);
        for offset in 0..15 {
            let date = local.date_naive() + Duration::days(offset);
            let mut starts: Vec<NaiveTime> = self
                .intervals_on(calendar, date)
                .iter()
                .map(|iv| iv.start)
                .collect();
            starts.sort();
            for start in starts {
                let candidate = date.and_time(start).and_local_timezone(TZ).earliest()?;
                if candidate.with_timezone(&Utc) > at {
                    return Some(candidate.with_timezone(&Utc));
                }
            }
        }
        None
    }
}

fn weekday_name(i: usize) -> &'static str {
    [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ]
    .get(i)
    .map(|w| match w {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    })
    .unwrap_or("day")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|x| x.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn default_hours_follow_the_calendar() {
        let cal = Calendar::default();
        let h = WeeklyHours::default();
        assert!(h.validate().is_ok());
        // Tuesday 2026-06-02 10:00 Almaty = 05:00 UTC.
        assert!(h.is_open(&cal, utc("2026-06-02T05:00:00Z")));
        assert!(
            !h.is_open(&cal, utc("2026-06-02T13:00:00Z")),
            "18:00 local is closed"
        );
        assert!(!h.is_open(&cal, utc("2026-06-06T05:00:00Z")), "Saturday");
        assert!(
            !h.is_open(&cal, utc("2026-03-24T05:00:00Z")),
            "Nauryz transfer day"
        );
        // Next opening after Friday evening is Monday 09:00 local = 04:00 UTC.
        assert_eq!(
            h.next_opening(&cal, utc("2026-06-05T14:00:00Z")),
            Some(utc("2026-06-08T04:00:00Z"))
        );
    }

    #[test]
    fn several_intervals_and_round_the_clock() {
        let mut h = WeeklyHours::default();
        h.days[0] = vec![
            Interval {
                start: t(9, 0),
                end: t(13, 0),
            },
            Interval {
                start: t(14, 0),
                end: t(18, 0),
            },
        ];
        assert!(h.validate().is_ok());
        let cal = Calendar::default();
        assert!(!h.is_open(&cal, utc("2026-06-01T08:30:00Z")), "13:30 lunch");
        assert!(h.is_open(&cal, utc("2026-06-01T09:30:00Z")));
        let always = WeeklyHours::always();
        assert!(always.validate().is_ok());
        assert!(always.is_open(&cal, utc("2026-03-22T23:59:00Z")));
    }

    #[test]
    fn weekends_holidays_and_decree_saturdays() {
        use crate::calendar::{DayKind, DayOverride};
        let mut h = WeeklyHours::default();
        h.days[5] = vec![Interval {
            start: t(10, 0),
            end: t(14, 0),
        }];
        let cal = Calendar::default();
        assert!(
            h.is_open(&cal, utc("2026-06-06T06:00:00Z")),
            "an ordinary Saturday, 11:00"
        );
        assert!(
            !h.is_open(&cal, utc("2026-05-09T06:00:00Z")),
            "Victory Day on a Saturday"
        );
        // A decree makes Saturday 3 January 2026 a working day: with no Saturday hours of its
        // own the queue keeps Monday's.
        let decree = Calendar::new([DayOverride {
            date: NaiveDate::from_ymd_opt(2026, 1, 3).unwrap_or_default(),
            kind: DayKind::WorkingDay,
            name_kk: "Жұмыс күні".into(),
            name_ru: "Рабочий день".into(),
        }]);
        let plain = WeeklyHours::default();
        assert!(plain.is_open(&decree, utc("2026-01-03T05:00:00Z")));
        assert!(!plain.is_open(&cal, utc("2026-01-03T05:00:00Z")));
        let open = WeeklyHours {
            open_on_holidays: true,
            ..WeeklyHours::default()
        };
        assert!(
            open.is_open(&cal, utc("2026-03-24T05:00:00Z")),
            "Tuesday hours on a transfer day"
        );
    }

    #[test]
    fn overlaps_and_inverted_intervals_are_refused() {
        let mut h = WeeklyHours::default();
        h.days[2] = vec![
            Interval {
                start: t(9, 0),
                end: t(13, 0),
            },
            Interval {
                start: t(12, 0),
                end: t(18, 0),
            },
        ];
        assert!(h.validate().is_err());
        h.days[2] = vec![Interval {
            start: t(18, 0),
            end: t(9, 0),
        }];
        assert!(h.validate().is_err());
        h.days[2] = vec![Interval {
            start: t(9, 0),
            end: t(9, 0),
        }];
        assert!(h.validate().is_err());
        h.days[2] = vec![
            Interval {
                start: t(9, 0),
                end: t(12, 0),
            },
            Interval {
                start: t(12, 0),
                end: t(13, 0),
            },
        ];
        assert!(h.validate().is_ok(), "touching intervals are fine");
    }
}
