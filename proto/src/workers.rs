//! The health of a node's background workers (routing engine, outbox, deadline watch, KPI
//! keeper), as `/readyz` and `GET /api/v1/workers` show it. Each node reports its own workers:
//! a load balancer asks every node.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a worker is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorkerState {
    /// Started; its first step has not ended yet.
    Starting,
    /// Its last step succeeded.
    Running,
    /// Its last step failed or panicked; it is retried after a back-off. `/readyz` answers 503
    /// while any worker is in this state.
    Failed,
    /// Told to stop; finishing the step under way.
    Stopping,
    /// Stopped on purpose (shutdown); not a failure.
    Stopped,
}

impl WorkerState {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkerState::Starting => "starting",
            WorkerState::Running => "running",
            WorkerState::Failed => "failed",
            WorkerState::Stopping => "stopping",
            WorkerState::Stopped => "stopped",
        }
    }
}

/// One background worker of this node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WorkerHealth {
    /// `routing`, `outbox`, `deadlines`, `kpi_keeper`.
    pub name: String,
    pub state: WorkerState,
    pub started_at: DateTime<Utc>,
    /// Steps that succeeded since the start (one routing pass, one outbox pass, one sweep…).
    pub steps: u64,
    /// When the last step that succeeded ended.
    pub last_step_at: Option<DateTime<Utc>>,
    /// When the step under way began; absent between steps. A step busy for long is stuck.
    pub busy_since: Option<DateTime<Utc>>,
    /// Milliseconds since the last step that succeeded ended (since the start before the
    /// first): how far behind the worker's view of the store may be.
    pub lag_ms: u64,
    /// Failed steps since the last one that succeeded.
    pub consecutive_failures: u32,
    pub last_error_at: Option<DateTime<Utc>>,
    /// What the last failed step said, on one line, at most 300 characters. Shown to admins
    /// and supervisors only (`GET /api/v1/workers`); the public `/readyz` leaves it out, as
    /// it hides the causes of 500s.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_error: Option<String>,
}
