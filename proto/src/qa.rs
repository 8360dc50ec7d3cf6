//! QA reviews (R26–R28, KPI 2): scoring contacts against the scorecard, the sample of a period,
//! and calibration between reviewers.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::Channel;

/// A supervisor's review of one answered contact.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordQaReview {
    pub interaction_id: Uuid,
    /// Every criterion of the scorecard — `accuracy`, `completeness`, `procedure`, `courtesy`,
    /// `data_protection` — scored 0–100, and nothing else.
    #[schema(example = json!({"accuracy": 90, "completeness": 85, "procedure": 100, "courtesy": 80, "data_protection": 100}))]
    pub scores: BTreeMap<String, i64>,
    /// What the operator should keep or change; at most 2,000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QaReviewView {
    pub id: Uuid,
    pub interaction_id: Uuid,
    pub appeal_id: Uuid,
    /// The operator who handled the contact.
    pub operator_id: Uuid,
    pub channel: Channel,
    pub reviewer_id: Uuid,
    /// Criterion → 0–100.
    pub scores: BTreeMap<String, u8>,
    /// Σ score × weight / 100 under the scorecard in force when the review was recorded.
    pub total: f64,
    /// Accuracy, completeness and procedure each at or above the pass mark: what KPI 2 counts.
    pub accurate: bool,
    pub comment: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A contact drawn for review.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QaSampleItem {
    pub interaction_id: Uuid,
    pub appeal_id: Uuid,
    /// The appeal's number, as reviewers name it.
    pub appeal_number: String,
    pub channel: Channel,
    pub answered_at: DateTime<Utc>,
}

/// One operator's draw.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QaSampleOperator {
    pub operator_id: Uuid,
    /// The operator's display name (supervisors may not list staff).
    pub name: Option<String>,
    pub interactions: Vec<QaSampleItem>,
}

/// A random sample of a period's answered, not yet reviewed contacts, up to `per_operator` of
/// each operator (R28). Each request draws anew.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QaSampleView {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub per_operator: u32,
    pub operators: Vec<QaSampleOperator>,
}

/// Every review of one contact and how far they are apart (R28).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QaCalibrationView {
    pub interaction_id: Uuid,
    pub reviews: Vec<QaReviewView>,
    /// Criterion → highest − lowest score among the reviews; empty without reviews.
    pub differences: BTreeMap<String, u8>,
    /// Highest − lowest total; absent without reviews.
    pub total_difference: Option<f64>,
    /// Whether every reviewer reached the same KPI 2 verdict.
    pub accurate_agreed: bool,
}
