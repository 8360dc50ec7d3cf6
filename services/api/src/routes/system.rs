//! Liveness, readiness, metrics and the problem-type pages.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use baylanys_proto::{problem, ProblemDetails, WorkerHealth, WorkerState};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, Path, OVERSIGHT};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(workers))
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

/// The node is ready: its database answers and none of its workers has failed.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Readiness {
    /// `ready`.
    pub status: String,
    pub backend: String,
    /// This node's background workers (routing, outbox, deadlines, kpi_keeper), without their
    /// error text; empty when the API runs without workers.
    pub workers: Vec<WorkerHealth>,
    /// The mailboxes the centre reads and where each poller stands, without error text. A
    /// mailbox that fails does not make the node unready: the rest of the centre serves.
    #[serde(default)]
    pub mailboxes: Vec<baylanys_proto::MailboxHealth>,
    /// The Telegram bots and when each last heard from Telegram; a failing bot, like a
    /// mailbox, does not make the node unready.
    #[serde(default)]
    pub telegram: Vec<baylanys_proto::BotHealth>,
}

/// The node is not ready: problem+json with the workers as an extension member (RFC 9457).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NotReady {
    #[serde(flatten)]
    pub problem: ProblemDetails,
    /// This node's background workers, without their error text.
    pub workers: Vec<WorkerHealth>,
}

/// The node can serve: its database answers and none of its workers has failed (a worker
/// retries after a failure and is ready again once a step succeeds). A load balancer stops
/// sending traffic on 503. Public, so errors' text stays out; `GET /api/v1/workers` has it.
#[utoipa::path(get, path = "/readyz", tag = "system",
    responses((status = 200, body = Readiness), (status = 503, body = NotReady, content_type = "application/problem+json")))]
async fn readyz(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let db = state.store.ping().await;
    let workers: Vec<WorkerHealth> = state
        .worker_health()
        .into_iter()
        .map(|w| WorkerHealth {
            last_error: None,
            ..w
        })
        .collect();
    let detail = if let Err(e) = db {
        tracing::warn!(error = %e, "readiness check failed");
        Some("the database does not answer".to_owned())
    } else {
        let failed: Vec<String> = workers
            .iter()
            .filter(|w| w.state == WorkerState::Failed)
            .map(|w| {
                format!(
                    "{} ({} failed steps in a row)",
                    w.name, w.consecutive_failures
                )
            })
            .collect();
        (!failed.is_empty()).then(|| format!("failed workers: {}", failed.join(", ")))
    };
    let Some(detail) = detail else {
        let now = chrono::Utc::now();
        let mailboxes = match state.store.list_mailboxes().await {
            Ok(all) => all
                .iter()
                .map(|m| baylanys_proto::MailboxHealth {
                    last_error: None,
                    ..super::mailboxes::health(m, now)
                })
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, "mailboxes for readiness");
                Vec::new()
            }
        };
        let telegram = match state.store.list_bots().await {
            Ok(all) => all
                .iter()
                .map(|b| baylanys_proto::BotHealth {
                    name: b.name.clone(),
                    mode: b.mode.clone(),
                    enabled: b.enabled,
                    last_update_at: b.last_update_at,
                    last_lag_ms: b.last_lag_ms,
                    last_error_kind: b.last_error_kind.clone(),
                })
                .collect(),
            Err(e) => {
                tracing::warn!(error = %e, "bots for readiness");
                Vec::new()
            }
        };
        return axum::Json(Readiness {
            status: "ready".into(),
            backend: state.store.backend().into(),
            workers,
            mailboxes,
            telegram,
        })
        .into_response();
    };
    // Built here rather than by the problem layer, which knows no extension members.
    let problem = ProblemDetails {
        kind: problem::UNAVAILABLE.uri(),
        title: problem::UNAVAILABLE.title.to_owned(),
        status: problem::UNAVAILABLE.status,
        detail: Some(detail),
        instance: Some("/readyz".into()),
        request_id: headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "application/problem+json")],
        axum::Json(NotReady { problem, workers }),
    )
        .into_response()
}

/// This node's background workers with the text of their last error, for admins and
/// supervisors: which one failed, why, and how far behind each is.
#[utoipa::path(get, path = "/api/v1/workers", tag = "oversight", security(("bearer" = [])),
    responses((status = 200, body = [WorkerHealth]), (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
async fn workers(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<Vec<WorkerHealth>>> {
    caller.require(OVERSIGHT)?;
    Ok(axum::Json(state.worker_health()))
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
