//! Surveys by link (R5.7, KPI 3): a client told of the answer by e-mail or SMS gets a one-time
//! link to a small page that asks for a rating 1–5 and a comment, in the appeal's language.
//! The link's token is the credential (256 random bits; only its hash is stored); a wrong one
//! is 404, a second answer 409, a score outside 1–5 422 — and none changes anything.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use baylanys_proto::{ProblemDetails, SurveyAnswer, SurveyInfo};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::optional_text;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path};
use crate::AppState;

const PAGE: &str = include_str!("../../static/survey.html");
const SCRIPT: &str = include_str!("../../static/survey.js");

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(info, answer))
        .route("/survey/{token}", get(page))
        .route("/survey.js", get(script))
}

async fn page() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                 connect-src 'self'; frame-ancestors 'none'",
            ),
            (header::CACHE_CONTROL, "no-store"),
            // The token is in the path: it must not leak to other sites.
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        PAGE,
    )
}

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        SCRIPT,
    )
}

/// A link's token as issued: 43 characters of URL-safe base64. Anything else is no survey.
fn token_hash(token: &str) -> ApiResult<String> {
    let ok = token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok {
        return Err(ApiError::from(baylanys_store::StoreError::NotFound(
            "survey",
        )));
    }
    Ok(crate::password::hash_token(token))
}

async fn find(state: &AppState, token: &str) -> ApiResult<baylanys_store::SurveyLink> {
    state
        .store
        .survey_by_token(&token_hash(token)?)
        .await?
        .ok_or_else(|| ApiError::from(baylanys_store::StoreError::NotFound("survey")))
}

#[utoipa::path(get, path = "/api/v1/public/surveys/{token}", tag = "appeals",
    params(("token" = String, Path, description = "From the link the client received")),
    responses((status = 200, body = SurveyInfo), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn info(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> ApiResult<axum::Json<SurveyInfo>> {
    let s = find(&state, &token).await?;
    Ok(axum::Json(SurveyInfo {
        number: s.number,
        language: s.language,
        answered: s.answered,
    }))
}

/// The rating, once per appeal; it lands in the event log as `survey.answered`.
#[utoipa::path(post, path = "/api/v1/public/surveys/{token}", tag = "appeals",
    params(("token" = String, Path)), request_body = SurveyAnswer,
    responses(
        (status = 204, description = "Thank you"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Answered already", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Score outside 1–5, comment too long", body = ProblemDetails, content_type = "application/problem+json")))]
async fn answer(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Json(req): Json<SurveyAnswer>,
) -> ApiResult<StatusCode> {
    let s = find(&state, &token).await?;
    let comment = optional_text("comment", req.comment, 2000)?;
    state
        .store
        .answer_survey(s.appeal_id, req.score, comment)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
