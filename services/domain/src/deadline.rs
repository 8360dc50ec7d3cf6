//! Legal deadlines of appeals on Kazakhstan's working-day calendar, in Asia/Almaty (Administrative
//! Procedural Code No. 350-VI): an appeal received on a non-working day is registered on the next
//! working day (art. 63); one outside the body's competence is forwarded within 3 working days
//! (art. 65); an appeal is considered within 15 working days (art. 76), extended only by a
//! reasoned decision, up to two months, the applicant told within 3 working days. The values are
//! settings with these defaults (R6: the client is told the expected date).

use chrono::{DateTime, Months, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::{AppealKind, Calendar, DomainError, TZ};

/// Deadline settings; every field has the Code's default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct DeadlineSettings {
    /// Working days to consider a request, an application, a complaint, a proposal (art. 76).
    pub request_days: u32,
    pub application_days: u32,
    pub complaint_days: u32,
    pub proposal_days: u32,
    /// Working days to forward an appeal outside the centre's competence (art. 65).
    pub redirect_days: u32,
    /// Working days to tell the applicant of an extension (art. 76).
    pub extension_notice_days: u32,
    /// Longest extension past the first due date, in calendar months (art. 76: two).
    pub max_extension_months: u32,
    /// Working days before the due date the responsible staff are reminded.
    pub reminder_days: u32,
}

impl Default for DeadlineSettings {
    fn default() -> Self {
        DeadlineSettings {
            request_days: 15,
            application_days: 15,
            complaint_days: 15,
            proposal_days: 15,
            redirect_days: 3,
            extension_notice_days: 3,
            max_extension_months: 2,
            reminder_days: 2,
        }
    }
}

impl DeadlineSettings {
    pub fn days_for(&self, kind: AppealKind) -> u32 {
        match kind {
            AppealKind::Request => self.request_days,
            AppealKind::Application => self.application_days,
            AppealKind::Complaint => self.complaint_days,
            AppealKind::Proposal => self.proposal_days,
        }
    }

    /// Every term at least one working day and at most a year; the reminder inside the term.
    pub fn validate(&self) -> Result<(), DomainError> {
        let terms = [
            ("request_days", self.request_days),
            ("application_days", self.application_days),
            ("complaint_days", self.complaint_days),
            ("proposal_days", self.proposal_days),
            ("redirect_days", self.redirect_days),
            ("extension_notice_days", self.extension_notice_days),
        ];
        for (field, days) in terms {
            if !(1..=250).contains(&days) {
                return Err(DomainError::InvalidField {
                    field,
                    reason: "between 1 and 250 working days".into(),
                });
            }
        }
        if !(1..=12).contains(&self.max_extension_months) {
            return Err(DomainError::InvalidField {
                field: "max_extension_months",
                reason: "between 1 and 12 months".into(),
            });
        }
        let shortest = terms.iter().take(4).map(|(_, d)| *d).min().unwrap_or(1);
        if self.reminder_days >= shortest {
            return Err(DomainError::InvalidField {
                field: "reminder_days",
                reason: "must be shorter than every term".into(),
            });
        }
        Ok(())
    }
}

/// The local date of an instant.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&TZ).date_naive()
}

/// The date an appeal counts as registered: the day it arrived, or the next working day when it
/// arrived on a day off (art. 63).
pub fn registration_date(calendar: &Calendar, received: DateTime<Utc>) -> NaiveDate {
    calendar.next_working_day(local_date(received))
}

/// The last instant of a local day: a deadline "on" a date runs to the end of it.
pub fn end_of_day(date: NaiveDate) -> DateTime<Utc> {
    let last = NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN);
    TZ.from_local_datetime(&date.and_time(last))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| date.and_time(last).and_utc())
}

/// When an appeal received at `received` is due: `days` working days after its registration
/// date, at the end of that day.
pub fn due_at(calendar: &Calendar, received: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    end_of_day(calendar.add_working_days(registration_date(calendar, received), days))
}

/// Checks an extension: the new date must be later than the current one and within
/// `max_extension_months` of the first due date.
pub fn check_extension(
    settings: &DeadlineSettings,
    first_due: DateTime<Utc>,
    current_due: DateTime<Utc>,
    new_due: NaiveDate,
) -> Result<DateTime<Utc>, DomainError> {
    let new_at = end_of_day(new_due);
    if new_at <= current_due {
        return Err(DomainError::InvalidField {
            field: "due_date",
            reason: "an extension must move the due date later".into(),
        });
    }
    let limit = local_date(first_due)
        .checked_add_months(Months::new(settings.max_extension_months))
        .unwrap_or(NaiveDate::MAX);
    if new_due > limit {
        return Err(DomainError::InvalidField {
            field: "due_date",
            reason: format!(
                "at most {} months after the first due date ({limit})",
                settings.max_extension_months
            ),
        });
    }
    Ok(new_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DayKind, DayOverride};

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap_or_default()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    /// Monday 16 March 2026: Nauryz (21–23 March; the 21st is a Saturday, so a day off moves
    /// past it) lies inside the 15 working days.
    #[test]
    fn fifteen_working_days_across_nauryz() {
        let cal = Calendar::default();
        let due = due_at(&cal, utc("2026-03-16T06:00:00Z"), 15);
        assert_eq!(local_date(due), d("2026-04-09"));
        // The end of that day in Almaty (UTC+5).
        assert_eq!(due, utc("2026-04-09T18:59:59Z"));
    }

    /// Received on a Saturday: registered on Monday (art. 63), counted from there.
    #[test]
    fn a_weekend_appeal_is_registered_on_monday() {
        let cal = Calendar::default();
        assert_eq!(
            registration_date(&cal, utc("2026-11-28T10:00:00Z")),
            d("2026-11-30")
        );
        assert_eq!(
            local_date(due_at(&cal, utc("2026-11-28T10:00:00Z"), 3)),
            d("2026-12-03")
        );
        // Late on Friday evening in Almaty is already Saturday there.
        assert_eq!(
            registration_date(&cal, utc("2026-11-27T19:30:00Z")),
            d("2026-11-30")
        );
    }

    /// A decree moves a day off and makes a Saturday a working day: both count.
    #[test]
    fn decree_transfers_count() {
        let decree = |date: &str, kind| DayOverride {
            date: d(date),
            kind,
            name_kk: "Қаулы".into(),
            name_ru: "Постановление".into(),
        };
        let cal = Calendar::new(vec![
            decree("2026-12-19", DayKind::WorkingDay),
            decree("2026-12-18", DayKind::DayOff),
        ]);
        // From Wednesday 16 Dec (Independence Day, off): registered Thursday 17th; then
        // Sat 19th (working by decree), Mon 21st, Tue 22nd.
        assert_eq!(
            local_date(due_at(&cal, utc("2026-12-16T05:00:00Z"), 3)),
            d("2026-12-22")
        );
    }

    #[test]
    fn extensions_move_later_and_stay_within_two_months() {
        let s = DeadlineSettings::default();
        let first = utc("2026-04-09T18:59:59Z");
        assert!(check_extension(&s, first, first, d("2026-04-09")).is_err());
        assert!(check_extension(&s, first, first, d("2026-06-09")).is_ok());
        assert!(check_extension(&s, first, first, d("2026-06-10")).is_err());
    }

    #[test]
    fn settings_are_checked() {
        assert!(DeadlineSettings::default().validate().is_ok());
        let bad = DeadlineSettings {
            complaint_days: 0,
            ..DeadlineSettings::default()
        };
        assert!(bad.validate().is_err());
        let bad = DeadlineSettings {
            reminder_days: 15,
            ..DeadlineSettings::default()
        };
        assert!(bad.validate().is_err());
    }
}
