//! The wire contracts of Baylanys: every type a client sends or receives over HTTP, with its
//! OpenAPI schema. `openapi.json` beside this crate is generated from these types and the API's
//! routes and committed; a test fails when it drifts, so the published contract is always the
//! one the code serves.
//!
//! Requests reject unknown fields: a misspelt field is an error the caller sees, not a value
//! silently ignored.

mod appeals;
mod auth;
mod calendar;
mod catalog;
mod clients;
mod events;
mod knowledge;
mod mail;
mod outbox;
pub mod problem;
mod qa;
mod routing;
mod voice;
mod workers;
pub mod ws;

pub use appeals::*;
pub use auth::*;
pub use baylanys_domain::{
    AppealKind, AppealStatus, Author, Channel, ComplaintCategory, DayKind, DeliveryMethod,
    DeliveryState, DeliveryVia, Direction, InteractionState, Language, MessageKind, Recipient,
    RedirectionState, Role,
};
pub use calendar::*;
pub use catalog::*;
pub use clients::*;
pub use events::*;
pub use knowledge::*;
pub use mail::*;
pub use outbox::*;
pub use problem::ProblemDetails;
pub use qa::*;
pub use routing::*;
pub use voice::*;
pub use workers::*;

use serde::{Deserialize, Deserializer};

/// For PATCH bodies: tells "absent" (`None`, leave as is) from "null" (`Some(None)`, clear).
pub fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}
