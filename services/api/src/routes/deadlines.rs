//! Legal deadlines (АППК art. 63, 65, 76; R6): the settings, the due date every new appeal gets
//! on the working-day calendar, and reasoned extensions.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use baylanys_domain::deadline::{self, DeadlineSettings};
use baylanys_domain::{AppealKind, Calendar};
use baylanys_proto::{AppealView, ExtendDeadline, ProblemDetails};
use chrono::{DateTime, Utc};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::error::ApiResult;
use baylanys_domain::Role;

use crate::extract::{Caller, Json, CENTRE_STAFF};
use crate::{convert, AppState};

/// The calendar and settings are read at most this often per node for new appeals; a change
/// through this node's API is seen at once.
const CACHE_FOR: Duration = Duration::from_secs(30);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(extend))
}

/// The calendar and deadline settings, shared by the appeals registered within `CACHE_FOR`.
pub(crate) type Rules = Arc<(Calendar, DeadlineSettings)>;

pub(crate) async fn rules(state: &AppState) -> ApiResult<Rules> {
    let mut cached = state.deadline_rules.lock().await;
    if let Some((at, rules)) = cached.as_ref() {
        if at.elapsed() < CACHE_FOR {
            return Ok(rules.clone());
        }
    }
    let rules = Arc::new((
        state.store.calendar().await?,
        state.store.deadline_settings().await?,
    ));
    *cached = Some((Instant::now(), rules.clone()));
    Ok(rules)
}

/// Forgets the cached rules (the calendar or the settings changed).
pub(crate) async fn forget(state: &AppState) {
    *state.deadline_rules.lock().await = None;
}

/// The due date of an appeal of `kind` received at `received` (R6: the client is told it).
pub async fn due_for(
    state: &AppState,
    kind: AppealKind,
    received: DateTime<Utc>,
) -> ApiResult<DateTime<Utc>> {
    let rules = rules(state).await?;
    let (calendar, settings) = rules.as_ref();
    Ok(deadline::due_at(
        calendar,
        received,
        settings.days_for(kind),
    ))
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
    forget(&state).await;
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
    let rules = rules(&state).await?;
    let (_, settings) = rules.as_ref();
    let current = appeal.due_at.unwrap_or(now);
    let first = appeal.first_due_at.or(appeal.due_at).unwrap_or(now);
    // Later than the current date, and than today when it has already passed.
    let new_due = deadline::check_extension(settings, first, current.max(now), req.due_date)?;
    let extended = state
        .store
        .extend_deadline(id, new_due, &reason, scope, caller.actor())
        .await?;
    // Told at once, well within the three working days the Code allows (art. 76; R6).
    let date = baylanys_domain::templates::date(deadline::local_date(new_due));
    let vars = [
        ("number", Some(extended.number.as_str())),
        ("date", Some(date.as_str())),
        ("reason", Some(reason.as_str())),
    ];
    let text = super::conversation::render(
        &state,
        baylanys_domain::templates::Notice::Extended,
        extended.language,
        &vars,
    )
    .await;
    super::conversation::inform(
        &state,
        &extended,
        text,
        format!("extended:{id}:{}", new_due.timestamp()),
    )
    .await;
    Ok(axum::Json(convert::appeal(&extended)))
}
