//! The due date every new appeal gets (АППК art. 63, 76; R6.1: the citizen is told it), on the
//! working-day calendar and the deadline settings, both cached for a few seconds per node.

use std::sync::Arc;
use std::time::{Duration, Instant};

use baylanys_domain::deadline::{self, DeadlineSettings};
use baylanys_domain::{AppealKind, Calendar};
use chrono::{DateTime, Utc};
use tokio::sync::Mutex;

use crate::{Centre, CentreResult};

/// The calendar and settings are read at most this often per node for new appeals; a change
/// through this node's API is seen at once (`forget_deadline_rules`).
const CACHE_FOR: Duration = Duration::from_secs(30);

/// The calendar and deadline settings, shared by the appeals registered within `CACHE_FOR`.
pub type Rules = Arc<(Calendar, DeadlineSettings)>;

pub(crate) type Cache = Arc<Mutex<Option<(Instant, Rules)>>>;

impl Centre {
    pub async fn deadline_rules(&self) -> CentreResult<Rules> {
        let mut cached = self.deadline_rules.lock().await;
        if let Some((at, rules)) = cached.as_ref() {
            if at.elapsed() < CACHE_FOR {
                return Ok(rules.clone());
            }
        }
        let rules = Arc::new((
            self.store.calendar().await?,
            self.store.deadline_settings().await?,
        ));
        *cached = Some((Instant::now(), rules.clone()));
        Ok(rules)
    }

    /// Forgets the cached rules (the calendar or the settings changed).
    pub async fn forget_deadline_rules(&self) {
        *self.deadline_rules.lock().await = None;
    }

    /// The due date of an appeal of `kind` received at `received`.
    pub async fn due_for(
        &self,
        kind: AppealKind,
        received: DateTime<Utc>,
    ) -> CentreResult<DateTime<Utc>> {
        let rules = self.deadline_rules().await?;
        let (calendar, settings) = rules.as_ref();
        Ok(deadline::due_at(
            calendar,
            received,
            settings.days_for(kind),
        ))
    }
}
