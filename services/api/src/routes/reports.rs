//! The semi-annual БОҚБЕ report (R36, Appendix 2): for a half-year, all 28 rows in Kazakh or
//! Russian as JSON, CSV, a printable HTML page or an XLSX workbook laid out like the form; its
//! due date and status (draft, checked, submitted); a comment on any row; and the centre's
//! profile the admin fills once. Rows 13–20 are computed from the event log on every request.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use baylanys_domain::report::{CentreProfile, ReportState, ReportStatus};
use baylanys_domain::{Language, Role};
use baylanys_proto::{problem, ProblemDetails};
use baylanys_reports::boqbe::{self, HalfYear, Report};
use baylanys_reports::KpiQuery;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::optional_text;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, Json, Path, Query};
use crate::AppState;

const OVERSIGHT: &[Role] = &[Role::Supervisor, Role::Admin];

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(report))
        .routes(routes!(state_of))
        .routes(routes!(set_status))
        .routes(routes!(comment))
        .routes(routes!(get_profile, set_profile))
}

fn half_year(s: &str) -> ApiResult<HalfYear> {
    s.parse()
        .map_err(|e: String| ApiError::new(problem::VALIDATION, e))
}

#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum Format {
    #[default]
    Json,
    Csv,
    Html,
    Xlsx,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ReportQuery {
    /// `kk` or `ru` (the form is filled in both; ask for each).
    lang: Language,
    /// `json` (default), `csv`, `html` or `xlsx`.
    #[serde(default)]
    #[param(inline)]
    format: Option<Format>,
}

async fn draw(state: &AppState, half: HalfYear, lang: Language) -> ApiResult<Report> {
    if lang == Language::En {
        return Err(ApiError::new(
            problem::VALIDATION,
            "the form is filled in Kazakh (kk) and Russian (ru)",
        ));
    }
    let (from, to) = half.bounds();
    let q = KpiQuery::period(from, to);
    let store = state.store.as_ref();
    let kpis = baylanys_reports::kpis(store, &q, state.kpi_refresh()).await?;
    let facts = baylanys_reports::facts::facts(store, &kpis, to).await?;
    let profile = store.centre_profile().await?;
    let report_state = store.report_state(&half.to_string()).await?;
    Ok(boqbe::build(
        half,
        lang,
        &kpis,
        &facts,
        &profile,
        &report_state,
    ))
}

fn attachment(content_type: &'static str, name: String, body: Vec<u8>) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// The form for a half-year (`2026-H1`, `2026-H2`) in one language and format.
#[utoipa::path(get, path = "/api/v1/reports/boqbe/{half}", tag = "oversight", security(("bearer" = [])),
    params(("half" = String, Path, description = "e.g. 2026-H1"), ReportQuery),
    responses(
        (status = 200, description = "JSON (`Report`), CSV, HTML or XLSX", body = Report),
        (status = 400, description = "Unknown format or parameter", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Not a half-year; a language the form is not filled in", body = ProblemDetails, content_type = "application/problem+json")))]
async fn report(
    State(state): State<AppState>,
    caller: Caller,
    Path(half): Path<String>,
    Query(q): Query<ReportQuery>,
) -> ApiResult<Response> {
    caller.require(OVERSIGHT)?;
    let half = half_year(&half)?;
    let r = draw(&state, half, q.lang).await?;
    let name = format!("BOQBE-{half}-{}", q.lang.as_str());
    Ok(match q.format.unwrap_or_default() {
        Format::Json => axum::Json(r).into_response(),
        Format::Csv => attachment(
            "text/csv; charset=utf-8",
            format!("{name}.csv"),
            boqbe::csv(&r).into_bytes(),
        ),
        Format::Html => {
            let mut resp = boqbe::html(&r).into_response();
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            resp
        }
        Format::Xlsx => {
            let bytes = boqbe::xlsx(&r).map_err(|e| ApiError::Internal(format!("xlsx: {e}")))?;
            attachment(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                format!("{name}.xlsx"),
                bytes,
            )
        }
    })
}

/// Where a half-year's report stands.
#[derive(Debug, Serialize, ToSchema)]
struct ReportInfo {
    half_year: String,
    first_day: NaiveDate,
    last_day: NaiveDate,
    /// The 15th of the month after the half-year.
    due: NaiveDate,
    status: ReportStatus,
    /// Past due and not submitted.
    overdue: bool,
    comments: std::collections::BTreeMap<u8, String>,
}

fn info(half: HalfYear, s: ReportState) -> ReportInfo {
    let (first_day, last_day) = half.days();
    ReportInfo {
        half_year: half.to_string(),
        first_day,
        last_day,
        due: half.due(),
        overdue: s.status != ReportStatus::Submitted && boqbe::today() > half.due(),
        status: s.status,
        comments: s.comments,
    }
}

#[utoipa::path(get, path = "/api/v1/reports/boqbe/{half}/state", tag = "oversight", security(("bearer" = [])),
    params(("half" = String, Path)),
    responses((status = 200, body = ReportInfo), (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn state_of(
    State(state): State<AppState>,
    caller: Caller,
    Path(half): Path<String>,
) -> ApiResult<axum::Json<ReportInfo>> {
    caller.require(OVERSIGHT)?;
    let half = half_year(&half)?;
    let s = state.store.report_state(&half.to_string()).await?;
    Ok(axum::Json(info(half, s)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct SetStatus {
    status: ReportStatus,
}

/// Draft → checked → submitted (and checked back to draft). A half-year still running cannot
/// be submitted; a submitted report is final.
#[utoipa::path(put, path = "/api/v1/reports/boqbe/{half}/status", tag = "oversight", security(("bearer" = [])),
    params(("half" = String, Path)), request_body = SetStatus,
    responses(
        (status = 200, body = ReportInfo),
        (status = 409, description = "Submitted already, or the half-year has not ended", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn set_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(half): Path<String>,
    Json(req): Json<SetStatus>,
) -> ApiResult<axum::Json<ReportInfo>> {
    caller.require(&[Role::Admin])?;
    let half = half_year(&half)?;
    let mut s = state.store.report_state(&half.to_string()).await?;
    use ReportStatus::{Checked, Draft, Submitted};
    let ok = matches!(
        (s.status, req.status),
        (Draft, Checked) | (Checked, Draft) | (Checked, Submitted)
    );
    if !ok {
        return Err(ApiError::new(
            problem::CONFLICT,
            format!("a {:?} report cannot become {:?}", s.status, req.status).to_lowercase(),
        ));
    }
    if req.status == Submitted && !boqbe::ended(half, boqbe::today()) {
        return Err(ApiError::new(
            problem::CONFLICT,
            "the half-year has not ended yet",
        ));
    }
    s.status = req.status;
    state
        .store
        .save_report_state(&half.to_string(), s.clone(), caller.actor())
        .await?;
    Ok(axum::Json(info(half, s)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RowComment {
    /// Empty or absent removes the comment.
    #[serde(default)]
    #[schema(max_length = 2000)]
    text: Option<String>,
}

/// A comment on one row (1–28), printed beside it in every format.
#[utoipa::path(put, path = "/api/v1/reports/boqbe/{half}/comments/{row}", tag = "oversight", security(("bearer" = [])),
    params(("half" = String, Path), ("row" = u8, Path)), request_body = RowComment,
    responses(
        (status = 200, body = ReportInfo),
        (status = 409, description = "Submitted already", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "No such row, too long", body = ProblemDetails, content_type = "application/problem+json")))]
async fn comment(
    State(state): State<AppState>,
    caller: Caller,
    Path((half, row)): Path<(String, u8)>,
    Json(req): Json<RowComment>,
) -> ApiResult<axum::Json<ReportInfo>> {
    caller.require(OVERSIGHT)?;
    let half = half_year(&half)?;
    if !(1..=28).contains(&row) {
        return Err(ApiError::new(
            problem::VALIDATION,
            "the form has rows 1 to 28",
        ));
    }
    let text = optional_text("text", req.text.filter(|t| !t.trim().is_empty()), 2000)?;
    let mut s = state.store.report_state(&half.to_string()).await?;
    if s.status == ReportStatus::Submitted {
        return Err(ApiError::new(problem::CONFLICT, "the report was submitted"));
    }
    match text {
        Some(t) => s.comments.insert(row, t),
        None => s.comments.remove(&row),
    };
    state
        .store
        .save_report_state(&half.to_string(), s.clone(), caller.actor())
        .await?;
    Ok(axum::Json(info(half, s)))
}

#[utoipa::path(get, path = "/api/v1/settings/centre-profile", tag = "oversight", security(("bearer" = [])),
    responses((status = 200, body = CentreProfile)))]
async fn get_profile(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<CentreProfile>> {
    caller.require(OVERSIGHT)?;
    Ok(axum::Json(state.store.centre_profile().await?))
}

/// The centre's profile for the report: name, address, phone, staff split, certification,
/// premises, the preparer and the head.
#[utoipa::path(put, path = "/api/v1/settings/centre-profile", tag = "oversight", security(("bearer" = [])),
    request_body = CentreProfile,
    responses((status = 200, body = CentreProfile), (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn set_profile(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<CentreProfile>,
) -> ApiResult<axum::Json<CentreProfile>> {
    caller.require(&[Role::Admin])?;
    Ok(axum::Json(
        state.store.set_centre_profile(req, caller.actor()).await?,
    ))
}
