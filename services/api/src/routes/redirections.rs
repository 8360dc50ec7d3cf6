//! Redirection to the competent administrative body (clause 3.8, R30; АППК art. 65): the
//! directory's departments with their responsible positions, redirecting an appeal with the
//! body's due date on the working-day calendar, and the body's answer — accepted, or returned as
//! not its competence. Body officers answer only for their own body (R33): anything else is 404.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use baylanys_centre::Redirect;
use baylanys_domain::Role;
use baylanys_proto::{
    AppealView, DepartmentView, ProblemDetails, RedirectAppeal, ReturnRedirection, SaveDepartment,
};
use baylanys_store::{BodyAnswer, NewDepartment};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::text;
use crate::error::ApiResult;
use crate::extract::{Caller, Json};
use crate::{convert, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(redirect))
        .routes(routes!(accept))
        .routes(routes!(give_back))
        .routes(routes!(list_departments, create_department))
        .routes(routes!(update_department))
}

/// Centre staff redirect; a body's officers send their body's appeals on.
const REDIRECTORS: &[Role] = &[
    Role::Admin,
    Role::Supervisor,
    Role::Operator,
    Role::BodyOfficer,
];

/// Redirects the appeal to the competent body (and department). The body's term — the appeal
/// kind's working days (АППК art. 76) — starts today; a redirection later than the centre's
/// own deadline for forwarding (3 working days after registration, art. 65) is marked late.
/// A body's officer may send an appeal of their body on to the competent body (re-redirection);
/// the redirection it replaces is marked forwarded and the officer no longer sees the appeal.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/redirect", tag = "appeals", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = RedirectAppeal,
    responses(
        (status = 200, body = AppealView),
        (status = 404, description = "No such appeal or body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Already with this body, or answered/closed", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Inactive body, a department of another body, no reason", body = ProblemDetails, content_type = "application/problem+json")))]
async fn redirect(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<RedirectAppeal>,
) -> ApiResult<axum::Json<AppealView>> {
    caller.require(REDIRECTORS)?;
    let reason = text("reason", &req.reason, 2000)?;
    let appeal = state
        .centre
        .redirect(
            id,
            Redirect {
                body_id: req.body_id,
                department_id: req.department_id,
                reason,
            },
            caller.staff.scope(),
            caller.actor(),
        )
        .await?;
    Ok(axum::Json(convert::appeal(&appeal)))
}

/// Roles that may answer a redirection: the body's officers, or centre oversight recording an
/// answer that came by e-mail or on paper.
const ANSWERERS: &[Role] = &[Role::BodyOfficer, Role::Supervisor, Role::Admin];

/// The body takes the redirected appeal as its own; it is then in progress there.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/redirection/accept", tag = "appeals", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = AppealView),
        (status = 404, description = "Not an appeal of your body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "No redirection waits for an answer", body = ProblemDetails, content_type = "application/problem+json")))]
async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<AppealView>> {
    caller.require(ANSWERERS)?;
    let appeal = state
        .centre
        .answer_redirection(
            id,
            BodyAnswer::Accept,
            caller.staff.scope(),
            caller.actor(),
            None,
        )
        .await?;
    Ok(axum::Json(convert::appeal(&appeal)))
}

/// The body returns the appeal: not its competence, and why. It goes back to the centre, which
/// redirects it elsewhere or answers itself; the body no longer sees it.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/redirection/return", tag = "appeals", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = ReturnRedirection,
    responses(
        (status = 200, body = AppealView),
        (status = 404, description = "Not an appeal of your body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "No redirection waits for an answer", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "No reason", body = ProblemDetails, content_type = "application/problem+json")))]
async fn give_back(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<ReturnRedirection>,
) -> ApiResult<axum::Json<AppealView>> {
    caller.require(ANSWERERS)?;
    let reason = text("reason", &req.reason, 2000)?;
    let appeal = state
        .centre
        .answer_redirection(
            id,
            BodyAnswer::Return { reason },
            caller.staff.scope(),
            caller.actor(),
            None,
        )
        .await?;
    Ok(axum::Json(convert::appeal(&appeal)))
}

fn department(req: SaveDepartment) -> ApiResult<NewDepartment> {
    Ok(NewDepartment {
        name_kk: text("name_kk", &req.name_kk, 300)?,
        name_ru: text("name_ru", &req.name_ru, 300)?,
        position_kk: text("position_kk", &req.position_kk, 300)?,
        position_ru: text("position_ru", &req.position_ru, 300)?,
        active: req.active,
    })
}

#[utoipa::path(get, path = "/api/v1/bodies/{id}/departments", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = [DepartmentView])))]
async fn list_departments(
    State(state): State<AppState>,
    // Every signed-in staff member may read the directory.
    _caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<Vec<DepartmentView>>> {
    let list = state.store.list_departments(id).await?;
    Ok(axum::Json(list.iter().map(convert::department).collect()))
}

#[utoipa::path(post, path = "/api/v1/bodies/{id}/departments", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = SaveDepartment,
    responses((status = 201, body = DepartmentView), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn create_department(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<SaveDepartment>,
) -> ApiResult<(StatusCode, axum::Json<DepartmentView>)> {
    caller.require(&[Role::Admin])?;
    let saved = state
        .store
        .create_department(id, department(req)?, caller.actor())
        .await?;
    Ok((StatusCode::CREATED, axum::Json(convert::department(&saved))))
}

#[utoipa::path(put, path = "/api/v1/departments/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = SaveDepartment,
    responses((status = 200, body = DepartmentView), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn update_department(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<SaveDepartment>,
) -> ApiResult<axum::Json<DepartmentView>> {
    caller.require(&[Role::Admin])?;
    let saved = state
        .store
        .update_department(id, department(req)?, caller.actor())
        .await?;
    Ok(axum::Json(convert::department(&saved)))
}
