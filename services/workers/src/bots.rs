//! The centre's Telegram bots on this node: the keeper keeps every bot's Bot API connection and
//! webhook secret in memory (the webhook checks the secret there, before any database work; the
//! outbox sends through it), points webhook-mode bots at the centre's public address, and runs
//! one long-polling worker per polling-mode bot, under the bot's lease, so one node polls each.
//!
//! A poller moves the bot's offset past an update only after the update is handled, so a
//! restart or a second node neither loses nor repeats one (an update handled twice is
//! recognised by `(bot, update_id)`). A bot that fails — a refused token, an unreachable Bot
//! API — is recorded on the bot and retried; it never fails the worker.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use baylanys_centre::Centre;
use baylanys_channels::telegram::{Incoming, TelegramApi};
use baylanys_channels::{ChannelError, TelegramSender};
use baylanys_store::{Bot, Files};
use chrono::{DateTime, Utc};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::supervisor::{Next, Spawner, StepError, Worker};
use crate::Leased;

/// How bots are run.
#[derive(Debug, Clone)]
pub struct BotSettings {
    /// Long polling: how long one getUpdates waits for an update.
    pub poll_wait: Duration,
    /// How long a node that stopped renewing keeps a polling bot from the others.
    pub lease: Duration,
    /// The centre's public address; webhook-mode bots are pointed at
    /// `{public_url}/webhooks/telegram/{id}`. Webhooks need HTTPS: with an `http://` address the
    /// keeper still registers it (a local Bot API server accepts it).
    pub public_url: String,
}

impl Default for BotSettings {
    fn default() -> Self {
        BotSettings {
            poll_wait: Duration::from_secs(10),
            lease: Duration::from_secs(90),
            public_url: "http://127.0.0.1:8080".into(),
        }
    }
}

fn kind(e: &ChannelError) -> &'static str {
    match e {
        ChannelError::Rejected(_) => "token_refused",
        ChannelError::Transport(_) | ChannelError::RetryAfter(_) => "unreachable",
        ChannelError::Config(_) | ChannelError::Address(_) | ChannelError::Blocked(_) => {
            "configuration"
        }
    }
}

/// The version of a bot's settings this node applied, and the name its poller runs under.
type Applied = (DateTime<Utc>, Option<String>);

pub struct BotKeeper {
    centre: Centre,
    files: Files,
    telegram: TelegramSender,
    spawner: Spawner,
    settings: BotSettings,
    node: String,
    wake: Arc<Notify>,
    /// Per bot: what this node applied.
    applied: Mutex<HashMap<Uuid, Applied>>,
}

impl std::fmt::Debug for BotKeeper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotKeeper").finish_non_exhaustive()
    }
}

impl BotKeeper {
    pub const NAME: &'static str = "telegram";

    pub fn new(
        centre: Centre,
        files: Files,
        telegram: TelegramSender,
        spawner: Spawner,
        settings: BotSettings,
        wake: Arc<Notify>,
    ) -> Self {
        BotKeeper {
            centre,
            files,
            telegram,
            spawner,
            settings,
            node: format!("node-{}", Uuid::new_v4()),
            wake,
            applied: Mutex::new(HashMap::new()),
        }
    }

    /// Applies one bot's settings on this node; the webhook registration is the only call out.
    async fn apply(&self, bot: &Bot) -> Option<String> {
        let api = match TelegramApi::new(&bot.token, &bot.api_url) {
            Ok(api) => api,
            Err(e) => {
                let _ = self
                    .centre
                    .store()
                    .bot_failed(bot.id, kind(&e), &e.to_string())
                    .await;
                return None;
            }
        };
        self.telegram
            .set_bot(bot.id, api.clone(), &bot.webhook_secret);
        if !bot.enabled {
            return None;
        }
        if bot.mode == "webhook" {
            let url = format!(
                "{}/webhooks/telegram/{}",
                self.settings.public_url.trim_end_matches('/'),
                bot.id
            );
            if let Err(e) = api.set_webhook(&url, &bot.webhook_secret).await {
                tracing::warn!(bot = %bot.name, error = %e, "webhook not registered");
                let _ = self
                    .centre
                    .store()
                    .bot_failed(bot.id, kind(&e), &e.to_string())
                    .await;
            }
            return None;
        }
        let name = format!("telegram {}", bot.name);
        let poller = Leased::new(
            BotPoller {
                centre: self.centre.clone(),
                files: self.files.clone(),
                telegram: self.telegram.clone(),
                bot_id: bot.id,
                settings: self.settings.clone(),
                failures: AtomicU32::new(0),
                webhook_cleared: Mutex::new(None),
                stop: self.spawner.token(),
            },
            self.centre.store().clone(),
            format!("telegram:{}", bot.id),
            self.node.clone(),
            self.settings.lease,
        );
        match self.spawner.spawn(name.clone(), Arc::new(poller)) {
            Ok(()) => Some(name),
            Err(e) => {
                tracing::warn!(error = %e, "bot poller not started");
                None
            }
        }
    }
}

impl Worker for BotKeeper {
    async fn step(&self) -> Result<Next, StepError> {
        let bots = self.centre.store().list_bots().await?;
        let mut todo: Vec<Bot> = Vec::new();
        {
            let mut applied = self.applied.lock().unwrap_or_else(PoisonError::into_inner);
            applied.retain(|id, (_, poller)| {
                let kept = bots.iter().any(|b| b.id == *id);
                if !kept {
                    self.telegram.remove_bot(*id);
                    if let Some(name) = poller {
                        self.spawner.stop(name);
                    }
                }
                kept
            });
            for b in &bots {
                match applied.get(&b.id) {
                    Some((at, _)) if *at == b.updated_at => {}
                    Some((_, poller)) => {
                        // Changed: the old poller stops; the bot is applied afresh.
                        if let Some(name) = poller {
                            self.spawner.stop(name);
                        }
                        todo.push(b.clone());
                    }
                    None => todo.push(b.clone()),
                }
            }
        }
        for b in todo {
            if self.spawner.stopping() {
                break;
            }
            let poller = self.apply(&b).await;
            self.applied
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(b.id, (b.updated_at, poller));
        }
        Ok(Next::Wait)
    }

    async fn idle(&self) {
        tokio::select! {
            _ = self.wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(10)) => {}
        }
    }
}

/// One polling-mode bot's long poll.
struct BotPoller {
    centre: Centre,
    files: Files,
    telegram: TelegramSender,
    bot_id: Uuid,
    settings: BotSettings,
    failures: AtomicU32,
    /// The settings version whose webhook this poller deleted (Telegram refuses getUpdates
    /// while a webhook is set).
    webhook_cleared: Mutex<Option<DateTime<Utc>>>,
    /// Ends a long poll at once on shutdown: the updates it would bring come again.
    stop: tokio_util::sync::CancellationToken,
}

impl Worker for BotPoller {
    async fn step(&self) -> Result<Next, StepError> {
        let store = self.centre.store();
        let bot = match store.get_bot(self.bot_id).await {
            Ok(b) => b,
            Err(baylanys_store::StoreError::NotFound(_)) => return Ok(Next::Wait),
            Err(e) => return Err(e.into()),
        };
        if !bot.enabled || bot.mode != "polling" {
            return Ok(Next::Wait);
        }
        let Some(api) = self.telegram.bot(bot.id) else {
            return Ok(Next::Wait);
        };
        let cleared = *self
            .webhook_cleared
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if cleared != Some(bot.updated_at) {
            if let Err(e) = api.delete_webhook().await {
                return self.failed(&bot, &e).await;
            }
            *self
                .webhook_cleared
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(bot.updated_at);
        }
        let polled = tokio::select! {
            r = api.updates(bot.update_offset, self.settings.poll_wait) => r,
            () = self.stop.cancelled() => return Ok(Next::Wait),
        };
        let updates = match polled {
            Ok(u) => u,
            Err(e) => return self.failed(&bot, &e).await,
        };
        self.failures.store(0, Ordering::Relaxed);
        for update in &updates {
            let id = i64::from(update.id.0);
            let incoming = Incoming::from_update(update);
            self.centre
                .handle_telegram(
                    &bot,
                    Some(&api),
                    &self.files,
                    id,
                    incoming,
                    baylanys_channels::telegram::sent_at(update),
                )
                .await?;
            // Past this update only once it is handled.
            store.bot_polled(bot.id, id + 1).await?;
        }
        Ok(Next::Again)
    }

    async fn idle(&self) {
        let n = self.failures.load(Ordering::Relaxed);
        let secs = 1u64 << n.saturating_sub(1).min(8);
        tokio::time::sleep(Duration::from_secs(secs.min(300))).await;
    }
}

impl BotPoller {
    async fn failed(&self, bot: &Bot, e: &ChannelError) -> Result<Next, StepError> {
        self.failures.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(bot = %bot.name, error = %e, "bot poll failed");
        self.centre
            .store()
            .bot_failed(bot.id, kind(e), &e.to_string())
            .await?;
        Ok(Next::Wait)
    }
}
