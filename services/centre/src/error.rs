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
}

pub type CentreResult<T> = Result<T, CentreError>;
