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

    /// Beyond axum's own checks: a control character anywhere in the body's strings is
    /// `invalid-text` (422) before anything is parsed — PostgreSQL refuses NUL in text, and
    /// no field of ours takes one, so both backends answer alike — and an array or bare
    /// value where an object is expected is `invalid-shape` (422): serde would read a struct
    /// from an array of its fields in order.
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !json_content_type(req.headers()) {
            return Err(ApiError::new(
                problem::UNSUPPORTED_MEDIA_TYPE,
                "send the body with Content-Type: application/json",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(problem::BODY_TOO_LARGE, e.body_text())
                } else {
                    ApiError::new(problem::INVALID_BODY, e.body_text())
                }
            })?;
        if let Some(at) = escaped_control(&bytes) {
            return Err(ApiError::new(
                problem::INVALID_TEXT,
                format!("a control character at byte {at} of the body"),
            ));
        }
        if shape::wants_object::<T>() && is_json_but_not_object(&bytes) {
            return Err(ApiError::new(
                problem::INVALID_SHAPE,
                "the body must be a JSON object",
            ));
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(rejection) => Err(json_problem(rejection)),
        }
    }
}

/// `application/json` or any `+json` type, as axum accepts.
fn json_content_type(headers: &axum::http::HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Whether the body is well-formed JSON whose top level is not an object (an array, a string,
/// a number…). Malformed JSON is left to the parser to call so.
fn is_json_but_not_object(body: &[u8]) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{')
        && serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok()
}

use baylanys_domain::is_refused_control;

/// The byte offset of the first refused control character in a JSON document's strings. In
/// valid JSON such a character is escaped (`\u0000`, `\b`, `\f`); a raw one (only DEL and C1
/// may stand unescaped) counts too.
fn escaped_control(body: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'\\' => {
                match body.get(i + 1) {
                    Some(b'b' | b'f') => return Some(i),
                    Some(b'u') => {
                        let hex = body.get(i + 2..i + 6)?;
                        let code = std::str::from_utf8(hex)
                            .ok()
                            .and_then(|h| u32::from_str_radix(h, 16).ok());
                        if code
                            .and_then(char::from_u32)
                            .is_some_and(is_refused_control)
                        {
                            return Some(i);
                        }
                        i += 6;
                        continue;
                    }
                    _ => {}
                }
                // Any other escape (\" \\ \/ \n \r \t) is two bytes.
                i += 2;
            }
            0x7f => return Some(i),
            // C1 controls in UTF-8: 0xC2 followed by 0x80..=0x9F.
            0xc2 if body.get(i + 1).is_some_and(|b| (0x80..=0x9f).contains(b)) => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// What shape of JSON a type reads, asked of the type itself: a probe deserializer records the
/// first `deserialize_*` call serde's derive makes (`deserialize_struct` for a struct,
/// `deserialize_seq` for a list) and stops there.
mod shape {
    use serde::de::{self, Deserialize, Visitor};

    #[derive(Debug)]
    struct Stop(bool);

    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("probe")
        }
    }

    impl std::error::Error for Stop {}

    impl de::Error for Stop {
        fn custom<T: std::fmt::Display>(_: T) -> Self {
            Stop(false)
        }
    }

    struct Probe;

    impl<'de> de::Deserializer<'de> for Probe {
        type Error = Stop;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop(false))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            _: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Stop> {
            Err(Stop(true))
        }

        fn deserialize_map<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Stop> {
            Err(Stop(true))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct enum identifier ignored_any
        }
    }

    /// Whether `T` is read from a JSON object (a struct or a map).
    pub fn wants_object<T: for<'de> Deserialize<'de>>() -> bool {
        matches!(T::deserialize(Probe), Err(Stop(true)))
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
