//! Background work: the routing engine, which turns queued contacts into offers to operators
//! (R18), expires unanswered offers and applies overflow steps; and the deadline watch, which
//! records reminders and overdue escalations of appeals (АППК art. 76); and the outbox worker,
//! which delivers notices to clients and appeals to bodies with retries (R6, R30).

mod deadlines;
mod outbox;
mod routing;

pub use deadlines::DeadlineWatch;
pub use outbox::{OutboxReport, OutboxSettings, OutboxWorker};
pub use routing::{PassReport, RoutingEngine};
