//! Tells each citizen waiting in line in a Telegram chat their place, the expected wait and
//! that waiting is free (R12.1–2): on entering the queue and then at least every `every`
//! (at most a minute), as the web chat does on its socket. One node does it (a lease); the
//! statuses are said directly, not through the outbox: a status is stale by the next one.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use baylanys_centre::Centre;
use baylanys_channels::telegram::parse_address;
use baylanys_channels::TelegramSender;
use baylanys_domain::{AppealScope, Channel};
use uuid::Uuid;

use crate::supervisor::{Next, StepError, Worker};

pub struct TelegramQueueStatus {
    centre: Centre,
    telegram: TelegramSender,
    every: Duration,
    /// When each waiting appeal was last told; only appeals still waiting are kept.
    told: Mutex<HashMap<Uuid, Instant>>,
}

impl std::fmt::Debug for TelegramQueueStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelegramQueueStatus")
            .field("every", &self.every)
            .finish_non_exhaustive()
    }
}

impl TelegramQueueStatus {
    pub const NAME: &'static str = "telegram_queue_status";

    /// `every` is clamped to 1–60 s: R12.2 asks for at least once a minute.
    pub fn new(centre: Centre, telegram: TelegramSender, every: Duration) -> Self {
        TelegramQueueStatus {
            centre,
            telegram,
            every: every.clamp(Duration::from_secs(1), Duration::from_secs(60)),
            told: Mutex::new(HashMap::new()),
        }
    }
}

impl Worker for TelegramQueueStatus {
    async fn step(&self) -> Result<Next, StepError> {
        let waiting = self.centre.waiting_on(Channel::Telegram).await?;
        let due: Vec<_> = {
            let mut told = self.told.lock().unwrap_or_else(PoisonError::into_inner);
            told.retain(|appeal, _| waiting.iter().any(|(a, _, _)| a == appeal));
            waiting
                .into_iter()
                .filter(|(a, _, _)| told.get(a).is_none_or(|t| t.elapsed() >= self.every))
                .collect()
        };
        let store = self.centre.store();
        for (appeal_id, lang, status) in due {
            let appeal = store.get_appeal(appeal_id, AppealScope::All).await?;
            let client = store.get_client(appeal.client_id).await?;
            let Some((bot, chat)) = client
                .identities
                .iter()
                .find(|i| i.channel == Channel::Telegram)
                .and_then(|i| parse_address(&i.address))
            else {
                continue;
            };
            let Some(api) = self.telegram.bot(bot) else {
                continue;
            };
            let text = baylanys_domain::notice::queue_status(
                lang,
                status.position,
                status.estimated_wait_secs,
            );
            if let Err(e) = api.say(chat, &text, &Vec::new()).await {
                tracing::debug!(error = %e, "queue status not said");
            }
            self.told
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(appeal_id, Instant::now());
        }
        Ok(Next::Wait)
    }

    async fn idle(&self) {
        tokio::time::sleep(Duration::from_secs(1).min(self.every)).await;
    }
}
