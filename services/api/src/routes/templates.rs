//! The citizen notifications' templates (R6): every kind in Kazakh, Russian and English, the
//! admins' text where they changed it and the default elsewhere. A template may use only its
//! kind's placeholders (`{number}`, `{date}`, …) and optional `[ … ]` sections; anything else is
//! refused with the reason, so a typo never reaches a citizen.

use axum::extract::State;
use baylanys_domain::templates::NotificationTemplates;
use baylanys_domain::Role;
use baylanys_proto::ProblemDetails;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ApiResult;
use crate::extract::{Caller, Json};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_templates, set_templates))
}

/// Every notification's text in kk, ru and en, as citizens receive it.
#[utoipa::path(get, path = "/api/v1/settings/notification-templates", tag = "appeals", security(("bearer" = [])),
    responses((status = 200, body = NotificationTemplates), (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
async fn get_templates(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<NotificationTemplates>> {
    caller.require(&[Role::Admin, Role::Supervisor])?;
    let mine = state.store.notification_templates().await?;
    Ok(axum::Json(mine.effective()))
}

/// Replaces the edited texts: the kinds given are the admins' own, the rest go back to the
/// defaults (`{}` restores them all). Answers with every kind as it now reads.
#[utoipa::path(put, path = "/api/v1/settings/notification-templates", tag = "appeals", security(("bearer" = [])),
    request_body = NotificationTemplates,
    responses(
        (status = 200, body = NotificationTemplates),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "An unknown kind or placeholder, unpaired brackets, empty or too long", body = ProblemDetails, content_type = "application/problem+json")))]
async fn set_templates(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<NotificationTemplates>,
) -> ApiResult<axum::Json<NotificationTemplates>> {
    caller.require(&[Role::Admin])?;
    let saved = state
        .store
        .set_notification_templates(req, caller.actor())
        .await?;
    Ok(axum::Json(saved.effective()))
}
