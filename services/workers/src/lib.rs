//! Background work. For now: the routing engine, which turns queued contacts into offers to
//! operators (R18), expires unanswered offers and applies overflow steps.

mod routing;

pub use routing::{PassReport, RoutingEngine};
