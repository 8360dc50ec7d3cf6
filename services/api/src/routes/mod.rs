pub mod appeals;
pub mod auth;
pub mod body_webhooks;
pub mod calendar;
pub mod canned;
pub mod catalog;
pub mod chat;
pub mod clients;
pub mod competence;
pub mod complaints;
pub mod deadlines;
pub mod deliveries;
pub mod dispatch;
pub mod knowledge;
pub mod kpis;
pub mod mailboxes;
pub mod oversight;
pub mod pages;
pub mod qa;
pub mod recordings;
pub mod redirections;
pub mod reports;
pub mod routing;
pub mod rustpbx;
pub mod staff;
pub mod surveys;
pub mod system;
pub mod telegram;
pub mod templates;
pub mod twilio;
pub mod verification;
pub mod voice;
pub mod ws;

use baylanys_domain::{BoundedText, DomainError};

/// Validates an optional free-text field: trimmed, non-empty, bounded.
pub fn optional_text(
    field: &'static str,
    value: Option<String>,
    max: usize,
) -> Result<Option<String>, DomainError> {
    BoundedText::optional(field, value, max)
}

/// Validates a required free-text field.
/// Whether a socket's read failed because the client's frame was over the size limit: the
/// socket then closes with 1009 (message too big, RFC 6455 §7.4.1) rather than dropping.
pub(crate) fn frame_too_large(e: axum::Error) -> bool {
    e.into_inner()
        .downcast_ref::<tokio_tungstenite::tungstenite::Error>()
        .is_some_and(|e| matches!(e, tokio_tungstenite::tungstenite::Error::Capacity(_)))
}

/// RFC 6455's close code for a message too big to process.
pub(crate) const CLOSE_TOO_BIG: u16 = 1009;

/// A page size from the query: `default` when absent; outside 1..=`max` it is refused, not
/// quietly clamped, so a client learns the bound the contract documents.
pub(crate) fn page_limit(
    limit: Option<u32>,
    default: u32,
    max: u32,
) -> Result<u32, crate::error::ApiError> {
    match limit {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(crate::error::ApiError::new(
            baylanys_proto::problem::INVALID_QUERY,
            format!("limit is from 1 to {max}, not {n}"),
        )),
    }
}

pub fn text(field: &'static str, value: &str, max: usize) -> Result<String, DomainError> {
    BoundedText::new(field, value, max).map(BoundedText::into_inner)
}

/// Codes and logins: a short ASCII identifier.
pub fn identifier(field: &'static str, value: &str, min: usize) -> Result<String, DomainError> {
    let ok = (min..=64).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(value.to_owned())
    } else {
        Err(DomainError::InvalidField {
            field,
            reason: format!("must be {min}–64 characters of letters, digits, '.', '_' or '-'"),
        })
    }
}
