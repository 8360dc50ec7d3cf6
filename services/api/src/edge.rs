//! What every request and response passes at the edge, whatever the route: a path or query
//! carrying a control character is refused before any handler reads it (PostgreSQL refuses NUL
//! in text; no parameter of ours takes one; so both backends answer alike), and every response
//! says `nosniff` and sends no referrer (a survey link's token is in its path).

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use baylanys_proto::problem;

use crate::error::ApiError;
use baylanys_domain::is_refused_control;

/// Refuses a request whose path or query, once percent-decoded, holds a control character
/// other than tab and line breaks: 422 `invalid-text`, nothing done.
pub async fn refuse_controls(req: Request, next: Next) -> Response {
    let uri = req.uri();
    let bad = has_control(uri.path()) || uri.query().is_some_and(has_control);
    if bad {
        return ApiError::new(
            problem::INVALID_TEXT,
            "the address holds a control character",
        )
        .into_response();
    }
    next.run(req).await
}

/// Adds the headers every response carries unless a route set its own.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    h.entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("no-referrer"));
    res
}

/// Whether a percent-encoded path or query decodes to a refused control character (a `+` is
/// a space in a query, so it never is one).
fn has_control(raw: &str) -> bool {
    percent_encoding::percent_decode_str(raw)
        .decode_utf8_lossy()
        .chars()
        .any(is_refused_control)
}

#[cfg(test)]
mod tests {
    use super::has_control;

    #[test]
    fn control_characters_in_addresses() {
        assert!(has_control("/api/v1/clients?name=ad%00min"));
        assert!(has_control("number=%1b"));
        assert!(has_control("q=%C2%85"));
        assert!(has_control("q=%7F"));
        assert!(!has_control("q=%D0%90%D0%B9%D0%B3%D2%AF%D0%BB"));
        assert!(!has_control("q=line%0Abreak&t=%09"));
        assert!(!has_control("q=100%25"));
        assert!(!has_control("q=%zz"));
    }
}
