//! Queues, topics and administrative bodies: any staff member reads them, admins change them.

use axum::extract::State;
use axum::http::StatusCode;
use baylanys_domain::{Bin, Role};
use baylanys_proto::{
    BodyView, BusinessHoursDto, CreateBody, CreateQueue, CreateTopic, ProblemDetails,
    QueueOpenView, QueueView, TopicView, UpdateBody, UpdateQueue, UpdateTopic,
};
use baylanys_store::{BodyPatch, NewBody, NewQueue, NewTopic, QueuePatch, TopicPatch};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{identifier, optional_text, text};
use crate::error::ApiResult;
use crate::extract::{Caller, Json, Path, Query};
use crate::{convert, AppState};

const ADMIN: &[Role] = &[Role::Admin];

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_queues, create_queue))
        .routes(routes!(update_queue))
        .routes(routes!(set_queue_hours, reset_queue_hours))
        .routes(routes!(queue_open))
        .routes(routes!(list_topics, create_topic))
        .routes(routes!(update_topic))
        .routes(routes!(list_bodies, create_body))
        .routes(routes!(get_body, update_body))
}

#[utoipa::path(get, path = "/api/v1/queues", tag = "catalog", security(("bearer" = [])),
    responses((status = 200, body = Vec<QueueView>)))]
async fn list_queues(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<axum::Json<Vec<QueueView>>> {
    let all = state.store.list_queues().await?;
    Ok(axum::Json(all.iter().map(convert::queue).collect()))
}

#[utoipa::path(post, path = "/api/v1/queues", tag = "catalog", security(("bearer" = [])),
    request_body = CreateQueue,
    responses((status = 201, body = QueueView), (status = 409, body = ProblemDetails, content_type = "application/problem+json")))]
async fn create_queue(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<CreateQueue>,
) -> ApiResult<(StatusCode, axum::Json<QueueView>)> {
    caller.require(ADMIN)?;
    let new = NewQueue {
        code: identifier("code", &req.code, 2)?,
        name: text("name", &req.name, 200)?,
    };
    let q = state.store.create_queue(new, caller.actor()).await?;
    Ok((StatusCode::CREATED, axum::Json(convert::queue(&q))))
}

#[utoipa::path(patch, path = "/api/v1/queues/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = UpdateQueue,
    responses((status = 200, body = QueueView), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn update_queue(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<UpdateQueue>,
) -> ApiResult<axum::Json<QueueView>> {
    caller.require(ADMIN)?;
    let patch = QueuePatch {
        name: req.name.map(|n| text("name", &n, 200)).transpose()?,
        active: req.active,
        records_calls: req.records_calls,
    };
    let q = state.store.update_queue(id, patch, caller.actor()).await?;
    Ok(axum::Json(convert::queue(&q)))
}

/// Sets a queue's business hours (R12.3); overlapping or inverted ranges are refused.
#[utoipa::path(put, path = "/api/v1/queues/{id}/hours", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = BusinessHoursDto,
    responses((status = 200, body = QueueView), (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn set_queue_hours(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<BusinessHoursDto>,
) -> ApiResult<axum::Json<QueueView>> {
    caller.require(ADMIN)?;
    let hours = convert::weekly_hours(&req)?;
    let q = state
        .store
        .set_queue_hours(id, Some(hours), caller.actor())
        .await?;
    Ok(axum::Json(convert::queue(&q)))
}

/// Back to the default hours, 09:00–18:00 on working days.
#[utoipa::path(delete, path = "/api/v1/queues/{id}/hours", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = QueueView), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn reset_queue_hours(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<QueueView>> {
    caller.require(ADMIN)?;
    let q = state
        .store
        .set_queue_hours(id, None, caller.actor())
        .await?;
    Ok(axum::Json(convert::queue(&q)))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct OpenQuery {
    /// Instant to check (RFC 3339); default now.
    at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Whether the queue is open at an instant, by its hours and the working-day calendar.
#[utoipa::path(get, path = "/api/v1/queues/{id}/open", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path), OpenQuery),
    responses((status = 200, body = QueueOpenView), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn queue_open(
    State(state): State<AppState>,
    _caller: Caller,
    Path(id): Path<Uuid>,
    Query(q): Query<OpenQuery>,
) -> ApiResult<axum::Json<QueueOpenView>> {
    let queue = state.store.get_queue(id).await?;
    let calendar = state.store.calendar().await?;
    let hours = queue.hours.unwrap_or_default();
    let at = q.at.unwrap_or_else(baylanys_store::now);
    Ok(axum::Json(QueueOpenView {
        at,
        open: hours.is_open(&calendar, at),
        next_opening: hours.next_opening(&calendar, at),
    }))
}

#[utoipa::path(get, path = "/api/v1/topics", tag = "catalog", security(("bearer" = [])),
    responses((status = 200, body = Vec<TopicView>)))]
async fn list_topics(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<axum::Json<Vec<TopicView>>> {
    let all = state.store.list_topics().await?;
    Ok(axum::Json(all.iter().map(convert::topic).collect()))
}

#[utoipa::path(post, path = "/api/v1/topics", tag = "catalog", security(("bearer" = [])),
    request_body = CreateTopic,
    responses((status = 201, body = TopicView), (status = 409, body = ProblemDetails, content_type = "application/problem+json")))]
async fn create_topic(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<CreateTopic>,
) -> ApiResult<(StatusCode, axum::Json<TopicView>)> {
    caller.require(ADMIN)?;
    let new = NewTopic {
        code: identifier("code", &req.code, 2)?,
        name_kk: text("name_kk", &req.name_kk, 300)?,
        name_ru: text("name_ru", &req.name_ru, 300)?,
        name_en: optional_text("name_en", req.name_en, 300)?,
        queue_id: req.queue_id,
    };
    let t = state.store.create_topic(new, caller.actor()).await?;
    Ok((StatusCode::CREATED, axum::Json(convert::topic(&t))))
}

#[utoipa::path(patch, path = "/api/v1/topics/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = UpdateTopic,
    responses((status = 200, body = TopicView), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn update_topic(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<UpdateTopic>,
) -> ApiResult<axum::Json<TopicView>> {
    caller.require(ADMIN)?;
    let patch = TopicPatch {
        name_kk: req.name_kk.map(|n| text("name_kk", &n, 300)).transpose()?,
        name_ru: req.name_ru.map(|n| text("name_ru", &n, 300)).transpose()?,
        name_en: req
            .name_en
            .map(|n| optional_text("name_en", n, 300))
            .transpose()?,
        queue_id: req.queue_id,
        active: req.active,
    };
    let t = state.store.update_topic(id, patch, caller.actor()).await?;
    Ok(axum::Json(convert::topic(&t)))
}

#[utoipa::path(get, path = "/api/v1/bodies", tag = "catalog", security(("bearer" = [])),
    responses((status = 200, body = Vec<BodyView>)))]
async fn list_bodies(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<axum::Json<Vec<BodyView>>> {
    let all = state.store.list_bodies().await?;
    Ok(axum::Json(all.iter().map(convert::body).collect()))
}

#[utoipa::path(get, path = "/api/v1/bodies/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = BodyView), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn get_body(
    State(state): State<AppState>,
    _caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<BodyView>> {
    let b = state.store.get_body(id).await?;
    Ok(axum::Json(convert::body(&b)))
}

#[utoipa::path(post, path = "/api/v1/bodies", tag = "catalog", security(("bearer" = [])),
    request_body = CreateBody,
    responses((status = 201, body = BodyView), (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn create_body(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<CreateBody>,
) -> ApiResult<(StatusCode, axum::Json<BodyView>)> {
    caller.require(ADMIN)?;
    let new = NewBody {
        name_kk: text("name_kk", &req.name_kk, 500)?,
        name_ru: text("name_ru", &req.name_ru, 500)?,
        bin: req.bin.as_deref().map(Bin::parse).transpose()?,
        parent_id: req.parent_id,
        delivery_method: req.delivery_method,
        delivery_address: optional_text("delivery_address", req.delivery_address, 500)?,
    };
    let b = state.store.create_body(new, caller.actor()).await?;
    Ok((StatusCode::CREATED, axum::Json(convert::body(&b))))
}

#[utoipa::path(patch, path = "/api/v1/bodies/{id}", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = UpdateBody,
    responses((status = 200, body = BodyView), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn update_body(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<UpdateBody>,
) -> ApiResult<axum::Json<BodyView>> {
    caller.require(ADMIN)?;
    let patch = BodyPatch {
        name_kk: req.name_kk.map(|n| text("name_kk", &n, 500)).transpose()?,
        name_ru: req.name_ru.map(|n| text("name_ru", &n, 500)).transpose()?,
        parent_id: req.parent_id,
        delivery_method: req.delivery_method,
        delivery_address: req
            .delivery_address
            .map(|a| optional_text("delivery_address", a, 500))
            .transpose()?,
        active: req.active,
    };
    let b = state.store.update_body(id, patch, caller.actor()).await?;
    Ok(axum::Json(convert::body(&b)))
}
