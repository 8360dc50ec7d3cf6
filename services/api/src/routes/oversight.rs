//! The event log feed (for KPIs, R35) and the audit trail of personal-data reads (R33), for
//! admins and supervisors.

use axum::extract::State;
use baylanys_proto::{AuditPage, EventPage, ProblemDetails};
use baylanys_store::{AuditFilter, EventFilter};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::error::ApiResult;
use crate::extract::{Caller, Query, OVERSIGHT};
use crate::{convert, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_events))
        .routes(routes!(list_audit))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct EventQuery {
    /// Continue after this event id (`next_after` of the previous page).
    after: Option<i64>,
    /// E.g. `appeal.created`.
    kind: Option<String>,
    appeal_id: Option<Uuid>,
    /// At or after (RFC 3339).
    from: Option<DateTime<Utc>>,
    /// Before (RFC 3339).
    to: Option<DateTime<Utc>>,
    /// 1–500, default 100.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

/// Reads the append-only event log in order.
#[utoipa::path(get, path = "/api/v1/events", tag = "oversight", security(("bearer" = [])),
    params(EventQuery),
    responses((status = 200, body = EventPage), (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
async fn list_events(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<EventQuery>,
) -> ApiResult<axum::Json<EventPage>> {
    caller.require(OVERSIGHT)?;
    let items = state
        .store
        .list_events(EventFilter {
            after: q.after,
            kind: q.kind,
            appeal_id: q.appeal_id,
            from: q.from,
            to: q.to,
            limit: super::page_limit(q.limit, 100, 500)?,
        })
        .await?;
    Ok(axum::Json(EventPage {
        next_after: items.last().map(|e| e.id),
        items: items.iter().map(convert::event).collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct AuditQuery {
    staff_id: Option<Uuid>,
    client_id: Option<Uuid>,
    /// Older than this record id (`next_before` of the previous page).
    before: Option<i64>,
    /// 1–500, default 100.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

/// Who read which client's personal data, when and through which endpoint; newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "oversight", security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
async fn list_audit(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AuditQuery>,
) -> ApiResult<axum::Json<AuditPage>> {
    caller.require(OVERSIGHT)?;
    let limit = super::page_limit(q.limit, 100, 500)?;
    let items = state
        .store
        .list_audit(AuditFilter {
            staff_id: q.staff_id,
            client_id: q.client_id,
            before: q.before,
            limit,
        })
        .await?;
    Ok(axum::Json(AuditPage {
        next_before: if items.len() == limit as usize {
            items.last().map(|a| a.id)
        } else {
            None
        },
        items: items.iter().map(convert::audit).collect(),
    }))
}
