//! Liveness, readiness, metrics and the problem-type pages.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use baylanys_proto::problem;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(metrics))
        .routes(routes!(problem_page))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub backend: String,
}

/// The process is up. Does not touch the database.
#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200, body = Health)))]
async fn healthz(State(state): State<AppState>) -> axum::Json<Health> {
    axum::Json(Health {
        status: "ok".into(),
        backend: state.store.backend().into(),
    })
}

/// The node can serve: its database answers. A load balancer stops sending traffic on 503.
#[utoipa::path(get, path = "/readyz", tag = "system",
    responses((status = 200, body = Health), (status = 503, body = baylanys_proto::ProblemDetails, content_type = "application/problem+json")))]
async fn readyz(State(state): State<AppState>) -> ApiResult<axum::Json<Health>> {
    state.store.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "readiness check failed");
        ApiError::new(problem::UNAVAILABLE, "the database does not answer")
    })?;
    Ok(axum::Json(Health {
        status: "ready".into(),
        backend: state.store.backend().into(),
    }))
}

/// Prometheus text exposition.
#[utoipa::path(get, path = "/metrics", tag = "system",
    responses((status = 200, content_type = "text/plain; version=0.0.4", body = String)))]
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let db_up = state.store.ping().await.is_ok();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(state.store.backend(), db_up),
    )
}

/// Explains a problem type returned in a problem+json `type`.
#[utoipa::path(get, path = "/problems/{slug}", tag = "system",
    params(("slug" = String, Path)),
    responses((status = 200, content_type = "text/plain", body = String)))]
async fn problem_page(Path(slug): Path<String>) -> ApiResult<impl IntoResponse> {
    let p = problem::by_slug(&slug)
        .ok_or_else(|| ApiError::new(problem::NOT_FOUND, "no such problem type"))?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        format!("{} (HTTP {})\n\n{}\n", p.title, p.status, p.explanation),
    ))
}
