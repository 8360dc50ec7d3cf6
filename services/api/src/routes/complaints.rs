//! Complaints (R8–R10): registered with a category on any appeal (it becomes a complaint with
//! the complaint's term), reviewed by a supervisor (mandatory before any answer), escalated to a
//! higher specialist when needed, decided — confirmed or not (report row 20) — with the result
//! told to the client; analytics by category, operator and topic.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use baylanys_domain::{AppealKind, AppealStatus};
use baylanys_proto::{
    AppealView, ComplaintCount, ComplaintStats, ComplaintView, DecideComplaint, EscalateComplaint,
    ProblemDetails, RegisterComplaint, ReviewComplaint,
};
use baylanys_store::{ComplaintStep, NewComplaint, StatusChange};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{optional_text, text};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, Json, CENTRE_STAFF, OVERSIGHT};
use crate::{convert, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_complaint, register))
        .routes(routes!(review))
        .routes(routes!(escalate))
        .routes(routes!(decide))
        .routes(routes!(stats))
        .routes(routes!(procedure))
        .routes(routes!(set_procedure))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct Lang {
    /// `kk` or `ru`.
    lang: baylanys_domain::Language,
}

/// How and where to complain, and how a complaint is handled (R8): public, for the centre's
/// site and the widget, in Kazakh or Russian.
#[utoipa::path(get, path = "/api/v1/public/complaint-procedure", tag = "appeals",
    params(Lang),
    responses((status = 200, body = baylanys_proto::ComplaintProcedureText), (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn procedure(
    State(state): State<AppState>,
    Query(q): Query<Lang>,
) -> ApiResult<axum::Json<baylanys_proto::ComplaintProcedureText>> {
    let p = state.store.complaint_procedure().await?;
    let text = match q.lang {
        baylanys_domain::Language::Kk => p.text_kk,
        baylanys_domain::Language::Ru => p.text_ru,
        baylanys_domain::Language::En => {
            return Err(ApiError::new(
                baylanys_proto::problem::VALIDATION,
                "the procedure is published in kk and ru",
            ))
        }
    };
    Ok(axum::Json(baylanys_proto::ComplaintProcedureText {
        language: q.lang,
        text,
    }))
}

#[utoipa::path(put, path = "/api/v1/settings/complaint-procedure", tag = "appeals", security(("bearer" = [])),
    request_body = baylanys_domain::notice::ComplaintProcedure,
    responses((status = 200, body = baylanys_domain::notice::ComplaintProcedure), (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn set_procedure(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<baylanys_domain::notice::ComplaintProcedure>,
) -> ApiResult<axum::Json<baylanys_domain::notice::ComplaintProcedure>> {
    caller.require(&[baylanys_domain::Role::Admin])?;
    Ok(axum::Json(
        state
            .store
            .set_complaint_procedure(req, caller.actor())
            .await?,
    ))
}

fn view(c: &baylanys_store::Complaint) -> ComplaintView {
    ComplaintView {
        appeal_id: c.appeal_id,
        category: c.category,
        about_operator_id: c.about_operator_id,
        about_appeal_id: c.about_appeal_id,
        reviewed_by: c.reviewed_by,
        reviewed_at: c.reviewed_at,
        review_note: c.review_note.clone(),
        escalated_to: c.escalated_to,
        escalated_at: c.escalated_at,
        confirmed: c.confirmed,
        decided_by: c.decided_by,
        decided_at: c.decided_at,
        created_at: c.created_at,
    }
}

/// Registers the appeal as a complaint (R9.1); its due date becomes the complaint's term.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/complaint", tag = "appeals", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = RegisterComplaint,
    responses((status = 201, body = ComplaintView),
              (status = 404, description = "No such appeal, operator or earlier appeal", body = ProblemDetails, content_type = "application/problem+json"),
              (status = 409, description = "Already registered, or the appeal is answered or closed", body = ProblemDetails, content_type = "application/problem+json")))]
async fn register(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<RegisterComplaint>,
) -> ApiResult<(StatusCode, axum::Json<ComplaintView>)> {
    caller.require(CENTRE_STAFF)?;
    let scope = caller.staff.scope();
    let appeal = state.store.get_appeal(id, scope).await?;
    let due_at = state
        .centre
        .due_for(AppealKind::Complaint, appeal.created_at)
        .await?;
    let saved = state
        .store
        .register_complaint(
            id,
            NewComplaint {
                category: req.category,
                about_operator_id: req.about_operator_id,
                about_appeal_id: req.about_appeal_id,
                due_at: Some(due_at),
            },
            scope,
            caller.actor(),
        )
        .await?;
    Ok((StatusCode::CREATED, axum::Json(view(&saved))))
}

#[utoipa::path(get, path = "/api/v1/appeals/{id}/complaint", tag = "appeals", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = ComplaintView), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn get_complaint(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<ComplaintView>> {
    caller.require(CENTRE_STAFF)?;
    state.store.get_appeal(id, caller.staff.scope()).await?;
    Ok(axum::Json(view(&state.store.get_complaint(id).await?)))
}

/// The supervisor's review (R9.2), mandatory before the decision.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/complaint/review", tag = "appeals", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = ReviewComplaint,
    responses((status = 200, body = ComplaintView), (status = 409, description = "Already decided", body = ProblemDetails, content_type = "application/problem+json")))]
async fn review(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<ReviewComplaint>,
) -> ApiResult<axum::Json<ComplaintView>> {
    caller.require(OVERSIGHT)?;
    let note = optional_text("note", req.note, 2000)?;
    let saved = state
        .store
        .complaint_step(id, ComplaintStep::Review { note }, caller.actor())
        .await?;
    Ok(axum::Json(view(&saved)))
}

/// Passes the complaint to a higher specialist within the deadline (R9.3): they are assigned.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/complaint/escalate", tag = "appeals", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = EscalateComplaint,
    responses((status = 200, body = ComplaintView), (status = 409, body = ProblemDetails, content_type = "application/problem+json")))]
async fn escalate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<EscalateComplaint>,
) -> ApiResult<axum::Json<ComplaintView>> {
    caller.require(OVERSIGHT)?;
    let reason = text("reason", &req.reason, 2000)?;
    let to = state.store.get_staff(req.to_staff_id).await?;
    if !to.active
        || matches!(
            to.role,
            baylanys_domain::Role::BodyOfficer | baylanys_domain::Role::Editor
        )
    {
        return Err(ApiError::new(
            baylanys_proto::problem::VALIDATION,
            "a complaint goes to an active specialist of the centre",
        ));
    }
    let saved = state
        .store
        .complaint_step(
            id,
            ComplaintStep::Escalate { to: to.id, reason },
            caller.actor(),
        )
        .await?;
    Ok(axum::Json(view(&saved)))
}

/// Decides the complaint — confirmed or not (report row 20) — and answers the client with the
/// result on their own channel (R9.4).
#[utoipa::path(post, path = "/api/v1/appeals/{id}/complaint/decide", tag = "appeals", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = DecideComplaint,
    responses((status = 200, body = AppealView), (status = 409, description = "Not reviewed, or already decided", body = ProblemDetails, content_type = "application/problem+json")))]
async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<DecideComplaint>,
) -> ApiResult<axum::Json<AppealView>> {
    caller.require(OVERSIGHT)?;
    let result = text("result", &req.result, 20_000)?;
    let appeal = state.store.get_appeal(id, caller.staff.scope()).await?;
    if matches!(appeal.status, AppealStatus::Answered | AppealStatus::Closed) {
        return Err(ApiError::new(
            baylanys_proto::problem::CONFLICT,
            "the complaint is already answered",
        ));
    }
    state
        .store
        .complaint_step(
            id,
            ComplaintStep::Decide {
                confirmed: req.confirmed,
            },
            caller.actor(),
        )
        .await?;
    // The result is the answer the client hears on their own channel (R9.4), then the survey.
    let answered = state
        .centre
        .change_status(
            id,
            StatusChange {
                to: AppealStatus::Answered,
                reason: None,
                resolution: Some(result),
                first_contact_resolved: Some(false),
            },
            caller.staff.scope(),
            caller.actor(),
            None,
        )
        .await?;
    Ok(axum::Json(convert::appeal(&answered)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct Period {
    /// Registered at or after (RFC 3339).
    from: DateTime<Utc>,
    /// Registered before (RFC 3339).
    to: DateTime<Utc>,
}

/// Complaints registered in a period by category, operator complained about and topic (R10).
#[utoipa::path(get, path = "/api/v1/complaints/stats", tag = "oversight", security(("bearer" = [])),
    params(Period),
    responses((status = 200, body = ComplaintStats), (status = 422, description = "Inverted period", body = ProblemDetails, content_type = "application/problem+json")))]
async fn stats(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Period>,
) -> ApiResult<axum::Json<ComplaintStats>> {
    caller.require(OVERSIGHT)?;
    if p.from >= p.to {
        return Err(ApiError::new(
            baylanys_proto::problem::VALIDATION,
            "from must be before to",
        ));
    }
    let list = state.store.complaints_between(p.from, p.to).await?;
    let mut out = ComplaintStats::default();
    let mut by: [BTreeMap<String, (u64, u64)>; 3] = Default::default();
    for (c, topic) in &list {
        let confirmed = u64::from(c.confirmed == Some(true));
        out.total += 1;
        out.decided += u64::from(c.decided_at.is_some());
        out.confirmed += confirmed;
        let keys = [
            c.category.as_str().to_owned(),
            c.about_operator_id.map_or("none".into(), |o| o.to_string()),
            topic.map_or("none".into(), |t| t.to_string()),
        ];
        for (map, key) in by.iter_mut().zip(keys) {
            let e = map.entry(key).or_default();
            e.0 += 1;
            e.1 += confirmed;
        }
    }
    let rows = |m: &BTreeMap<String, (u64, u64)>| {
        m.iter()
            .map(|(k, (t, c))| ComplaintCount {
                key: k.clone(),
                name: None,
                total: *t,
                confirmed: *c,
            })
            .collect()
    };
    out.by_category = rows(&by[0]);
    out.by_operator = rows(&by[1]);
    // Supervisors may not list staff: the names of those complained about come with the figures.
    for row in &mut out.by_operator {
        if let Ok(id) = row.key.parse::<Uuid>() {
            row.name = state.store.get_staff(id).await.ok().map(|s| s.display_name);
        }
    }
    out.by_topic = rows(&by[2]);
    Ok(axum::Json(out))
}
