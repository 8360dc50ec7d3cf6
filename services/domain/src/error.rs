use thiserror::Error;

/// A rule of the domain was broken by the input. Each variant maps to one stable problem type at
/// the HTTP edge, so callers can react to the kind of mistake rather than parse a message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    #[error("invalid IIN: {0}")]
    InvalidIin(&'static str),
    #[error("invalid BIN: {0}")]
    InvalidBin(&'static str),
    #[error("unknown {kind} value {value:?}")]
    UnknownValue { kind: &'static str, value: String },
    #[error("an appeal cannot go from {from} to {to}")]
    IllegalTransition {
        from: crate::AppealStatus,
        to: crate::AppealStatus,
    },
    #[error("{field}: {reason}")]
    InvalidField { field: &'static str, reason: String },
}
