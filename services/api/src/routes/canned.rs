//! Canned replies in Kazakh and Russian: supervisors keep them, operators insert them.

use axum::extract::State;
use axum::http::StatusCode;
use baylanys_domain::Role;
use baylanys_proto::{CannedReplyView, ProblemDetails, SaveCannedReply};
use baylanys_store::{CannedReply, NewCannedReply};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::text;
use crate::error::ApiResult;
use crate::extract::{Caller, Json, Path, CENTRE_STAFF};
use crate::AppState;

const KEEPERS: &[Role] = &[Role::Admin, Role::Supervisor];

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update))
}

fn view(c: &CannedReply) -> CannedReplyView {
    CannedReplyView {
        id: c.id,
        title: c.title.clone(),
        body_kk: c.body_kk.clone(),
        body_ru: c.body_ru.clone(),
        topic_id: c.topic_id,
        active: c.active,
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

fn validate(req: SaveCannedReply) -> Result<NewCannedReply, baylanys_domain::DomainError> {
    Ok(NewCannedReply {
        title: text("title", &req.title, 200)?,
        body_kk: text("body_kk", &req.body_kk, 4000)?,
        body_ru: text("body_ru", &req.body_ru, 4000)?,
        topic_id: req.topic_id,
        active: req.active.unwrap_or(true),
    })
}

#[utoipa::path(get, path = "/api/v1/canned-replies", tag = "catalog", security(("bearer" = [])),
    responses((status = 200, body = Vec<CannedReplyView>), (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<Vec<CannedReplyView>>> {
    caller.require(CENTRE_STAFF)?;
    Ok(axum::Json(
        state.store.list_canned().await?.iter().map(view).collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/canned-replies", tag = "catalog", security(("bearer" = [])),
    request_body = SaveCannedReply,
    responses((status = 201, body = CannedReplyView), (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<SaveCannedReply>,
) -> ApiResult<(StatusCode, axum::Json<CannedReplyView>)> {
    caller.require(KEEPERS)?;
    let saved = state
        .store
        .save_canned(None, validate(req)?, caller.actor())
        .await?;
    Ok((StatusCode::CREATED, axum::Json(view(&saved))))
}

#[utoipa::path(put, path = "/api/v1/canned-replies/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = SaveCannedReply,
    responses((status = 200, body = CannedReplyView), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<SaveCannedReply>,
) -> ApiResult<axum::Json<CannedReplyView>> {
    caller.require(KEEPERS)?;
    let saved = state
        .store
        .save_canned(Some(id), validate(req)?, caller.actor())
        .await?;
    Ok(axum::Json(view(&saved)))
}
