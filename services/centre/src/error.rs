//! What a use case refuses. Each edge maps it once: the HTTP API to problem+json, the web chat
//! to an error frame, a channel worker to its log and its retry.

use baylanys_domain::DomainError;
use baylanys_store::StoreError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum CentreError {
    /// Bad input: refused before anything is stored.
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A channel's provider cannot be reached right now (a file could not be fetched): nothing
    /// was recorded, and the item comes again.
    #[error("the channel's provider cannot be reached: {0}")]
    Unavailable(String),
}

pub type CentreResult<T> = Result<T, CentreError>;
