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
pub mod kpis;
pub mod mailboxes;
pub mod oversight;
pub mod pages;
pub mod qa;
pub mod redirections;
pub mod reports;
pub mod routing;
pub mod staff;
pub mod surveys;
pub mod system;
pub mod telegram;
pub mod templates;
pub mod verification;
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
