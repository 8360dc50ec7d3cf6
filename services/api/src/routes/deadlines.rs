//! Legal deadlines (АППК art. 63, 65, 76; R6): the settings, the due date every new appeal gets
//! on the working-day calendar, and reasoned extensions.

use axum::extract::{Path, State};
use baylanys_domain::deadline::{self, DeadlineSettings};
use baylanys_proto::{AppealView, ExtendDeadline, ProblemDetails};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::error::ApiResult;
use baylanys_domain::Role;

use crate::extract::{Caller, Json, CENTRE_STAFF};
use crate::{convert, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(extend))
}

#[utoipa::path(get, path = "/api/v1/settings/deadlines", tag = "appeals", security(("bearer" = [])),
    responses((status = 200, body = DeadlineSettings)))]
async fn get_settings(
    State(state): State<AppState>,
    // Any signed-in staff member may read them.
    _caller: Caller,
) -> ApiResult<axum::Json<DeadlineSettings>> {
    Ok(axum::Json(state.store.deadline_settings().await?))
}

/// Terms in working days per appeal kind, forwarding, extension notice and reminder; the
/// defaults are the Code's (15, 3, 3 working days; two months).
#[utoipa::path(put, path = "/api/v1/settings/deadlines", tag = "appeals", security(("bearer" = [])),
    request_body = DeadlineSettings,
    responses((status = 200, body = DeadlineSettings), (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn put_settings(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<DeadlineSettings>,
) -> ApiResult<axum::Json<DeadlineSettings>> {
    caller.require(&[Role::Admin])?;
    let saved = state
        .store
        .set_deadline_settings(req, caller.actor())
        .await?;
    state.centre.forget_deadline_rules().await;
    Ok(axum::Json(saved))
}

/// Extends the appeal's due date by a reasoned decision (АППК art. 76): later than now and than
/// the current date, at most two months (setting) after the first due date. The reason is on
/// the timeline; the client is told within three working days.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/extend", tag = "appeals", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = ExtendDeadline,
    responses(
        (status = 200, body = AppealView),
        (status = 409, description = "Answered or closed", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Date not later, in the past or beyond the limit; no reason", body = ProblemDetails, content_type = "application/problem+json")))]
async fn extend(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<ExtendDeadline>,
) -> ApiResult<axum::Json<AppealView>> {
    caller.require(CENTRE_STAFF)?;
    let reason = super::text("reason", &req.reason, 2000)?;
    let scope = caller.staff.scope();
    let appeal = state.store.get_appeal(id, scope).await?;
    let now = baylanys_store::now();
    let rules = state.centre.deadline_rules().await?;
    let (_, settings) = rules.as_ref();
    let current = appeal.due_at.unwrap_or(now);
    let first = appeal.first_due_at.or(appeal.due_at).unwrap_or(now);
    // Later than the current date, and than today when it has already passed.
    let new_due = deadline::check_extension(settings, first, current.max(now), req.due_date)?;
    // The client hears the new date and why in the same transaction (art. 76; R6).
    let extended = state
        .centre
        .extend(id, new_due, &reason, scope, caller.actor())
        .await?;
    Ok(axum::Json(convert::appeal(&extended)))
}
