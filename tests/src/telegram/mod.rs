//! A local Telegram Bot API server (<https://core.telegram.org/bots/api>) on `127.0.0.1:0`, for
//! integration tests of the centre's Telegram channel: Telegram itself cannot be reached here.
//!
//! It speaks the wire format of `api.telegram.org`: methods at `{url}/bot{token}/{Method}`
//! (POST with a JSON, form or multipart body, or GET with query parameters; method names are
//! case-insensitive), files at `{url}/file/bot{token}/{file_path}`, every answer
//! `{"ok":true,"result":…}` or `{"ok":false,"error_code":N,"description":"…"}` with HTTP status
//! N. Give [`BotApi::url`] to `teloxide_core::Bot::set_api_url`.
//!
//! A test feeds updates in ([`BotApi::push`] for `getUpdates`, [`BotApi::deliver`] to the
//! webhook), reads what the centre did ([`BotApi::calls`], [`BotApi::sent`]) and injects faults
//! (flood limits, a user who blocked the bot).

mod server;
#[cfg(test)]
mod tests;
mod updates;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context};
use serde_json::Value;
use tokio::sync::{watch, Notify};

/// The bot's user id when the token does not start with a number (a real token is
/// `<bot id>:<secret>`), and the author of the bot messages that the update builders make (in
/// callback queries): a token `format!("{BOT_ID}:…")` keeps the two the same.
pub const BOT_ID: i64 = 7_000_000_001;

/// The first `update_id` that [`BotApi::push`] gives.
const FIRST_UPDATE_ID: i64 = 1000;

/// A running Bot API server. Clones share it; it stops when the last handle is dropped, or on
/// [`BotApi::shutdown`].
#[derive(Clone)]
pub struct BotApi {
    /// `http://127.0.0.1:PORT`: what `Bot::set_api_url` gets.
    pub url: String,
    state: Arc<State>,
    guard: Arc<Guard>,
}

impl std::fmt::Debug for BotApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotApi")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// A `sendMessage` call that succeeded.
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    /// The chat the message went to.
    pub chat_id: i64,
    /// The text as sent (before any parse_mode formatting).
    pub text: String,
    /// The `reply_markup` parameter, `Null` when none was given.
    pub reply_markup: Value,
    /// When the server received the call.
    pub at: Instant,
}

/// Stops the server when the last handle goes.
struct Guard {
    stop: watch::Sender<bool>,
    task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

/// What the server handlers share with the handles.
pub(crate) struct State {
    token: String,
    bot_id: i64,
    inner: Mutex<Inner>,
    /// Woken on every new update and on every new `getUpdates` (which ends the one waiting).
    updates: Notify,
    stop: watch::Receiver<bool>,
}

/// A registered file.
struct StoredFile {
    bytes: Vec<u8>,
    path: String,
}

/// A webhook set by `setWebhook`.
#[derive(Clone)]
struct Webhook {
    url: String,
    secret: Option<String>,
    allowed_updates: Value,
    max_connections: i64,
}

/// A token bucket: `capacity` calls at once, refilled at `rate` per second.
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(capacity: f64) -> Bucket {
        Bucket {
            tokens: capacity,
            at: Instant::now(),
        }
    }

    fn refill(&mut self, capacity: f64, rate: f64, now: Instant) {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate).min(capacity);
        self.at = now;
    }
}

#[derive(Default)]
struct Inner {
    next_update_id: i64,
    /// Updates not yet confirmed by a `getUpdates` offset, `update_id` included, in order.
    queue: VecDeque<Value>,
    files: HashMap<String, StoredFile>,
    calls: Vec<(String, Value)>,
    sent: Vec<Sent>,
    /// The bot's messages: (chat, message_id) → (text, reply_markup, date), for edits.
    messages: HashMap<(i64, i64), (String, Value, i64)>,
    /// The chats seen in pushed or delivered updates, as their updates showed them.
    chats: HashMap<i64, Value>,
    webhook: Option<Webhook>,
    /// (calls left, retry_after) of [`BotApi::throttle_next`].
    throttle: (usize, u64),
    blocked: HashSet<i64>,
    strict: bool,
    per_chat: HashMap<i64, Bucket>,
    global: Option<Bucket>,
    /// Bumped by every `getUpdates`: a long poll that sees it move was superseded.
    poll_generation: u64,
}

/// Telegram's broadcast limits: a burst of 3 then 1 message a second to one chat, 30 a second
/// in all.
const CHAT_BURST: f64 = 3.0;
const CHAT_RATE: f64 = 1.0;
const GLOBAL_BURST: f64 = 30.0;
const GLOBAL_RATE: f64 = 30.0;

impl State {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Inner {
    /// Keeps the chat objects of an update (its message's, or its callback query's message's),
    /// for the bot's messages to those chats.
    fn remember_chats(&mut self, update: &Value) {
        let Some(fields) = update.as_object() else {
            return;
        };
        for kind in fields.values() {
            for chat in [&kind["chat"], &kind["message"]["chat"]] {
                if let Some(id) = chat["id"].as_i64() {
                    self.chats.insert(id, chat.clone());
                }
            }
        }
    }

    /// Takes one message from the chat's and the bot's buckets, or says no (nothing taken).
    fn take_flood_token(&mut self, chat_id: i64, now: Instant) -> bool {
        let global = self
            .global
            .get_or_insert_with(|| Bucket::full(GLOBAL_BURST));
        global.refill(GLOBAL_BURST, GLOBAL_RATE, now);
        let chat = self
            .per_chat
            .entry(chat_id)
            .or_insert_with(|| Bucket::full(CHAT_BURST));
        chat.refill(CHAT_BURST, CHAT_RATE, now);
        if chat.tokens < 1.0 || global.tokens < 1.0 {
            return false;
        }
        chat.tokens -= 1.0;
        global.tokens -= 1.0;
        true
    }
}

impl BotApi {
    /// Starts a server on `127.0.0.1:0` that accepts only `token` (any other answers 401
    /// `Unauthorized`). The bot's id is the token's numeric prefix, else [`BOT_ID`].
    pub async fn start(token: &str) -> anyhow::Result<BotApi> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = watch::channel(false);
        let bot_id = token
            .split_once(':')
            .and_then(|(id, _)| id.parse().ok())
            .unwrap_or(BOT_ID);
        let state = Arc::new(State {
            token: token.to_owned(),
            bot_id,
            inner: Mutex::new(Inner {
                next_update_id: FIRST_UPDATE_ID,
                ..Inner::default()
            }),
            updates: Notify::new(),
            stop: stopped.clone(),
        });
        let app = server::router(state.clone());
        let mut signal = stopped;
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = signal.wait_for(|stop| *stop).await;
                })
                .await;
        });
        Ok(BotApi {
            url,
            state,
            guard: Arc::new(Guard {
                stop,
                task: Mutex::new(Some(task)),
            }),
        })
    }

    /// Stops the server for every handle: waiting long polls answer an empty array, calls under
    /// way finish, then the port closes and connections are cut. Returns once it has.
    pub async fn shutdown(&self) {
        self.guard.stop.send_replace(true);
        self.state.updates.notify_waiters();
        let task = self
            .guard
            .task
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }

    /// Queues an update for `getUpdates` and returns its `update_id` (increasing from 1000).
    /// `update` is an Update object without `update_id` (e.g. from [`BotApi::text`]); the
    /// server sets it. Queued updates wait for `getUpdates` even while a webhook is set.
    pub fn push(&self, update: Value) -> i64 {
        let mut inner = self.state.lock();
        let id = inner.next_update_id;
        inner.next_update_id += 1;
        inner.remember_chats(&update);
        inner.queue.push_back(with_update_id(id, update));
        drop(inner);
        self.state.updates.notify_waiters();
        id
    }

    /// Posts an update, with `update_id` as given (a test may deliver the same update
    /// several times), to the webhook set by `setWebhook`, as Telegram does: a JSON body, and
    /// `X-Telegram-Bot-Api-Secret-Token` when a `secret_token` was set. Returns the HTTP status
    /// the centre answered; an error when no webhook is set or the centre cannot be reached.
    pub async fn deliver(&self, update_id: i64, update: Value) -> anyhow::Result<u16> {
        let hook = {
            let mut inner = self.state.lock();
            inner.remember_chats(&update);
            inner.webhook.clone()
        };
        let hook = hook.ok_or_else(|| anyhow!("no webhook is set (setWebhook was not called)"))?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()?;
        let mut req = client
            .post(&hook.url)
            .json(&with_update_id(update_id, update));
        if let Some(secret) = &hook.secret {
            req = req.header("X-Telegram-Bot-Api-Secret-Token", secret);
        }
        let res = req
            .send()
            .await
            .with_context(|| format!("delivering update {update_id} to {}", hook.url))?;
        Ok(res.status().as_u16())
    }

    /// The `update_id` the next [`BotApi::push`] gives.
    pub fn next_update_id(&self) -> i64 {
        self.state.lock().next_update_id
    }

    /// Registers the bytes served for `file_id`: `getFile` then answers its `file_path`
    /// (`documents/file_N`), downloaded from `/file/bot{token}/{file_path}`.
    pub fn add_file(&self, file_id: &str, bytes: Vec<u8>) {
        let mut inner = self.state.lock();
        let path = format!("documents/file_{}", inner.files.len());
        let path = inner
            .files
            .get(file_id)
            .map(|f| f.path.clone())
            .unwrap_or(path);
        inner
            .files
            .insert(file_id.to_owned(), StoredFile { bytes, path });
    }

    /// Every method call received (with any token), in order: the method name (as the Bot API
    /// spells it, e.g. `sendMessage` for teloxide's `SendMessage`; an unknown one as called) and its
    /// parameters as JSON (the JSON body, or form, multipart and query parameters converted:
    /// numbers and booleans as such, JSON-serialized objects and arrays parsed, an uploaded
    /// file as `{"file_name", "size"}`).
    pub fn calls(&self) -> Vec<(String, Value)> {
        self.state.lock().calls.clone()
    }

    /// The `sendMessage` calls that succeeded, in order.
    pub fn sent(&self) -> Vec<Sent> {
        self.state.lock().sent.clone()
    }

    /// The webhook set by `setWebhook`: (url, secret_token); `None` before, and after
    /// `deleteWebhook` or a `setWebhook` with an empty url.
    pub fn webhook(&self) -> Option<(String, Option<String>)> {
        self.state
            .lock()
            .webhook
            .as_ref()
            .map(|h| (h.url.clone(), h.secret.clone()))
    }

    /// The next `n` `sendMessage` calls answer 429 `Too Many Requests: retry after S` with
    /// `"parameters":{"retry_after":S}`, before any other check.
    pub fn throttle_next(&self, n: usize, retry_after_secs: u64) {
        self.state.lock().throttle = (n, retry_after_secs);
    }

    /// The user of this private chat blocked the bot: `sendMessage` and `sendChatAction` to it
    /// answer 403 `Forbidden: bot was blocked by the user`.
    pub fn block(&self, chat_id: i64) {
        self.state.lock().blocked.insert(chat_id);
    }

    /// Enforces Telegram's flood limits on `sendMessage` (off by default): a burst of 3 then 1
    /// message a second to one chat, and 30 a second in all; past them, 429 with
    /// `retry_after` 1. Turning it on starts with full buckets.
    pub fn strict_limits(&self, on: bool) {
        let mut inner = self.state.lock();
        inner.strict = on;
        inner.per_chat.clear();
        inner.global = None;
    }
}

/// `update` (an object) with `update_id` set.
fn with_update_id(id: i64, update: Value) -> Value {
    let mut object = serde_json::Map::new();
    object.insert("update_id".into(), Value::from(id));
    if let Value::Object(fields) = update {
        object.extend(fields.into_iter().filter(|(k, _)| k != "update_id"));
    }
    Value::Object(object)
}
