//! KPIs for supervisors (R35, Appendix 1): any period up to a year, optionally one channel,
//! queue, topic or operator, each figure against its target band. Computed from the event log
//! on every request, so they can be recomputed for any period and audited down to the event.

use axum::extract::State;
use baylanys_domain::kpi::KpiSettings;
use baylanys_domain::{Channel, Role};
use baylanys_proto::{problem, ProblemDetails};
use baylanys_reports::{KpiQuery, Kpis};
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, Json, Query};
use crate::AppState;

const OVERSIGHT: &[Role] = &[Role::Supervisor, Role::Admin];

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_kpis))
        .routes(routes!(get_settings, set_settings))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct Period {
    /// Start, inclusive (RFC 3339).
    from: DateTime<Utc>,
    /// End, exclusive; at most 366 days after `from`.
    to: DateTime<Utc>,
    channel: Option<Channel>,
    queue_id: Option<Uuid>,
    topic_id: Option<Uuid>,
    operator_id: Option<Uuid>,
}

/// The period must be a real, bounded interval.
pub(crate) fn check_period(from: DateTime<Utc>, to: DateTime<Utc>) -> ApiResult<()> {
    if from >= to {
        return Err(ApiError::new(problem::VALIDATION, "from must be before to"));
    }
    if to - from > Duration::days(366) {
        return Err(ApiError::new(
            problem::VALIDATION,
            "a period is at most 366 days",
        ));
    }
    Ok(())
}

/// The KPIs of a period: volumes, wait after the voice menu, lost calls, service level, CSAT,
/// FCR, AHT, first response, confirmed complaints — each with what it rests on and its band.
#[utoipa::path(get, path = "/api/v1/kpis", tag = "oversight", security(("bearer" = [])),
    params(Period),
    responses(
        (status = 200, body = Kpis),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Inverted or longer than a year", body = ProblemDetails, content_type = "application/problem+json")))]
async fn get_kpis(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Period>,
) -> ApiResult<axum::Json<Kpis>> {
    caller.require(OVERSIGHT)?;
    check_period(p.from, p.to)?;
    let q = KpiQuery {
        from: p.from,
        to: p.to,
        channel: p.channel,
        queue_id: p.queue_id,
        topic_id: p.topic_id,
        operator_id: p.operator_id,
    };
    Ok(axum::Json(
        baylanys_reports::kpis(state.store.as_ref(), &q).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/settings/kpi", tag = "oversight", security(("bearer" = [])),
    responses((status = 200, body = KpiSettings)))]
async fn get_settings(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<KpiSettings>> {
    caller.require(OVERSIGHT)?;
    Ok(axum::Json(state.store.kpi_settings().await?))
}

/// Target bands (Appendix 1's by default) and the definitions' settings.
#[utoipa::path(put, path = "/api/v1/settings/kpi", tag = "oversight", security(("bearer" = [])),
    request_body = KpiSettings,
    responses((status = 200, body = KpiSettings), (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn set_settings(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<KpiSettings>,
) -> ApiResult<axum::Json<KpiSettings>> {
    caller.require(&[Role::Admin])?;
    Ok(axum::Json(
        state.store.set_kpi_settings(req, caller.actor()).await?,
    ))
}
