use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::DayKind;

/// One day of the working-day calendar (Asia/Almaty).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CalendarDayView {
    pub date: NaiveDate,
    pub working: bool,
    /// `weekday`, `weekend`, `holiday`, `transferred` (the day off of a weekend holiday) or
    /// `override` (set by an admin).
    pub reason: String,
    pub name_kk: Option<String>,
    pub name_ru: Option<String>,
    /// For `transferred`: the holiday's own date.
    pub transferred_from: Option<NaiveDate>,
}

/// A date an admin fixed: the first day of Kurban Ait, or a decree's transfer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DayOverrideView {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub name_kk: String,
    pub name_ru: String,
    pub note: Option<String>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetDayOverride {
    pub kind: DayKind,
    #[schema(max_length = 200, min_length = 1)]
    pub name_kk: String,
    #[schema(max_length = 200, min_length = 1)]
    pub name_ru: String,
    /// E.g. the decree's number and date.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WorkingDaysView {
    pub from: NaiveDate,
    pub days: u32,
    /// The `days`-th working day after `from`.
    pub date: NaiveDate,
}

/// `[from, to)` in local time, `HH:MM`; `to` may be `24:00`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeRange {
    #[schema(min_length = 5, max_length = 5, pattern = "^[0-2][0-9]:[0-5][0-9]$")]
    pub from: String,
    #[schema(min_length = 5, max_length = 5, pattern = "^[0-2][0-9]:[0-5][0-9]$")]
    pub to: String,
}

/// A queue's opening hours per weekday; several ranges a day are allowed, overlaps are not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BusinessHoursDto {
    #[serde(default)]
    pub monday: Vec<TimeRange>,
    #[serde(default)]
    pub tuesday: Vec<TimeRange>,
    #[serde(default)]
    pub wednesday: Vec<TimeRange>,
    #[serde(default)]
    pub thursday: Vec<TimeRange>,
    #[serde(default)]
    pub friday: Vec<TimeRange>,
    #[serde(default)]
    pub saturday: Vec<TimeRange>,
    #[serde(default)]
    pub sunday: Vec<TimeRange>,
    /// Open on public holidays and their transferred days off too, with that weekday's hours
    /// (24/7 lines). Weekends follow `saturday` and `sunday`; a weekend made a working day by
    /// decree uses its own hours, or Monday's when it has none.
    #[serde(default)]
    pub open_on_holidays: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QueueOpenView {
    pub at: DateTime<Utc>,
    pub open: bool,
    /// When it opens next (within two weeks); equal to `at` when open.
    pub next_opening: Option<DateTime<Utc>>,
}
