//! The outbox as supervisors see it (R6, R30): which notices and redirected appeals went out,
//! which are still being tried and which failed, and a way to try a failed one again (after the
//! address or the body's endpoint was fixed).

use axum::extract::State;
use baylanys_domain::{DeliveryState, Role};
use baylanys_proto::{DeliveryView, ProblemDetails};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::error::ApiResult;
use crate::extract::{Caller, Path, Query};
use crate::{convert, AppState};

const OVERSIGHT: &[Role] = &[Role::Supervisor, Role::Admin];

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(retry))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct DeliveryQuery {
    /// Only deliveries in this state, e.g. `failed`.
    state: Option<DeliveryState>,
    /// 1–500, default 100.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

/// The newest deliveries, newest first.
#[utoipa::path(get, path = "/api/v1/deliveries", tag = "oversight", security(("bearer" = [])),
    params(DeliveryQuery),
    responses((status = 200, body = [DeliveryView]), (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<DeliveryQuery>,
) -> ApiResult<axum::Json<Vec<DeliveryView>>> {
    caller.require(OVERSIGHT)?;
    let list = state
        .store
        .list_deliveries(q.state, super::page_limit(q.limit, 100, 500)?)
        .await?;
    Ok(axum::Json(list.iter().map(convert::delivery).collect()))
}

/// Puts a failed delivery back in line now, with a fresh count of attempts; an event.
#[utoipa::path(post, path = "/api/v1/deliveries/{id}/retry", tag = "oversight", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses(
        (status = 200, body = DeliveryView),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Not failed", body = ProblemDetails, content_type = "application/problem+json")))]
async fn retry(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<DeliveryView>> {
    caller.require(OVERSIGHT)?;
    let d = state.store.retry_delivery(id, caller.actor()).await?;
    state.outbox.notify_one();
    Ok(axum::Json(convert::delivery(&d)))
}
