//! Extractors that turn every malformed input into a problem with a stable type, and the
//! bearer-token extractor that identifies the caller.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use baylanys_domain::Role;
use baylanys_proto::problem;
use baylanys_store::Staff;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::password::hash_token;
use crate::AppState;

/// JSON body. Syntax errors are `malformed-json` (400); a value outside an enum is
/// `unknown-value` (422); other shape errors are `invalid-body` (422).
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(rejection) => Err(json_problem(rejection)),
        }
    }
}

fn json_problem(rejection: JsonRejection) -> ApiError {
    let text = rejection.body_text();
    match rejection {
        JsonRejection::JsonSyntaxError(_) => ApiError::new(problem::MALFORMED_JSON, text),
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::new(problem::UNSUPPORTED_MEDIA_TYPE, text)
        }
        JsonRejection::JsonDataError(_) if is_unknown_variant(&text) => {
            ApiError::new(problem::UNKNOWN_VALUE, text)
        }
        JsonRejection::JsonDataError(_) => ApiError::new(problem::INVALID_BODY, text),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(problem::BODY_TOO_LARGE, other.body_text())
        }
        other => ApiError::new(problem::INVALID_BODY, other.body_text()),
    }
}

/// serde reports a value outside a closed set as "unknown variant"; our enums are all closed
/// sets, so that wording is how the two kinds of data error are told apart.
fn is_unknown_variant(text: &str) -> bool {
    text.contains("unknown variant")
}

/// Query string; errors are `invalid-query` (400), or `unknown-value` (422) for enums.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Query(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                let text = e.body_text();
                if is_unknown_variant(&text) {
                    Err(ApiError::new(problem::UNKNOWN_VALUE, text))
                } else {
                    Err(ApiError::new(problem::INVALID_QUERY, text))
                }
            }
            Err(other) => Err(ApiError::new(problem::INVALID_QUERY, other.body_text())),
        }
    }
}

/// Path parameters; a malformed one (e.g. not a UUID) is `invalid-path` (400).
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(rejection @ PathRejection::FailedToDeserializePathParams(_)) => {
                Err(ApiError::new(problem::INVALID_PATH, rejection.body_text()))
            }
            Err(other) => Err(ApiError::Internal(other.body_text())),
        }
    }
}

/// The authenticated staff member behind a bearer token. Every protected handler takes this as
/// its first argument, so authentication is checked before the body is even read.
#[derive(Debug, Clone)]
pub struct Caller {
    pub staff: Staff,
    pub token_hash: String,
}

impl Caller {
    /// Refuses with 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.staff.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(&format!(
                "this action needs one of the roles: {}",
                roles
                    .iter()
                    .map(|r| r.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )))
        }
    }

    pub fn actor(&self) -> baylanys_store::Actor {
        baylanys_store::Actor::staff(self.staff.id)
    }
}

/// Roles that work the centre's own appeals (everyone but body officers).
pub const CENTRE_STAFF: &[Role] = &[Role::Admin, Role::Supervisor, Role::Operator];
/// Roles that oversee the centre: KPIs, the event log, the audit trail.
pub const OVERSIGHT: &[Role] = &[Role::Admin, Role::Supervisor];

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| ApiError::unauthorized("send Authorization: Bearer <token>"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 256)
            .ok_or_else(|| {
                ApiError::unauthorized("the Authorization header is not a bearer token")
            })?;
        let token_hash = hash_token(token);
        let session = state
            .store
            .session(&token_hash, baylanys_store::now())
            .await?
            .ok_or_else(|| ApiError::unauthorized("the token is unknown, expired or revoked"))?;
        Ok(Caller {
            staff: session.staff,
            token_hash,
        })
    }
}
