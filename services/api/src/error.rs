//! The one place errors become HTTP. Handlers return [`ApiError`]; its `IntoResponse` attaches
//! a [`ProblemDetails`] to the response, and the `problem_layer` middleware finishes it with
//! the request path and id (which only the middleware knows) and turns any other bare 4xx/5xx —
//! axum's own 405, a body-limit 413 — into problem+json too. 500 causes are logged, never shown.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use baylanys_domain::DomainError;
use baylanys_proto::problem::{self, ProblemType};
use baylanys_proto::ProblemDetails;
use baylanys_store::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ApiError {
    #[error("{}: {detail:?}", .kind.title)]
    Problem {
        kind: ProblemType,
        detail: Option<String>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("internal: {0}")]
    Internal(String),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl From<baylanys_centre::CentreError> for ApiError {
    fn from(e: baylanys_centre::CentreError) -> Self {
        match e {
            baylanys_centre::CentreError::Domain(d) => ApiError::Domain(d),
            baylanys_centre::CentreError::Store(s) => ApiError::Store(s),
            baylanys_centre::CentreError::Unavailable(why) => {
                ApiError::new(baylanys_proto::problem::UNAVAILABLE, why)
            }
        }
    }
}

impl ApiError {
    pub fn new(kind: ProblemType, detail: impl Into<String>) -> Self {
        ApiError::Problem {
            kind,
            detail: Some(detail.into()),
        }
    }

    pub fn unauthorized(detail: &str) -> Self {
        Self::new(problem::UNAUTHORIZED, detail)
    }

    pub fn forbidden(detail: &str) -> Self {
        Self::new(problem::FORBIDDEN, detail)
    }

    fn parts(&self) -> (ProblemType, Option<String>) {
        match self {
            ApiError::Problem { kind, detail } => (*kind, detail.clone()),
            ApiError::Domain(e) => domain_problem(e),
            ApiError::Store(e) => match e {
                StoreError::NotFound(what) => {
                    (problem::NOT_FOUND, Some(format!("{what} not found")))
                }
                StoreError::Conflict(msg) => (problem::CONFLICT, Some(msg.clone())),
                StoreError::Replayed(msg) => (problem::REPLAYED, Some(msg.clone())),
                StoreError::Domain(d) => domain_problem(d),
                StoreError::Unavailable(_) => {
                    tracing::error!(error = %e, "database unavailable");
                    (problem::UNAVAILABLE, None)
                }
                _ => {
                    tracing::error!(error = %e, "store failure");
                    (problem::INTERNAL, None)
                }
            },
            ApiError::Internal(msg) => {
                tracing::error!(error = %msg, "internal failure");
                (problem::INTERNAL, None)
            }
        }
    }
}

fn domain_problem(e: &DomainError) -> (ProblemType, Option<String>) {
    let kind = match e {
        DomainError::InvalidIin(_) => problem::INVALID_IIN,
        DomainError::InvalidBin(_) => problem::INVALID_BIN,
        DomainError::UnknownValue { .. } => problem::UNKNOWN_VALUE,
        DomainError::IllegalTransition { .. } => problem::ILLEGAL_TRANSITION,
        DomainError::InvalidField { .. } => problem::VALIDATION,
    };
    (kind, Some(e.to_string()))
}

/// Carried from `IntoResponse` to `problem_layer` as a response extension.
#[derive(Debug, Clone)]
struct PendingProblem {
    kind: ProblemType,
    detail: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (kind, detail) = self.parts();
        let status = StatusCode::from_u16(kind.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = status.into_response();
        res.extensions_mut().insert(PendingProblem { kind, detail });
        res
    }
}

/// The problem type for a bare error status produced outside our handlers.
fn fallback_problem(status: StatusCode) -> ProblemType {
    match status {
        StatusCode::NOT_FOUND => problem::NOT_FOUND,
        StatusCode::METHOD_NOT_ALLOWED => problem::METHOD_NOT_ALLOWED,
        StatusCode::PAYLOAD_TOO_LARGE => problem::BODY_TOO_LARGE,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => problem::UNSUPPORTED_MEDIA_TYPE,
        StatusCode::UNAUTHORIZED => problem::UNAUTHORIZED,
        StatusCode::FORBIDDEN => problem::FORBIDDEN,
        StatusCode::SERVICE_UNAVAILABLE => problem::UNAVAILABLE,
        StatusCode::TOO_MANY_REQUESTS => problem::TOO_MANY_ATTEMPTS,
        s if s.is_client_error() => problem::INVALID_BODY,
        _ => problem::INTERNAL,
    }
}

pub async fn problem_layer(req: Request, next: Next) -> Response {
    let instance = req.uri().path().to_owned();
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let pending = res.extensions().get::<PendingProblem>().cloned();
    let already_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if pending.is_none() && already_problem {
        return res;
    }
    let (kind, detail) = match pending {
        Some(p) => (p.kind, p.detail),
        None => (fallback_problem(status), None),
    };
    let body = ProblemDetails {
        kind: kind.uri(),
        title: kind.title.to_owned(),
        status: status.as_u16(),
        detail,
        instance: Some(instance),
        request_id,
    };
    let (mut parts, _) = res.into_parts();
    let json = serde_json::to_vec(&body).unwrap_or_default();
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    if status == StatusCode::UNAUTHORIZED {
        parts
            .headers
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    Response::from_parts(parts, Body::from(json))
}
