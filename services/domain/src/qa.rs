//! Quality assurance (R26–R28, KPI 2): the scorecard supervisors review contacts against, how a
//! review's scores become its weighted total and its KPI 2 verdict, and how the reviews of two
//! or more reviewers on one contact differ (calibration).
//!
//! KPI 2 (Appendix 1) counts a review as *accurate* when accuracy, completeness and procedure
//! each reach the pass mark; courtesy and data protection weigh in the total only. The
//! scorecard is a settings document admins edit; a review keeps the total and verdict it got
//! when it was recorded, so editing the scorecard never rewrites past KPIs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::enums::string_enum;
use crate::DomainError;

string_enum! {
    /// A criterion of the scorecard, each scored 0–100.
    #[derive(PartialOrd, Ord)]
    Criterion, "criterion" {
        /// The information given was correct.
        Accuracy = "accuracy",
        /// Everything the client asked was answered.
        Completeness = "completeness",
        /// Order 443's procedure was followed (greeting, identification, registration, wrap-up).
        Procedure = "procedure",
        Courtesy = "courtesy",
        /// Personal data handled as the law requires (R11, R33).
        DataProtection = "data_protection",
    }
}

impl Criterion {
    /// The criteria KPI 2 counts: a review passes only when each of them reaches the pass mark.
    pub const KPI2: [Criterion; 3] = [
        Criterion::Accuracy,
        Criterion::Completeness,
        Criterion::Procedure,
    ];
}

/// The weight of each criterion in the total, in percent; they sum to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Weights {
    pub accuracy: u8,
    pub completeness: u8,
    pub procedure: u8,
    pub courtesy: u8,
    pub data_protection: u8,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            accuracy: 30,
            completeness: 25,
            procedure: 20,
            courtesy: 15,
            data_protection: 10,
        }
    }
}

impl Weights {
    pub fn of(&self, c: Criterion) -> u8 {
        match c {
            Criterion::Accuracy => self.accuracy,
            Criterion::Completeness => self.completeness,
            Criterion::Procedure => self.procedure,
            Criterion::Courtesy => self.courtesy,
            Criterion::DataProtection => self.data_protection,
        }
    }

    pub fn sum(&self) -> u32 {
        Criterion::ALL.iter().map(|c| u32::from(self.of(*c))).sum()
    }
}

/// The centre's QA scorecard (R26, R28).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct Scorecard {
    pub weights: Weights,
    /// The score (0–100) accuracy, completeness and procedure must each reach for the review
    /// to count as accurate in KPI 2.
    pub pass_mark: u8,
    /// How many contacts of each operator the sample of a period draws (R28).
    pub sample_per_operator: u32,
}

impl Default for Scorecard {
    fn default() -> Self {
        Scorecard {
            weights: Weights::default(),
            pass_mark: 80,
            sample_per_operator: 5,
        }
    }
}

/// The largest sample per operator: a supervisor reviews a handful of contacts, not all.
pub const MAX_SAMPLE_PER_OPERATOR: u32 = 100;

/// A review's scores checked against the scorecard, with what they add up to.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// Criterion (as on the wire) → score 0–100; every criterion present.
    pub scores: BTreeMap<String, u8>,
    /// Σ score × weight / 100: 0–100.
    pub total: f64,
    /// Accuracy, completeness and procedure each at or above the pass mark (KPI 2).
    pub accurate: bool,
}

impl Scorecard {
    /// Weights summing to 100 (so the total is on the same 0–100 scale as the scores), a pass
    /// mark of at most 100, a sample of 1 to [`MAX_SAMPLE_PER_OPERATOR`].
    pub fn validate(&self) -> Result<(), DomainError> {
        let sum = self.weights.sum();
        if sum != 100 {
            return Err(DomainError::InvalidField {
                field: "weights",
                reason: format!("the weights must sum to 100, not {sum}"),
            });
        }
        if self.pass_mark > 100 {
            return Err(DomainError::InvalidField {
                field: "pass_mark",
                reason: "0 to 100".into(),
            });
        }
        if !(1..=MAX_SAMPLE_PER_OPERATOR).contains(&self.sample_per_operator) {
            return Err(DomainError::InvalidField {
                field: "sample_per_operator",
                reason: format!("1 to {MAX_SAMPLE_PER_OPERATOR}"),
            });
        }
        Ok(())
    }

    /// Checks a review's scores — every criterion exactly once, each 0–100, nothing else — and
    /// computes the weighted total and the KPI 2 verdict.
    pub fn assess(&self, raw: &BTreeMap<String, i64>) -> Result<Assessment, DomainError> {
        let mut scores = BTreeMap::new();
        for (name, value) in raw {
            let c: Criterion = name.parse()?;
            let score = u8::try_from(*value)
                .ok()
                .filter(|s| *s <= 100)
                .ok_or_else(|| DomainError::InvalidField {
                    field: "scores",
                    reason: format!("{c} must be scored 0 to 100, not {value}"),
                })?;
            scores.insert(c, score);
        }
        if let Some(missing) = Criterion::ALL.iter().find(|c| !scores.contains_key(c)) {
            return Err(DomainError::InvalidField {
                field: "scores",
                reason: format!("{missing} is not scored"),
            });
        }
        let weighted: u32 = scores
            .iter()
            .map(|(c, s)| u32::from(*s) * u32::from(self.weights.of(*c)))
            .sum();
        let accurate = Criterion::KPI2
            .iter()
            .all(|c| scores.get(c).is_some_and(|s| *s >= self.pass_mark));
        Ok(Assessment {
            scores: scores
                .into_iter()
                .map(|(c, s)| (c.as_str().to_owned(), s))
                .collect(),
            total: f64::from(weighted) / f64::from(self.weights.sum().max(1)),
            accurate,
        })
    }
}

/// How the reviews of one contact differ (calibration, R28): two reviewers scoring the same
/// contact should agree; a large spread means the scorecard is read differently.
#[derive(Debug, Clone, PartialEq)]
pub struct Spread {
    /// Criterion → highest − lowest score; empty without reviews.
    pub by_criterion: BTreeMap<String, u8>,
    /// Highest − lowest total; `None` without reviews.
    pub total: Option<f64>,
    /// Whether every reviewer reached the same KPI 2 verdict.
    pub accurate_agreed: bool,
}

/// One review as calibration sees it: its scores, total and verdict.
pub type Scored<'a> = (&'a BTreeMap<String, u8>, f64, bool);

/// The spread of the reviews of one contact.
pub fn spread<'a>(reviews: impl IntoIterator<Item = Scored<'a>>) -> Spread {
    let mut range: BTreeMap<String, (u8, u8)> = BTreeMap::new();
    let mut totals: Option<(f64, f64)> = None;
    let mut verdicts = (false, false);
    for (scores, total, accurate) in reviews {
        for (c, s) in scores {
            let r = range.entry(c.clone()).or_insert((*s, *s));
            r.0 = r.0.min(*s);
            r.1 = r.1.max(*s);
        }
        totals = Some(totals.map_or((total, total), |(lo, hi)| (lo.min(total), hi.max(total))));
        if accurate {
            verdicts.0 = true;
        } else {
            verdicts.1 = true;
        }
    }
    Spread {
        by_criterion: range
            .into_iter()
            .map(|(c, (lo, hi))| (c, hi - lo))
            .collect(),
        total: totals.map(|(lo, hi)| ((hi - lo) * 100.0).round() / 100.0),
        accurate_agreed: !(verdicts.0 && verdicts.1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    }

    fn all(a: i64, c: i64, p: i64, co: i64, d: i64) -> BTreeMap<String, i64> {
        raw(&[
            ("accuracy", a),
            ("completeness", c),
            ("procedure", p),
            ("courtesy", co),
            ("data_protection", d),
        ])
    }

    #[test]
    fn default_scorecard_is_valid_and_sums_to_100() {
        let card = Scorecard::default();
        assert_eq!(card.validate(), Ok(()));
        assert_eq!(card.weights.sum(), 100);
        assert_eq!(card.pass_mark, 80);
        assert_eq!(card.sample_per_operator, 5);
    }

    #[test]
    fn validate_refuses_bad_scorecards() {
        let mut card = Scorecard::default();
        card.weights.courtesy = 20;
        assert!(matches!(
            card.validate(),
            Err(DomainError::InvalidField {
                field: "weights",
                ..
            })
        ));
        let card = Scorecard {
            pass_mark: 101,
            ..Scorecard::default()
        };
        assert!(card.validate().is_err());
        for n in [0, MAX_SAMPLE_PER_OPERATOR + 1] {
            let card = Scorecard {
                sample_per_operator: n,
                ..Scorecard::default()
            };
            assert!(card.validate().is_err(), "{n}");
        }
    }

    #[test]
    fn total_is_weighted_and_accuracy_needs_three_criteria() {
        let card = Scorecard::default();
        let a = card.assess(&all(100, 100, 100, 100, 100)).ok();
        assert_eq!(a.as_ref().map(|a| a.total), Some(100.0));
        assert_eq!(a.map(|a| a.accurate), Some(true));
        // 90·30 + 80·25 + 80·20 + 0·15 + 0·10 = 6300 → 63: poor courtesy lowers the total
        // but not KPI 2.
        let a = card.assess(&all(90, 80, 80, 0, 0)).ok();
        assert_eq!(a.as_ref().map(|a| a.total), Some(63.0));
        assert_eq!(a.map(|a| a.accurate), Some(true));
        // One of the three below the pass mark: not accurate, however high the rest.
        for scores in [
            all(79, 100, 100, 100, 100),
            all(100, 79, 100, 100, 100),
            all(100, 100, 79, 100, 100),
        ] {
            assert_eq!(card.assess(&scores).map(|a| a.accurate), Ok(false));
        }
        let a = card.assess(&all(85, 70, 95, 60, 100)).ok();
        // 2550 + 1750 + 1900 + 900 + 1000 = 8100.
        assert_eq!(a.map(|a| a.total), Some(81.0));
    }

    #[test]
    fn assess_refuses_bad_scores() {
        let card = Scorecard::default();
        for bad in [
            all(101, 80, 80, 80, 80),
            all(-1, 80, 80, 80, 80),
            all(80, 80, 80, 80, 1000),
        ] {
            assert!(matches!(
                card.assess(&bad),
                Err(DomainError::InvalidField {
                    field: "scores",
                    ..
                })
            ));
        }
        let mut unknown = all(80, 80, 80, 80, 80);
        unknown.insert("speed".into(), 50);
        assert!(matches!(
            card.assess(&unknown),
            Err(DomainError::UnknownValue {
                kind: "criterion",
                ..
            })
        ));
        let mut missing = all(80, 80, 80, 80, 80);
        missing.remove("courtesy");
        assert!(card.assess(&missing).is_err());
        assert!(card.assess(&BTreeMap::new()).is_err());
    }

    #[test]
    fn spread_is_max_minus_min() {
        let card = Scorecard::default();
        let a = card.assess(&all(90, 80, 80, 100, 100)).ok();
        let b = card.assess(&all(70, 85, 80, 90, 100)).ok();
        let (Some(a), Some(b)) = (a, b) else {
            panic!("valid scores")
        };
        let s = spread([
            (&a.scores, a.total, a.accurate),
            (&b.scores, b.total, b.accurate),
        ]);
        assert_eq!(s.by_criterion.get("accuracy"), Some(&20));
        assert_eq!(s.by_criterion.get("completeness"), Some(&5));
        assert_eq!(s.by_criterion.get("procedure"), Some(&0));
        assert_eq!(s.by_criterion.get("courtesy"), Some(&10));
        assert_eq!(s.by_criterion.get("data_protection"), Some(&0));
        // 8800 / 100 − 8175 / 100.
        assert_eq!(s.total, Some(6.25));
        assert!(!s.accurate_agreed);
        let one = spread([(&a.scores, a.total, a.accurate)]);
        assert_eq!(one.total, Some(0.0));
        assert!(one.accurate_agreed);
        let none = spread([]);
        assert!(none.by_criterion.is_empty());
        assert_eq!(none.total, None);
    }
}
