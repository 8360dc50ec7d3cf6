//! The KPI keeper: keeps each day's KPI totals as the day settles, and brings today's and the
//! unsettled days' up to date before a dashboard would find them too old, so reports and
//! dashboards read kept totals instead of the event log (R35, R36). Several nodes may run it:
//! a day's totals are written whole, and the last writer's are as good as the first's.

use std::sync::Arc;
use std::time::Duration;

use baylanys_store::Store;

use crate::supervisor::{Next, StepError, Worker};

pub struct KpiKeeper {
    store: Arc<dyn Store>,
    /// How old the kept totals of unsettled days may grow (`ApiConfig::kpi_refresh`).
    refresh: Duration,
    every: Duration,
}

impl std::fmt::Debug for KpiKeeper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KpiKeeper")
            .field("refresh", &self.refresh)
            .field("every", &self.every)
            .finish()
    }
}

impl KpiKeeper {
    /// Its name under the supervisor, in `/readyz`.
    pub const NAME: &'static str = "kpi_keeper";

    pub fn new(store: Arc<dyn Store>, refresh: Duration) -> Self {
        KpiKeeper {
            store,
            refresh,
            every: every(refresh),
        }
    }

    /// The pause between two keeps.
    pub fn every(&self) -> Duration {
        self.every
    }
}

/// Keeps at twice the pace the totals may age (`refresh`), so a reader never finds them older
/// than that; with no refresh only settled days are kept, and looking every ten minutes is
/// enough for those.
fn every(refresh: Duration) -> Duration {
    match refresh {
        Duration::ZERO => Duration::from_secs(600),
        r => r.max(Duration::from_secs(2)) / 2,
    }
}

/// Under a [`Supervisor`](crate::Supervisor), a step is one keep.
impl Worker for KpiKeeper {
    async fn step(&self) -> Result<Next, StepError> {
        let refresh = chrono::Duration::from_std(self.refresh).unwrap_or(chrono::Duration::zero());
        let (days, took) = baylanys_reports::kept::keep(self.store.as_ref(), refresh).await?;
        tracing::debug!(days, ?took, "KPI day totals kept");
        Ok(Next::Wait)
    }

    async fn idle(&self) {
        tokio::time::sleep(self.every).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_twice_as_often_as_totals_may_age() {
        assert_eq!(every(Duration::ZERO), Duration::from_secs(600));
        assert_eq!(every(Duration::from_secs(60)), Duration::from_secs(30));
        assert_eq!(every(Duration::from_millis(10)), Duration::from_secs(1));
    }
}
