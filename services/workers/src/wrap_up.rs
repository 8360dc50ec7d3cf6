//! The after-contact work limit (issue "The phone", point 6): a contact in after-contact work
//! ends by itself once the centre's limit is up, as the operator's "finish" would have ended it,
//! so a forgotten wrap-up neither holds the operator's capacity nor stretches the handling time
//! of report row 19 for hours. Every few seconds it ends, as the system, each contact whose
//! wrap-up began longer ago than the limit. Several nodes may run it: a contact already ended
//! by one (or by its operator) is a conflict the others skip.

use std::time::Duration;

use baylanys_centre::{Centre, CentreError};
use baylanys_domain::InteractionState;
use baylanys_store::{Actor, StoreError};
use chrono::{DateTime, Utc};

use crate::supervisor::{Next, StepError, Worker};

/// Contacts ended per step at most; the next step takes the rest at once.
const BATCH: u32 = 200;

pub struct WrapUpLimit {
    centre: Centre,
    limit: Duration,
    tick: Duration,
}

impl std::fmt::Debug for WrapUpLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WrapUpLimit")
            .field("limit", &self.limit)
            .finish()
    }
}

/// Under a [`Supervisor`](crate::Supervisor), a step is one pass, every five seconds (at once
/// again while a full batch was ended).
impl Worker for WrapUpLimit {
    async fn step(&self) -> Result<Next, StepError> {
        let ended = self.pass(baylanys_store::now()).await?;
        if ended > 0 {
            tracing::info!(ended, "after-contact work ended at its limit");
        }
        Ok(if ended >= BATCH as usize {
            Next::Again
        } else {
            Next::Wait
        })
    }

    async fn idle(&self) {
        tokio::time::sleep(self.tick).await;
    }
}

impl WrapUpLimit {
    /// Its name under the supervisor, in `/readyz`.
    pub const NAME: &'static str = "wrap_up_limit";

    pub fn new(centre: Centre, limit: Duration) -> Self {
        WrapUpLimit {
            centre,
            limit,
            tick: Duration::from_secs(5),
        }
    }

    /// Ends, as the system, the contacts whose after-contact work began before `now` minus the
    /// limit; returns how many it ended.
    pub async fn pass(&self, now: DateTime<Utc>) -> Result<usize, CentreError> {
        let limit = chrono::Duration::from_std(self.limit).unwrap_or(chrono::Duration::MAX);
        let due = self
            .centre
            .store()
            .wrap_ups_before(now - limit, BATCH)
            .await?;
        let mut ended = 0;
        for id in due {
            match self
                .centre
                .move_contact(id, InteractionState::Ended, Actor::SYSTEM)
                .await
            {
                Ok(_) => ended += 1,
                // Its operator (or another node) ended it meanwhile.
                Err(CentreError::Store(StoreError::Conflict(_))) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(ended)
    }
}

/// The limit as the configuration gives it: `None` (0 s) leaves wrap-ups to the operators.
pub fn limit(secs: u64) -> Option<Duration> {
    (secs > 0).then(|| Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    #[test]
    fn zero_means_no_limit() {
        assert_eq!(super::limit(0), None);
        assert_eq!(super::limit(90), Some(std::time::Duration::from_secs(90)));
    }
}
