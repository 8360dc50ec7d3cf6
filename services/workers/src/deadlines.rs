//! The deadline watch: once a minute it records, on the working-day calendar, the appeals whose
//! due date is near (a reminder to whoever has them) and those past due and not answered (an
//! escalation the supervisors see in `GET /api/v1/appeals?overdue=true`), each once per due date
//! (АППК art. 76; R6). Several nodes may run it: the store marks each appeal in one statement.

use std::sync::Arc;
use std::time::Duration;

use baylanys_domain::deadline;
use baylanys_store::{DeadlineSweep, Store, StoreResult};
use chrono::{DateTime, Utc};

use crate::supervisor::{Next, StepError, Worker};

pub struct DeadlineWatch {
    store: Arc<dyn Store>,
    tick: Duration,
}

impl std::fmt::Debug for DeadlineWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeadlineWatch")
            .field("tick", &self.tick)
            .finish()
    }
}

/// Under a [`Supervisor`](crate::Supervisor), a step is one sweep, once a minute.
impl Worker for DeadlineWatch {
    async fn step(&self) -> Result<Next, StepError> {
        let s = self.pass(baylanys_store::now()).await?;
        if !s.near.is_empty() || !s.overdue.is_empty() {
            tracing::info!(
                near = s.near.len(),
                overdue = s.overdue.len(),
                "deadlines swept"
            );
        }
        Ok(Next::Wait)
    }

    async fn idle(&self) {
        tokio::time::sleep(self.tick).await;
    }
}

impl DeadlineWatch {
    /// Its name under the supervisor, in `/readyz`.
    pub const NAME: &'static str = "deadlines";

    pub fn new(store: Arc<dyn Store>) -> Self {
        DeadlineWatch {
            store,
            tick: Duration::from_secs(60),
        }
    }

    /// One sweep at `now`: "near" is due within the reminder's working days from today.
    pub async fn pass(&self, now: DateTime<Utc>) -> StoreResult<DeadlineSweep> {
        let settings = self.store.deadline_settings().await?;
        let calendar = self.store.calendar().await?;
        let today = deadline::local_date(now);
        let remind_until =
            deadline::end_of_day(calendar.add_working_days(today, settings.reminder_days));
        self.store.sweep_deadlines(now, remind_until).await
    }
}
