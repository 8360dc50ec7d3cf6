//! Canned replies in Kazakh and Russian: supervisors keep them, operators insert them. A reply
//! may stand on a knowledge-base article; its list says when that article went stale.

use axum::extract::State;
use axum::http::StatusCode;
use baylanys_domain::Role;
use baylanys_proto::{CannedArticle, CannedReplyView, ProblemDetails, SaveCannedReply};
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

/// A canned reply with the state of the article it stands on, so the console can say when that
/// article went stale or was withdrawn (issue 18).
async fn view(state: &AppState, c: &CannedReply) -> ApiResult<CannedReplyView> {
    let article = match c.article_id {
        None => None,
        Some(id) => state.store.article(id).await?.map(|a| {
            let stale = baylanys_domain::knowledge::is_stale(
                a.content.review_by,
                chrono::Utc::now()
                    .with_timezone(&baylanys_domain::TZ)
                    .date_naive(),
            );
            CannedArticle {
                id: a.id,
                title: a
                    .content
                    .texts
                    .first()
                    .map(|t| t.title.clone())
                    .unwrap_or_default(),
                served: a.is_served(),
                stale,
                review_by: a.content.review_by,
            }
        }),
    };
    Ok(CannedReplyView {
        id: c.id,
        title: c.title.clone(),
        body_kk: c.body_kk.clone(),
        body_ru: c.body_ru.clone(),
        topic_id: c.topic_id,
        article,
        active: c.active,
        created_at: c.created_at,
        updated_at: c.updated_at,
    })
}

fn validate(req: SaveCannedReply) -> Result<NewCannedReply, baylanys_domain::DomainError> {
    Ok(NewCannedReply {
        title: text("title", &req.title, 200)?,
        body_kk: text("body_kk", &req.body_kk, 4000)?,
        body_ru: text("body_ru", &req.body_ru, 4000)?,
        topic_id: req.topic_id,
        article_id: req.article_id,
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
    let mut out = Vec::new();
    for c in state.store.list_canned().await? {
        out.push(view(&state, &c).await?);
    }
    Ok(axum::Json(out))
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
    Ok((StatusCode::CREATED, axum::Json(view(&state, &saved).await?)))
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
    Ok(axum::Json(view(&state, &saved).await?))
}
