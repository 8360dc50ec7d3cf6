//! Calling clients back (R13): only at hours convenient to them — inside the calling window on
//! working days of the calendar, in Asia/Almaty (R13.5) — never a client marked do-not-contact
//! (R13.4), and with a limit on attempts so nobody is called again and again.

use chrono::{DateTime, NaiveTime, Timelike, Utc};

use crate::{Calendar, DomainError, TZ};

/// Attempts before a callback is given up as failed.
pub const MAX_ATTEMPTS: i64 = 3;

/// When the centre may call a client: from `from` to `to`, local time, on working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallingWindow {
    pub from: NaiveTime,
    pub to: NaiveTime,
    /// Only on the calendar's working days (the law's default; a centre open every day may
    /// call every day).
    pub working_days_only: bool,
}

impl Default for CallingWindow {
    /// 09:00–20:00, the hours the issue "The phone" sets as convenient.
    fn default() -> Self {
        CallingWindow {
            from: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or(NaiveTime::MIN),
            to: NaiveTime::from_hms_opt(20, 0, 0).unwrap_or(NaiveTime::MIN),
            working_days_only: true,
        }
    }
}

impl CallingWindow {
    pub fn is_open(&self, calendar: &Calendar, at: DateTime<Utc>) -> bool {
        let local = at.with_timezone(&TZ);
        let time = local.time().with_nanosecond(0).unwrap_or(local.time());
        let day_ok = !self.working_days_only || calendar.is_working_day(local.date_naive());
        day_ok && time >= self.from && time < self.to
    }

    /// `HH:MM-HH:MM`, as the configuration writes it.
    pub fn parse(v: &str) -> Result<CallingWindow, DomainError> {
        let bad = || DomainError::InvalidField {
            field: "calling hours",
            reason: "HH:MM-HH:MM with the start before the end".into(),
        };
        let (a, b) = v.trim().split_once('-').ok_or_else(bad)?;
        let from = NaiveTime::parse_from_str(a.trim(), "%H:%M").map_err(|_| bad())?;
        let to = NaiveTime::parse_from_str(b.trim(), "%H:%M").map_err(|_| bad())?;
        if from >= to {
            return Err(bad());
        }
        Ok(CallingWindow {
            from,
            to,
            working_days_only: true,
        })
    }
}

/// What came of one attempt to call a client back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The client was reached: the callback is done.
    Answered,
    NoAnswer,
    Busy,
    /// Not needed any more (the client called again, or asked not to be called).
    Cancelled,
    /// The PBX did not take the call (unreachable, refused the command): no attempt was made,
    /// the callback waits again. Never given by staff.
    NotPlaced,
}

impl Outcome {
    pub fn parse(s: &str) -> Result<Outcome, DomainError> {
        Ok(match s {
            "answered" => Outcome::Answered,
            "no_answer" => Outcome::NoAnswer,
            "busy" => Outcome::Busy,
            "cancelled" => Outcome::Cancelled,
            _ => {
                return Err(DomainError::InvalidField {
                    field: "outcome",
                    reason: "answered, no_answer, busy or cancelled".into(),
                })
            }
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::NoAnswer => "no_answer",
            Outcome::Busy => "busy",
            Outcome::Cancelled => "cancelled",
            Outcome::NotPlaced => "not_placed",
        }
    }

    /// Whether this outcome is an attempt to call (a cancellation is not).
    pub fn is_attempt(self) -> bool {
        !matches!(self, Outcome::Cancelled | Outcome::NotPlaced)
    }

    /// The callback's state after this outcome, with `attempts` counted so far (this one
    /// included).
    pub fn next_state(self, attempts: i64) -> &'static str {
        match self {
            Outcome::Answered => "done",
            Outcome::Cancelled => "cancelled",
            Outcome::NotPlaced => "pending",
            Outcome::NoAnswer | Outcome::Busy if attempts >= MAX_ATTEMPTS => "failed",
            Outcome::NoAnswer | Outcome::Busy => "pending",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_window_is_working_days_nine_to_eight_in_almaty() {
        let cal = Calendar::new([]);
        let w = CallingWindow::default();
        // Friday 4 December 2026: 09:00 Almaty is 04:00 UTC (UTC+5).
        let at = |h, m| {
            Utc.with_ymd_and_hms(2026, 12, 4, h, m, 0)
                .single()
                .unwrap_or_default()
        };
        assert!(!w.is_open(&cal, at(3, 59)));
        assert!(w.is_open(&cal, at(4, 0)));
        assert!(w.is_open(&cal, at(14, 59)));
        assert!(!w.is_open(&cal, at(15, 0)));
        // Saturday 5 December: closed all day.
        let sat = Utc
            .with_ymd_and_hms(2026, 12, 5, 6, 0, 0)
            .single()
            .unwrap_or_default();
        assert!(!w.is_open(&cal, sat));
        assert_eq!(CallingWindow::parse("09:00-20:00"), Ok(w));
        assert!(CallingWindow::parse("20:00-09:00").is_err());
        assert!(CallingWindow::parse("9").is_err());
    }

    #[test]
    fn attempts_are_limited() {
        assert_eq!(Outcome::NoAnswer.next_state(1), "pending");
        assert_eq!(Outcome::Busy.next_state(MAX_ATTEMPTS), "failed");
        assert_eq!(Outcome::Answered.next_state(1), "done");
        assert_eq!(Outcome::Cancelled.next_state(0), "cancelled");
        assert!(Outcome::parse("later").is_err());
        assert!(Outcome::parse("not_placed").is_err(), "staff never say it");
        assert_eq!(Outcome::NotPlaced.next_state(MAX_ATTEMPTS), "pending");
        assert!(!Outcome::NotPlaced.is_attempt());
    }
}
