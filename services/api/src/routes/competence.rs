//! Competence and parts (clause 3.8, R30): the topics a body is competent for, the bodies the
//! console proposes for an appeal's topic, and splitting an appeal so that each part goes to
//! the body competent for it. The citizen is told the part's own number (R6).

use axum::extract::State;
use axum::http::StatusCode;
use baylanys_domain::Role;
use baylanys_proto::{AppealView, BodyTopics, BodyView, ProblemDetails, SplitAppeal};
use baylanys_store::NewPart;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::text;
use crate::error::ApiResult;
use crate::extract::{Caller, Json, Path, CENTRE_STAFF};
use crate::{convert, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_topics, set_topics))
        .routes(routes!(competent))
        .routes(routes!(split))
}

#[utoipa::path(get, path = "/api/v1/bodies/{id}/topics", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = BodyTopics)))]
async fn get_topics(
    State(state): State<AppState>,
    // Every signed-in staff member may read the directory.
    _caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<BodyTopics>> {
    state.store.get_body(id).await?;
    Ok(axum::Json(BodyTopics {
        topic_ids: state.store.body_topics(id).await?,
    }))
}

/// Replaces the topics the body is competent for (at most 500).
#[utoipa::path(put, path = "/api/v1/bodies/{id}/topics", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = BodyTopics,
    responses(
        (status = 200, body = BodyTopics),
        (status = 404, description = "No such body or topic", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn set_topics(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<BodyTopics>,
) -> ApiResult<axum::Json<BodyTopics>> {
    caller.require(&[Role::Admin])?;
    if req.topic_ids.len() > 500 {
        return Err(baylanys_domain::DomainError::InvalidField {
            field: "topic_ids",
            reason: "at most 500".into(),
        }
        .into());
    }
    let topic_ids = state
        .store
        .set_body_topics(id, req.topic_ids, caller.actor())
        .await?;
    Ok(axum::Json(BodyTopics { topic_ids }))
}

/// The active bodies competent for the appeal's topic: whom to redirect it to. Empty when the
/// appeal has no topic or no body is set up for it.
#[utoipa::path(get, path = "/api/v1/appeals/{id}/competent-bodies", tag = "appeals", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = [BodyView]), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn competent(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<Vec<BodyView>>> {
    caller.require(CENTRE_STAFF)?;
    let appeal = state.store.get_appeal(id, caller.staff.scope()).await?;
    let bodies = match appeal.topic_id {
        Some(t) => state.store.competent_bodies(t).await?,
        None => Vec::new(),
    };
    Ok(axum::Json(bodies.iter().map(convert::body).collect()))
}

/// Makes a part of the appeal an appeal of its own, to be redirected on its own (R30): it gets
/// its own number and keeps the appeal's due date. The citizen is told the new number.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/split", tag = "appeals", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = SplitAppeal,
    responses(
        (status = 201, body = AppealView),
        (status = 404, description = "No such appeal or topic", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Answered or closed, or itself a part", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn split(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<SplitAppeal>,
) -> ApiResult<(StatusCode, axum::Json<AppealView>)> {
    caller.require(CENTRE_STAFF)?;
    let part = NewPart {
        subject: text("subject", &req.subject, 300)?,
        text: text("text", &req.text, 10_000)?,
        topic_id: req.topic_id,
    };
    let child = state
        .centre
        .split(id, part, caller.staff.scope(), caller.actor())
        .await?;
    Ok((StatusCode::CREATED, axum::Json(convert::appeal(&child))))
}
