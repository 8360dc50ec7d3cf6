//! QA reviews (R26–R28, KPI 2). Supervisors draw a random sample of each operator's answered
//! contacts of a period, on every channel (R28), score them against the scorecard (R26), and
//! calibrate by having a second supervisor review the same contact and comparing. KPI 2 —
//! accurate reviews ÷ reviews — is computed from the `qa.reviewed` events by the KPI engine.
//! Operators may read their own reviews: the evaluation of their competence is theirs to see
//! (R27).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use baylanys_domain::qa::{spread, Scorecard, MAX_SAMPLE_PER_OPERATOR};
use baylanys_domain::Role;
use baylanys_proto::{
    problem, ProblemDetails, QaCalibrationView, QaReviewView, QaSampleItem, QaSampleOperator,
    QaSampleView, RecordQaReview,
};
use baylanys_store::{NewQaReview, QaFilter, QaReview};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::kpis::check_period;
use super::optional_text;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, Json, Query, CENTRE_STAFF, OVERSIGHT};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_reviews, record_review))
        .routes(routes!(sample))
        .routes(routes!(calibration))
        .routes(routes!(get_scorecard, set_scorecard))
}

fn view(r: &QaReview) -> QaReviewView {
    QaReviewView {
        id: r.id,
        interaction_id: r.interaction_id,
        appeal_id: r.appeal_id,
        operator_id: r.operator_id,
        channel: r.channel,
        reviewer_id: r.reviewer_id,
        scores: r.scores.clone(),
        total: r.total,
        accurate: r.accurate,
        comment: r.comment.clone(),
        created_at: r.created_at,
    }
}

/// Scores an answered contact against the scorecard (R26). The total is weighted by the
/// scorecard in force; the review is accurate for KPI 2 when accuracy, completeness and
/// procedure each reach the pass mark. One review per reviewer per contact: a second opinion
/// comes from another supervisor (calibration, R28).
#[utoipa::path(post, path = "/api/v1/qa/reviews", tag = "oversight", security(("bearer" = [])),
    request_body = RecordQaReview,
    responses(
        (status = 201, body = QaReviewView),
        (status = 403, description = "Not a supervisor or admin, or the caller's own contact", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such interaction", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Not answered by an operator yet, or already reviewed by the caller", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "A score outside 0–100, an unknown or missing criterion", body = ProblemDetails, content_type = "application/problem+json")))]
async fn record_review(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<RecordQaReview>,
) -> ApiResult<(StatusCode, axum::Json<QaReviewView>)> {
    caller.require(OVERSIGHT)?;
    let comment = optional_text("comment", req.comment, 2000)?;
    // Nobody grades their own work; said as 403 here, and the store refuses it too.
    let interaction = state.store.get_interaction(req.interaction_id).await?;
    if interaction.operator_id == Some(caller.staff.id) {
        return Err(ApiError::forbidden("nobody reviews their own contact"));
    }
    let saved = state
        .store
        .record_qa_review(
            NewQaReview {
                interaction_id: req.interaction_id,
                scores: req.scores,
                comment,
            },
            caller.actor(),
        )
        .await?;
    Ok((StatusCode::CREATED, axum::Json(view(&saved))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ReviewQuery {
    /// Recorded at or after (RFC 3339).
    from: Option<DateTime<Utc>>,
    /// Recorded before (RFC 3339).
    to: Option<DateTime<Utc>>,
    /// The operator reviewed; operators see only their own reviews.
    operator_id: Option<Uuid>,
    interaction_id: Option<Uuid>,
    /// 1–500, default 500.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

/// Reviews, oldest first, by period, operator and contact (R26, R27).
#[utoipa::path(get, path = "/api/v1/qa/reviews", tag = "oversight", security(("bearer" = [])),
    params(ReviewQuery),
    responses(
        (status = 200, body = Vec<QaReviewView>),
        (status = 403, description = "An operator asking for another operator's reviews", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Inverted period", body = ProblemDetails, content_type = "application/problem+json")))]
async fn list_reviews(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ReviewQuery>,
) -> ApiResult<axum::Json<Vec<QaReviewView>>> {
    caller.require(CENTRE_STAFF)?;
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if from >= to {
            return Err(ApiError::new(problem::VALIDATION, "from must be before to"));
        }
    }
    let mut operator_id = q.operator_id;
    if caller.staff.role == Role::Operator {
        if operator_id.is_some_and(|o| o != caller.staff.id) {
            return Err(ApiError::forbidden("operators see only their own reviews"));
        }
        operator_id = Some(caller.staff.id);
    }
    let list = state
        .store
        .list_qa_reviews(QaFilter {
            from: q.from,
            to: q.to,
            operator_id,
            interaction_id: q.interaction_id,
            limit: super::page_limit(q.limit, 500, 500)?,
        })
        .await?;
    Ok(axum::Json(list.iter().map(view).collect()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct SampleQuery {
    /// Contacts answered at or after (RFC 3339).
    from: DateTime<Utc>,
    /// Contacts answered before; at most 366 days after `from`.
    to: DateTime<Utc>,
    /// Overrides the scorecard's `sample_per_operator` (1–100).
    per_operator: Option<u32>,
}

/// A random sample of the period's answered contacts, of every channel, that nobody has
/// reviewed yet: up to the scorecard's `sample_per_operator` of each operator (R28). Each
/// request draws anew.
#[utoipa::path(get, path = "/api/v1/qa/sample", tag = "oversight", security(("bearer" = [])),
    params(SampleQuery),
    responses(
        (status = 200, body = QaSampleView),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Inverted or longer than a year, or a bad sample size", body = ProblemDetails, content_type = "application/problem+json")))]
async fn sample(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<SampleQuery>,
) -> ApiResult<axum::Json<QaSampleView>> {
    caller.require(OVERSIGHT)?;
    check_period(q.from, q.to)?;
    let per_operator = match q.per_operator {
        Some(n) if (1..=MAX_SAMPLE_PER_OPERATOR).contains(&n) => n,
        Some(_) => {
            return Err(ApiError::new(
                problem::VALIDATION,
                format!("per_operator: 1 to {MAX_SAMPLE_PER_OPERATOR}"),
            ))
        }
        None => state.store.qa_scorecard().await?.sample_per_operator,
    };
    let drawn = state.store.qa_sample(q.from, q.to, per_operator).await?;
    let mut by_operator: BTreeMap<Uuid, Vec<QaSampleItem>> = BTreeMap::new();
    for c in drawn {
        by_operator
            .entry(c.operator_id)
            .or_default()
            .push(QaSampleItem {
                interaction_id: c.interaction_id,
                appeal_id: c.appeal_id,
                appeal_number: c.appeal_number,
                channel: c.channel,
                answered_at: c.answered_at,
            });
    }
    let mut operators = Vec::with_capacity(by_operator.len());
    for (operator_id, interactions) in by_operator {
        // Supervisors may not list staff: the names come with the draw.
        let name = state
            .store
            .get_staff(operator_id)
            .await
            .ok()
            .map(|s| s.display_name);
        operators.push(QaSampleOperator {
            operator_id,
            name,
            interactions,
        });
    }
    Ok(axum::Json(QaSampleView {
        from: q.from,
        to: q.to,
        per_operator,
        operators,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct CalibrationQuery {
    interaction_id: Uuid,
}

/// Every review of one contact and, per criterion and for the total, the highest minus the
/// lowest (R28): how consistently the supervisors read the scorecard.
#[utoipa::path(get, path = "/api/v1/qa/calibration", tag = "oversight", security(("bearer" = [])),
    params(CalibrationQuery),
    responses(
        (status = 200, body = QaCalibrationView),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "No such interaction", body = ProblemDetails, content_type = "application/problem+json")))]
async fn calibration(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<CalibrationQuery>,
) -> ApiResult<axum::Json<QaCalibrationView>> {
    caller.require(OVERSIGHT)?;
    state.store.get_interaction(q.interaction_id).await?;
    let reviews = state
        .store
        .list_qa_reviews(QaFilter {
            interaction_id: Some(q.interaction_id),
            limit: 500,
            ..QaFilter::default()
        })
        .await?;
    let s = spread(reviews.iter().map(|r| (&r.scores, r.total, r.accurate)));
    Ok(axum::Json(QaCalibrationView {
        interaction_id: q.interaction_id,
        reviews: reviews.iter().map(view).collect(),
        differences: s.by_criterion,
        total_difference: s.total,
        accurate_agreed: s.accurate_agreed,
    }))
}

/// The scorecard in force: criteria weights, the pass mark KPI 2 applies to accuracy,
/// completeness and procedure, and the sample size per operator. Operators may read what they
/// are scored against.
#[utoipa::path(get, path = "/api/v1/settings/qa-scorecard", tag = "oversight", security(("bearer" = [])),
    responses((status = 200, body = Scorecard), (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
async fn get_scorecard(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<Scorecard>> {
    caller.require(CENTRE_STAFF)?;
    Ok(axum::Json(state.store.qa_scorecard().await?))
}

/// Replaces the scorecard (admin). Weights must sum to 100. Reviews already recorded keep the
/// total and verdict they got, so past KPIs do not move.
#[utoipa::path(put, path = "/api/v1/settings/qa-scorecard", tag = "oversight", security(("bearer" = [])),
    request_body = Scorecard,
    responses(
        (status = 200, body = Scorecard),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Weights not summing to 100, a pass mark over 100, a bad sample size", body = ProblemDetails, content_type = "application/problem+json")))]
async fn set_scorecard(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<Scorecard>,
) -> ApiResult<axum::Json<Scorecard>> {
    caller.require(&[Role::Admin])?;
    Ok(axum::Json(
        state.store.set_qa_scorecard(req, caller.actor()).await?,
    ))
}
