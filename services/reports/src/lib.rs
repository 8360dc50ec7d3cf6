//! What the centre reports, computed from its own event log (R35, R36; DESIGN principle 3): the
//! KPIs of Appendix 1 for any period, channel, queue, topic and operator, each against its target
//! band. Nothing here is counted by hand or stored as a number: every figure is recomputed from
//! the events, and each names how many events it rests on.

pub mod boqbe;
pub mod contributions;
pub mod dashboard;
pub mod facts;
pub mod kept;
pub mod kpi;
pub mod sums;

pub use kpi::{kpis, trace, Figure, KpiQuery, Kpis, Trace};
