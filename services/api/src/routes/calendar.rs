//! The working-day calendar: every staff member reads it, admins keep its data (Kurban Ait's
//! date, the Government's yearly transfers). Deadlines of later issues count on it.

use axum::extract::State;
use axum::http::StatusCode;
use baylanys_domain::{DayOverride, Role};
use baylanys_proto::{
    problem, CalendarDayView, DayOverrideView, ProblemDetails, SetDayOverride, WorkingDaysView,
};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::text;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, Json, Path, Query};
use crate::{convert, AppState};

/// The longest range one request may list.
const MAX_DAYS: i64 = 400;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_days))
        .routes(routes!(list_overrides))
        .routes(routes!(set_override, remove_override))
        .routes(routes!(add_working_days))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct DaysQuery {
    /// First day, `YYYY-MM-DD`.
    from: NaiveDate,
    /// Last day, inclusive; at most 400 days after `from`.
    to: NaiveDate,
}

/// Each day of a range: working or not, and why.
#[utoipa::path(get, path = "/api/v1/calendar/days", tag = "calendar", security(("bearer" = [])),
    params(DaysQuery),
    responses((status = 200, body = Vec<CalendarDayView>), (status = 400, body = ProblemDetails, content_type = "application/problem+json")))]
async fn list_days(
    State(state): State<AppState>,
    _caller: Caller,
    Query(q): Query<DaysQuery>,
) -> ApiResult<axum::Json<Vec<CalendarDayView>>> {
    let span = (q.to - q.from).num_days();
    if !(0..=MAX_DAYS).contains(&span) {
        return Err(ApiError::new(
            problem::INVALID_QUERY,
            format!("`to` must be on or after `from`, at most {MAX_DAYS} days later"),
        ));
    }
    let calendar = state.store.calendar().await?;
    Ok(axum::Json(
        calendar
            .days(q.from, q.to)
            .iter()
            .map(convert::calendar_day)
            .collect(),
    ))
}

/// The dates admins fixed by hand.
#[utoipa::path(get, path = "/api/v1/calendar/overrides", tag = "calendar", security(("bearer" = [])),
    responses((status = 200, body = Vec<DayOverrideView>)))]
async fn list_overrides(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<axum::Json<Vec<DayOverrideView>>> {
    let all = state.store.day_overrides().await?;
    Ok(axum::Json(all.iter().map(convert::day_override).collect()))
}

/// Makes a date a day off or a working day, e.g. the Government's decree moving a day off from
/// a Saturday: the Saturday `working_day`, the weekday `day_off`.
#[utoipa::path(put, path = "/api/v1/calendar/overrides/{date}", tag = "calendar", security(("bearer" = [])),
    params(("date" = NaiveDate, Path)), request_body = SetDayOverride,
    responses((status = 200, body = DayOverrideView), (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
async fn set_override(
    State(state): State<AppState>,
    caller: Caller,
    Path(date): Path<NaiveDate>,
    Json(req): Json<SetDayOverride>,
) -> ApiResult<axum::Json<DayOverrideView>> {
    caller.require(&[Role::Admin])?;
    let day = DayOverride {
        date,
        kind: req.kind,
        name_kk: text("name_kk", &req.name_kk, 200)?,
        name_ru: text("name_ru", &req.name_ru, 200)?,
    };
    let note = super::optional_text("note", req.note, 500)?;
    let saved = state
        .store
        .set_day_override(day, note, caller.actor())
        .await?;
    state.centre.forget_deadline_rules().await;
    Ok(axum::Json(convert::day_override(&saved)))
}

#[utoipa::path(delete, path = "/api/v1/calendar/overrides/{date}", tag = "calendar", security(("bearer" = [])),
    params(("date" = NaiveDate, Path)),
    responses((status = 204), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn remove_override(
    State(state): State<AppState>,
    caller: Caller,
    Path(date): Path<NaiveDate>,
) -> ApiResult<StatusCode> {
    caller.require(&[Role::Admin])?;
    if state
        .store
        .remove_day_override(date, caller.actor())
        .await?
    {
        state.centre.forget_deadline_rules().await;
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(
            problem::NOT_FOUND,
            "no override on this date",
        ))
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct AddQuery {
    from: NaiveDate,
    /// 0–400.
    days: u32,
}

/// The `days`-th working day after `from`, e.g. an appeal's 15-working-day deadline (АППК art. 76).
#[utoipa::path(get, path = "/api/v1/calendar/add-working-days", tag = "calendar", security(("bearer" = [])),
    params(AddQuery),
    responses((status = 200, body = WorkingDaysView), (status = 400, body = ProblemDetails, content_type = "application/problem+json")))]
async fn add_working_days(
    State(state): State<AppState>,
    _caller: Caller,
    Query(q): Query<AddQuery>,
) -> ApiResult<axum::Json<WorkingDaysView>> {
    if q.days > MAX_DAYS as u32 {
        return Err(ApiError::new(
            problem::INVALID_QUERY,
            format!("`days` must be at most {MAX_DAYS}"),
        ));
    }
    let calendar = state.store.calendar().await?;
    Ok(axum::Json(WorkingDaysView {
        from: q.from,
        days: q.days,
        date: calendar.add_working_days(q.from, q.days),
    }))
}
