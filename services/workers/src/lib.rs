//! Background work: the routing engine, which turns queued contacts into offers to operators
//! (R18), expires unanswered offers and applies overflow steps; and the deadline watch, which
//! records reminders and overdue escalations of appeals (АППК art. 76).

mod deadlines;
mod routing;

pub use deadlines::DeadlineWatch;
pub use routing::{PassReport, RoutingEngine};
