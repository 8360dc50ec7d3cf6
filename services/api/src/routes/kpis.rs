//! KPIs for supervisors (R35, Appendix 1): any period up to a year, optionally one channel,
//! queue, topic or operator, each figure against its target band. Computed from the event log
//! on every request, so they can be recomputed for any period and audited down to the event.

use axum::extract::State;
use baylanys_domain::kpi::KpiSettings;
use baylanys_domain::{Channel, Role};
use baylanys_proto::{problem, ProblemDetails};
use baylanys_reports::{KpiQuery, Kpis};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
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
        .routes(routes!(evidence))
        .routes(routes!(series))
        .routes(routes!(breakdown))
        .routes(routes!(export))
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
    let q = query(&p)?;
    Ok(axum::Json(
        baylanys_reports::kpis(state.store.as_ref(), &q, state.kpi_refresh()).await?,
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

/// Which figure's events to list.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum Evidence {
    /// Rows 13–14.
    AppealsReceived,
    /// The answers behind the wait after the voice menu (row 15).
    CallsAnswered,
    /// Row 18.
    CallsLost,
    /// Row 16.
    Surveys,
    /// Every resolution behind FCR (row 17), each marked first contact or not.
    Resolutions,
    /// Row 19.
    Handled,
    /// Row 20.
    ComplaintsConfirmed,
    /// KPI 2.
    Reviews,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct EvidenceQuery {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    #[param(inline)]
    figure: Evidence,
    channel: Option<Channel>,
    queue_id: Option<Uuid>,
    topic_id: Option<Uuid>,
    operator_id: Option<Uuid>,
}

/// One event behind a figure.
#[derive(Debug, Serialize, ToSchema)]
struct EvidenceItem {
    #[serde(flatten)]
    event: baylanys_proto::EventView,
    /// For resolutions: whether it counted as resolved at the first contact.
    #[serde(skip_serializing_if = "Option::is_none")]
    first_contact: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
struct EvidenceList {
    /// How many events the figure rests on.
    total: usize,
    /// The first 1,000 of them, oldest first.
    items: Vec<EvidenceItem>,
}

/// The events a figure was computed from (R35): e.g. the lost calls behind report row 18, each
/// an event of the log to open on its appeal's timeline.
#[utoipa::path(get, path = "/api/v1/kpis/evidence", tag = "oversight", security(("bearer" = [])),
    params(EvidenceQuery),
    responses(
        (status = 200, body = EvidenceList),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn evidence(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<EvidenceQuery>,
) -> ApiResult<axum::Json<EvidenceList>> {
    caller.require(OVERSIGHT)?;
    let q = query(&Period {
        from: p.from,
        to: p.to,
        channel: p.channel,
        queue_id: p.queue_id,
        topic_id: p.topic_id,
        operator_id: p.operator_id,
    })?;
    let t = baylanys_reports::trace(state.store.as_ref(), &q).await?;
    let marks: std::collections::HashMap<i64, bool> = t.resolutions.iter().copied().collect();
    let ids: Vec<i64> = match p.figure {
        Evidence::AppealsReceived => t.received,
        Evidence::CallsAnswered => t.calls_answered,
        Evidence::CallsLost => t.calls_lost,
        Evidence::Surveys => t.surveys,
        Evidence::Resolutions => t.resolutions.iter().map(|(id, _)| *id).collect(),
        Evidence::Handled => t.handled,
        Evidence::ComplaintsConfirmed => t.complaints,
        Evidence::Reviews => t.reviews,
    };
    let mut ids = ids;
    ids.sort_unstable();
    let total = ids.len();
    ids.truncate(1000);
    let events = state.store.events_by_ids(&ids).await?;
    Ok(axum::Json(EvidenceList {
        total,
        items: events
            .iter()
            .map(|e| EvidenceItem {
                event: crate::convert::event(e),
                first_contact: marks.get(&e.id).copied(),
            })
            .collect(),
    }))
}

fn query(p: &Period) -> ApiResult<KpiQuery> {
    check_period(p.from, p.to)?;
    Ok(KpiQuery {
        from: p.from,
        to: p.to,
        channel: p.channel,
        queue_id: p.queue_id,
        topic_id: p.topic_id,
        operator_id: p.operator_id,
    })
}

/// The KPIs of each local day of the period, for the charts.
#[utoipa::path(get, path = "/api/v1/kpis/series", tag = "oversight", security(("bearer" = [])),
    params(Period),
    responses((status = 200, body = [baylanys_reports::dashboard::Day]),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn series(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Period>,
) -> ApiResult<axum::Json<Vec<baylanys_reports::dashboard::Day>>> {
    caller.require(OVERSIGHT)?;
    let q = query(&p)?;
    Ok(axum::Json(
        baylanys_reports::dashboard::series(state.store.as_ref(), &q, state.kpi_refresh()).await?,
    ))
}

/// The period's KPIs per queue and per operator, each against its band.
#[utoipa::path(get, path = "/api/v1/kpis/breakdown", tag = "oversight", security(("bearer" = [])),
    params(Period),
    responses((status = 200, body = baylanys_reports::dashboard::Breakdown),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn breakdown(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<Period>,
) -> ApiResult<axum::Json<baylanys_reports::dashboard::Breakdown>> {
    caller.require(OVERSIGHT)?;
    let q = query(&p)?;
    Ok(axum::Json(
        baylanys_reports::dashboard::breakdown(state.store.as_ref(), &q, state.kpi_refresh())
            .await?,
    ))
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum ExportFormat {
    Csv,
    Xlsx,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ExportQuery {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    #[param(inline)]
    format: ExportFormat,
    channel: Option<Channel>,
    queue_id: Option<Uuid>,
    topic_id: Option<Uuid>,
    operator_id: Option<Uuid>,
}

/// The per-day KPIs as CSV or XLSX, to open in a spreadsheet.
#[utoipa::path(get, path = "/api/v1/kpis/export", tag = "oversight", security(("bearer" = [])),
    params(ExportQuery),
    responses((status = 200, description = "text/csv or an XLSX workbook"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn export(
    State(state): State<AppState>,
    caller: Caller,
    Query(p): Query<ExportQuery>,
) -> ApiResult<axum::response::Response> {
    use axum::http::{header, HeaderValue};
    use axum::response::IntoResponse;
    caller.require(OVERSIGHT)?;
    let q = query(&Period {
        from: p.from,
        to: p.to,
        channel: p.channel,
        queue_id: p.queue_id,
        topic_id: p.topic_id,
        operator_id: p.operator_id,
    })?;
    let days =
        baylanys_reports::dashboard::series(state.store.as_ref(), &q, state.kpi_refresh()).await?;
    let (body, content_type, ext) = match p.format {
        ExportFormat::Csv => (
            baylanys_reports::dashboard::series_csv(&days).into_bytes(),
            "text/csv; charset=utf-8",
            "csv",
        ),
        ExportFormat::Xlsx => (
            baylanys_reports::dashboard::series_xlsx(&days)
                .map_err(|e| ApiError::Internal(format!("xlsx: {e}")))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    };
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    let name = format!(
        "attachment; filename=\"kpi-{}-{}.{ext}\"",
        q.from.format("%Y%m%d"),
        q.to.format("%Y%m%d")
    );
    if let Ok(v) = HeaderValue::from_str(&name) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}

/// How long today's KPIs pushed to supervisors' sockets are reused before a redraw.
const TODAY_TTL: std::time::Duration = std::time::Duration::from_secs(10);

/// Today's KPIs (the local day so far) in total, per queue and per operator, shared by all
/// supervisors' sockets and the live view. They are redrawn off the sockets' tasks (issue
/// "Trustworthy in the field", point 4): a socket gets the last drawing at once, and when it is
/// older than ten seconds one background task draws the next — a slow read of the day (a busy
/// database, a day of many events) never stalls a socket. Only the first drawing after a start
/// is made in place, once, for every socket that asks meanwhile — and so is the first after
/// local midnight (Asia/Almaty): a drawing of another day is never served as today's. It was,
/// to whoever asked first after a quiet night — the live view's `answered_today` said
/// yesterday's calls while the KPIs per queue fetched for today said none — and to a wallboard
/// polling `/api/v1/routing/live`, until the redraw it set off came in.
pub(crate) async fn today_breakdown(
    state: &AppState,
) -> ApiResult<std::sync::Arc<baylanys_reports::dashboard::Breakdown>> {
    use std::sync::atomic::Ordering;
    let mut slot = state.kpi_today.lock().await;
    let (_, today, _) = baylanys_reports::dashboard::local_day(baylanys_store::now());
    if let Some((at, v)) = slot.as_ref().filter(|(_, v)| v.total.from == today) {
        if at.elapsed() >= TODAY_TTL && !state.kpi_today_redrawing.swap(true, Ordering::AcqRel) {
            let state = state.clone();
            tokio::spawn(async move {
                match draw_today(&state).await {
                    Ok(b) => *state.kpi_today.lock().await = Some((std::time::Instant::now(), b)),
                    Err(e) => tracing::warn!(error = %e, "today's KPIs not redrawn"),
                }
                state.kpi_today_redrawing.store(false, Ordering::Release);
            });
        }
        return Ok(v.clone());
    }
    let b = draw_today(state).await?;
    *slot = Some((std::time::Instant::now(), b.clone()));
    Ok(b)
}

/// Draws today's KPIs from the kept totals, brought up to date when more than ten seconds old.
async fn draw_today(
    state: &AppState,
) -> ApiResult<std::sync::Arc<baylanys_reports::dashboard::Breakdown>> {
    let now = baylanys_store::now();
    let (_, from, _) = baylanys_reports::dashboard::local_day(now);
    let q = KpiQuery::period(from, now + Duration::seconds(1));
    let refresh = state.kpi_refresh().min(chrono::Duration::seconds(10));
    Ok(std::sync::Arc::new(
        baylanys_reports::dashboard::breakdown(state.store.as_ref(), &q, refresh).await?,
    ))
}

/// Today's KPIs as the supervisors' sockets get them.
pub(crate) async fn today(state: &AppState) -> ApiResult<serde_json::Value> {
    let b = today_breakdown(state).await?;
    serde_json::to_value(b.as_ref()).map_err(|e| ApiError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use baylanys_reports::dashboard::{Breakdown, Slice};
    use baylanys_reports::sums::Sums;

    use super::*;
    use crate::ApiConfig;

    /// A drawing of yesterday is never today's: the first asker after midnight (or after a quiet
    /// night) gets today's figures drawn in place, not yesterday's four answered calls (the
    /// wallboard said 4 while the KPIs fetched for today said 0).
    #[tokio::test]
    async fn a_drawing_of_another_day_is_not_served_as_todays() -> Result<(), ApiError> {
        let dir = std::env::temp_dir().join(format!("bl_kpi_today_{}", Uuid::now_v7().simple()));
        let url = format!("sqlite://{}", dir.join("baylanys.db").display());
        let store = baylanys_store::connect(&url).await?;
        store.migrate().await?;
        let config = ApiConfig {
            hash_cost: crate::HashCost {
                memory_kib: 64,
                iterations: 1,
            },
            ..ApiConfig::default()
        };
        let state = AppState::new(store, config).await?;
        let (_, today, _) = baylanys_reports::dashboard::local_day(baylanys_store::now());
        let (_, yesterday, _) = baylanys_reports::dashboard::local_day(today - Duration::hours(1));
        let settings = KpiSettings::default();
        let busy = Sums {
            calls_entered: 4,
            calls_answered: 4,
            ..Sums::default()
        };
        let drawn = Breakdown {
            total: busy.kpis(yesterday, today, &settings),
            queues: vec![Slice {
                id: Uuid::now_v7(),
                kpis: busy.kpis(yesterday, today, &settings),
            }],
            operators: Vec::new(),
        };
        *state.kpi_today.lock().await = Some((std::time::Instant::now(), Arc::new(drawn)));
        let b = today_breakdown(&state).await?;
        assert_eq!(b.total.from, today);
        assert_eq!((b.total.calls_answered, b.queues.len()), (0, 0));
        // Today's drawing is kept and served again.
        let again = today_breakdown(&state).await?;
        assert!(Arc::ptr_eq(&b, &again));
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }
}
