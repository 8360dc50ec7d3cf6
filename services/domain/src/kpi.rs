//! KPI settings (Appendix 1, R35): the target band of each indicator, and the few choices the
//! definitions leave to the centre. Defaults are Appendix 1's bands.

use serde::{Deserialize, Serialize};

use crate::DomainError;

/// A target band: `low`–`high`, and which way is better.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub low: f64,
    pub high: f64,
    /// `true` when more is better (CSAT, FCR); `false` when less is (waiting, lost calls).
    pub higher_is_better: bool,
}

/// Where a figure stands against its band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BandStatus {
    /// Beyond the band on the good side.
    Better,
    Within,
    /// Beyond the band on the bad side.
    Worse,
}

impl Band {
    pub const fn lower(low: f64, high: f64) -> Band {
        Band {
            low,
            high,
            higher_is_better: false,
        }
    }

    pub const fn higher(low: f64, high: f64) -> Band {
        Band {
            low,
            high,
            higher_is_better: true,
        }
    }

    pub fn status(&self, value: f64) -> BandStatus {
        let (good, bad) = if self.higher_is_better {
            (value > self.high, value < self.low)
        } else {
            (value < self.low, value > self.high)
        };
        if good {
            BandStatus::Better
        } else if bad {
            BandStatus::Worse
        } else {
            BandStatus::Within
        }
    }
}

/// The centre's KPI settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct KpiSettings {
    /// KPI 1: mean wait after the voice menu, seconds (40–60).
    pub wait_after_ivr_secs: Band,
    /// KPI 2: share of QA reviews passing accuracy, completeness and procedure, % (80–85).
    pub accuracy_pct: Band,
    /// KPI 3: mean satisfaction on 1–5 (4.25–5).
    pub csat_mean: Band,
    /// KPI 3: share of 4 and 5 among answers, % (85–100).
    pub csat_share_pct: Band,
    /// KPI 4: first contact resolution, % (80–85).
    pub fcr_pct: Band,
    /// KPI 5: lost calls, % (5–10).
    pub lost_calls_pct: Band,
    /// A new appeal of the same client on the same topic within this many days after a
    /// resolution means the first contact did not resolve it.
    pub repeat_contact_days: u32,
    /// Calls abandoned sooner than this after entering the queue are not counted at all.
    pub short_abandon_secs: u32,
    /// Service level: calls answered within this many seconds, of all that entered the queue
    /// (see [`KpiSettings::service_level_pct`]).
    pub service_level_secs: u32,
}

impl Default for KpiSettings {
    fn default() -> Self {
        KpiSettings {
            wait_after_ivr_secs: Band::lower(40.0, 60.0),
            accuracy_pct: Band::higher(80.0, 85.0),
            csat_mean: Band::higher(4.25, 5.0),
            csat_share_pct: Band::higher(85.0, 100.0),
            fcr_pct: Band::higher(80.0, 85.0),
            lost_calls_pct: Band::lower(5.0, 10.0),
            repeat_contact_days: 7,
            short_abandon_secs: 0,
            service_level_secs: 20,
        }
    }
}

impl KpiSettings {
    /// Whether a call that left the queue unanswered after `wait` seconds counts at all:
    /// abandons sooner than the short-abandon setting count neither as lost nor as entered.
    pub fn counts_abandon(&self, wait: f64) -> bool {
        wait >= f64::from(self.short_abandon_secs)
    }

    /// Whether a call answered after `wait` seconds in the queue was within the service level.
    pub fn within_service_level(&self, wait: f64) -> bool {
        wait <= f64::from(self.service_level_secs)
    }

    /// The service level — one definition for the live view and the KPIs: inbound calls
    /// answered within `service_level_secs` of entering the queue after the voice menu, as a
    /// percentage of the inbound calls that entered the queue and were answered or lost (short
    /// abandons count in neither). `None` when no call entered.
    pub fn service_level_pct(within: u64, entered: u64) -> Option<f64> {
        (entered > 0).then(|| 100.0 * within as f64 / entered as f64)
    }

    pub fn validate(&self) -> Result<(), DomainError> {
        for (field, b) in [
            ("wait_after_ivr_secs", self.wait_after_ivr_secs),
            ("accuracy_pct", self.accuracy_pct),
            ("csat_mean", self.csat_mean),
            ("csat_share_pct", self.csat_share_pct),
            ("fcr_pct", self.fcr_pct),
            ("lost_calls_pct", self.lost_calls_pct),
        ] {
            if !(b.low.is_finite() && b.high.is_finite() && b.low >= 0.0 && b.low <= b.high) {
                return Err(DomainError::InvalidField {
                    field,
                    reason: "a band needs 0 <= low <= high".into(),
                });
            }
        }
        let bounded = |field, v: u32, max: u32| {
            if v > max {
                Err(DomainError::InvalidField {
                    field,
                    reason: format!("at most {max}"),
                })
            } else {
                Ok(())
            }
        };
        bounded("repeat_contact_days", self.repeat_contact_days, 90)?;
        bounded("short_abandon_secs", self.short_abandon_secs, 60)?;
        bounded("service_level_secs", self.service_level_secs, 600)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_say_which_side() {
        let wait = Band::lower(40.0, 60.0);
        assert_eq!(wait.status(30.0), BandStatus::Better);
        assert_eq!(wait.status(60.0), BandStatus::Within);
        assert_eq!(wait.status(61.0), BandStatus::Worse);
        let fcr = Band::higher(80.0, 85.0);
        assert_eq!(fcr.status(90.0), BandStatus::Better);
        assert_eq!(fcr.status(79.9), BandStatus::Worse);
        assert_eq!(KpiSettings::default().validate(), Ok(()));
        let bad = KpiSettings {
            fcr_pct: Band::higher(90.0, 80.0),
            ..KpiSettings::default()
        };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn service_level_counts_calls_answered_in_time_of_those_that_entered() {
        let s = KpiSettings {
            short_abandon_secs: 5,
            ..KpiSettings::default()
        };
        assert!(s.within_service_level(20.0) && !s.within_service_level(20.5));
        assert!(!s.counts_abandon(4.9) && s.counts_abandon(5.0));
        assert_eq!(KpiSettings::service_level_pct(3, 4), Some(75.0));
        assert_eq!(KpiSettings::service_level_pct(0, 0), None);
    }
}
