//! RFC 9457 problem details. Every 4xx carries a stable `type` so that clients branch on the
//! kind of mistake; the types resolve to short explanations at `/problems/{slug}`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `application/problem+json` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProblemDetails {
    /// Stable identifier of the kind of problem, e.g. `/problems/invalid-iin`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request path the problem occurred on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The request id, also sent as the `x-request-id` header, for support and logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// One kind of problem: its slug, HTTP status, title and an explanation for `/problems/{slug}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProblemType {
    pub slug: &'static str,
    pub status: u16,
    pub title: &'static str,
    pub explanation: &'static str,
}

impl ProblemType {
    pub fn uri(&self) -> String {
        format!("/problems/{}", self.slug)
    }
}

macro_rules! problems {
    ($($name:ident = ($slug:literal, $status:literal, $title:literal, $explain:literal);)+) => {
        $(pub const $name: ProblemType = ProblemType {
            slug: $slug, status: $status, title: $title, explanation: $explain,
        };)+
        /// Every problem type the API can return.
        pub const ALL: &[ProblemType] = &[$($name),+];
    };
}

problems! {
    MALFORMED_JSON = ("malformed-json", 400, "Malformed JSON",
        "The request body is not syntactically valid JSON.");
    INVALID_BODY = ("invalid-body", 422, "Invalid request body",
        "The JSON is well formed but a field is missing, has the wrong type, or is not part of the request schema.");
    UNKNOWN_VALUE = ("unknown-value", 422, "Unknown enumeration value",
        "A field that takes one of a fixed set of values (channel, language, status, role, …) got a value outside that set.");
    UNSUPPORTED_MEDIA_TYPE = ("unsupported-media-type", 415, "Unsupported media type",
        "Request bodies must be sent with Content-Type: application/json.");
    BODY_TOO_LARGE = ("body-too-large", 413, "Request body too large",
        "The request body exceeds the configured size limit.");
    INVALID_QUERY = ("invalid-query", 400, "Invalid query string",
        "A query parameter is missing, malformed or of the wrong type.");
    INVALID_PATH = ("invalid-path", 400, "Invalid path parameter",
        "A path parameter is malformed, e.g. not a UUID.");
    INVALID_TEXT = ("invalid-text", 422, "Invalid text",
        "A text contains a control character (NUL, backspace, escape, …); only tab and line breaks are allowed. Nothing was changed.");
    INVALID_SHAPE = ("invalid-shape", 422, "Wrong JSON shape",
        "The body must be a JSON object here (an array or a bare value was sent). Nothing was changed.");
    INVALID_IIN = ("invalid-iin", 422, "Invalid IIN",
        "The IIN must be 12 digits starting with a valid date of birth and a century digit 1–6, ending in the official check digit.");
    INVALID_BIN = ("invalid-bin", 422, "Invalid BIN",
        "The BIN must be 12 digits with a month in digits 3–4, a legal-entity type digit 4–6 and the official check digit.");
    VALIDATION = ("validation", 422, "Invalid field value",
        "A field has a value that breaks a rule (length, range, required in this state).");
    VERIFICATION_FAILED = ("verification-failed", 422, "Verification failed",
        "The IIN or the date of birth given does not match the client's record.");
    ILLEGAL_TRANSITION = ("illegal-transition", 409, "Illegal status transition",
        "The appeal's lifecycle does not allow moving from its current status to the requested one.");
    CONFLICT = ("conflict", 409, "Conflict",
        "The request conflicts with the current state: a duplicate unique value, or a concurrent change.");
    UNAUTHORIZED = ("unauthorized", 401, "Authentication required",
        "The bearer token is missing, malformed, expired or revoked. Log in again.");
    INVALID_CREDENTIALS = ("invalid-credentials", 401, "Invalid credentials",
        "The login or password is wrong, or the account is disabled.");
    INVALID_SIGNATURE = ("invalid-signature", 401, "Invalid webhook signature",
        "The webhook-id, webhook-timestamp and webhook-signature headers are missing, the timestamp is more than five minutes from the server's clock, or the signature does not match the body's secret.");
    REPLAYED = ("replayed", 409, "Replayed webhook",
        "A webhook with this webhook-id was already received from this body; a new action needs a new id.");
    FORBIDDEN = ("forbidden", 403, "Forbidden",
        "Your role does not allow this action.");
    NOT_FOUND = ("not-found", 404, "Not found",
        "The resource does not exist or is outside what you may see.");
    GONE = ("gone", 410, "Gone",
        "The resource was recorded but its content was not kept (a file refused by the limits) or is kept no more (a recording past its retention); the detail says which.");
    RANGE_NOT_SATISFIABLE = ("range-not-satisfiable", 416, "Range not satisfiable",
        "The Range header names no byte of the file; Content-Range gives the file's length.");
    METHOD_NOT_ALLOWED = ("method-not-allowed", 405, "Method not allowed",
        "This path does not accept this HTTP method.");
    TOO_MANY_ATTEMPTS = ("too-many-attempts", 429, "Too many failed logins",
        "Too many wrong passwords for this login; wait for the time given in Retry-After.");
    RATE_LIMITED = ("rate-limited", 429, "Too many requests",
        "Too many requests from your address or session in a short time; wait and try again.");
    UNAVAILABLE = ("unavailable", 503, "Service unavailable",
        "The service cannot reach its database right now. Retry later.");
    INTERNAL = ("internal", 500, "Internal error",
        "Something went wrong on the server. The request id identifies it in the logs.");
}

/// Looks a problem type up by slug, for the `/problems/{slug}` pages.
pub fn by_slug(slug: &str) -> Option<ProblemType> {
    ALL.iter().copied().find(|p| p.slug == slug)
}
