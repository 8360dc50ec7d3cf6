//! Routing configuration: queue overflow steps, the routing table (which queue a contact enters)
//! and the router's tunables. Invalid configuration is refused whole and changes nothing.

use axum::extract::State;
use baylanys_domain::notice::OutOfHoursSettings;
use baylanys_domain::Role;
use baylanys_proto::{OverflowStep, ProblemDetails, QueueView, RouterSettings, RoutingTable};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::error::ApiResult;
use crate::extract::{Caller, Json, Path, CENTRE_STAFF};
use crate::{convert, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(set_overflow))
        .routes(routes!(get_table, set_table))
        .routes(routes!(get_settings, set_settings))
        .routes(routes!(get_out_of_hours, set_out_of_hours))
}

/// Replaces a queue's overflow steps, e.g. "after 60 s accept level ≥ 2, after 180 s move to the
/// second line". Unknown queues, negative times and cycles between queues are refused.
#[utoipa::path(put, path = "/api/v1/queues/{id}/overflow", tag = "routing", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = Vec<OverflowStep>,
    responses((status = 200, body = QueueView), (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn set_overflow(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<Vec<OverflowStep>>,
) -> ApiResult<axum::Json<QueueView>> {
    caller.require(&[Role::Admin])?;
    let rules = convert::overflow_rules(id, &req)?;
    let q = state
        .store
        .set_queue_overflow(id, rules, caller.actor())
        .await?;
    Ok(axum::Json(convert::queue(&q)))
}

/// Which queue a contact enters: the first matching entry, else its topic's queue, else the
/// default queue.
#[utoipa::path(get, path = "/api/v1/routing/table", tag = "routing", security(("bearer" = [])),
    responses((status = 200, body = RoutingTable), (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
async fn get_table(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<RoutingTable>> {
    caller.require(CENTRE_STAFF)?;
    Ok(axum::Json(state.store.routing_table().await?))
}

#[utoipa::path(put, path = "/api/v1/routing/table", tag = "routing", security(("bearer" = [])),
    request_body = RoutingTable,
    responses((status = 200, body = RoutingTable), (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn set_table(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<RoutingTable>,
) -> ApiResult<axum::Json<RoutingTable>> {
    caller.require(&[Role::Admin])?;
    Ok(axum::Json(
        state.store.set_routing_table(req, caller.actor()).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/routing/settings", tag = "routing", security(("bearer" = [])),
    responses((status = 200, body = RouterSettings), (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
async fn get_settings(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<RouterSettings>> {
    caller.require(CENTRE_STAFF)?;
    Ok(axum::Json(state.store.router_settings().await?))
}

/// The strategy (longest idle or least occupied), the offer timeout (5–300 s) and the
/// starvation bound (10 s to 1 day).
#[utoipa::path(put, path = "/api/v1/routing/settings", tag = "routing", security(("bearer" = [])),
    request_body = RouterSettings,
    responses((status = 200, body = RouterSettings), (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn set_settings(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<RouterSettings>,
) -> ApiResult<axum::Json<RouterSettings>> {
    caller.require(&[Role::Admin])?;
    Ok(axum::Json(
        state.store.set_router_settings(req, caller.actor()).await?,
    ))
}

/// What the out-of-hours reply says about the other channels, per language.
#[utoipa::path(get, path = "/api/v1/routing/out-of-hours", tag = "routing", security(("bearer" = [])),
    responses((status = 200, body = OutOfHoursSettings), (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
async fn get_out_of_hours(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<OutOfHoursSettings>> {
    caller.require(CENTRE_STAFF)?;
    Ok(axum::Json(state.store.out_of_hours_settings().await?))
}

#[utoipa::path(put, path = "/api/v1/routing/out-of-hours", tag = "routing", security(("bearer" = [])),
    request_body = OutOfHoursSettings,
    responses((status = 200, body = OutOfHoursSettings), (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn set_out_of_hours(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<OutOfHoursSettings>,
) -> ApiResult<axum::Json<OutOfHoursSettings>> {
    caller.require(&[Role::Admin])?;
    Ok(axum::Json(
        state
            .store
            .set_out_of_hours_settings(req, caller.actor())
            .await?,
    ))
}
