//! Telegram in and out, over the Bot API through teloxide-core (rustls): what an update means to
//! the centre ([`Incoming`], so nothing past this module knows teloxide's types), the calls the
//! centre makes ([`TelegramApi`]: getUpdates, setWebhook, sendMessage with an inline keyboard,
//! answerCallbackQuery), and the outbox's sender for Telegram ([`TelegramSender`]), which keeps
//! to the Bot API's limits — about one message a second to a chat and thirty a second per bot —
//! and turns its refusals into what the outbox understands: 429 → retry later, a blocked bot
//! (403) → given up, not retried forever.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

use baylanys_domain::DeliveryVia;
use teloxide_core::payloads::{GetUpdatesSetters, SendMessageSetters, SetWebhookSetters};
use teloxide_core::requests::{Request, Requester};
pub use teloxide_core::types::Update as TelegramUpdate;
use teloxide_core::types::{
    ChatId, InlineKeyboardButton, InlineKeyboardMarkup, Update, UpdateKind,
};
use teloxide_core::{ApiError, Bot, RequestError};
use uuid::Uuid;

use crate::{ChannelError, ChannelResult, Outgoing, Sender};

/// A file a citizen sent, as Telegram names it; its bytes are fetched with
/// [`TelegramApi::download`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    pub file_id: String,
    pub name: Option<String>,
    pub mime: Option<String>,
    pub size: u64,
}

/// What one update means to the centre.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// A citizen wrote: words (a text, or a file's caption — empty when a file came alone)
    /// and the file, if one came.
    Text {
        chat_id: i64,
        /// The message's id in its chat: an edit names it.
        message_id: i32,
        name: Option<String>,
        language_code: Option<String>,
        text: String,
        file: Option<FileRef>,
    },
    /// A citizen pressed a button of an inline keyboard.
    Choice {
        chat_id: i64,
        callback_id: String,
        data: String,
    },
    /// A citizen shared a phone number (a claim until verified, R11); `own` when it is their
    /// own account's number (the contact's user is the sender), not someone else's card.
    Contact {
        chat_id: i64,
        phone: String,
        own: bool,
    },
    /// A citizen changed a message they had sent.
    Edited {
        chat_id: i64,
        message_id: i32,
        text: String,
    },
    /// Something the centre does not act on (a group post, a poll, a reaction…): recorded only.
    Other { kind: &'static str },
}

/// The file of a message: a document, the largest size of a photo, a voice note, a video, an
/// audio file.
fn file_of(m: &teloxide_core::types::Message) -> Option<FileRef> {
    if let Some(d) = m.document() {
        return Some(FileRef {
            file_id: d.file.id.0.clone(),
            name: d.file_name.clone(),
            mime: d.mime_type.as_ref().map(|m| m.to_string()),
            size: u64::from(d.file.size),
        });
    }
    if let Some(p) = m.photo().and_then(|ps| ps.last()) {
        return Some(FileRef {
            file_id: p.file.id.0.clone(),
            name: Some("photo.jpg".into()),
            mime: Some("image/jpeg".into()),
            size: u64::from(p.file.size),
        });
    }
    if let Some(v) = m.voice() {
        return Some(FileRef {
            file_id: v.file.id.0.clone(),
            name: Some("voice.ogg".into()),
            mime: Some(
                v.mime_type
                    .as_ref()
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "audio/ogg".into()),
            ),
            size: u64::from(v.file.size),
        });
    }
    if let Some(v) = m.video() {
        return Some(FileRef {
            file_id: v.file.id.0.clone(),
            name: v.file_name.clone(),
            mime: v.mime_type.as_ref().map(|m| m.to_string()),
            size: u64::from(v.file.size),
        });
    }
    if let Some(a) = m.audio() {
        return Some(FileRef {
            file_id: a.file.id.0.clone(),
            name: a.file_name.clone(),
            mime: a.mime_type.as_ref().map(|m| m.to_string()),
            size: u64::from(a.file.size),
        });
    }
    None
}

/// When the citizen sent what the update carries (a message's date, an edit's), if Telegram
/// says: how late an update is heard of is part of a bot's health.
pub fn sent_at(update: &Update) -> Option<chrono::DateTime<chrono::Utc>> {
    match &update.kind {
        UpdateKind::Message(m) => Some(m.date),
        UpdateKind::EditedMessage(m) => m.edit_date().copied().or(Some(m.date)),
        _ => None,
    }
}

impl Incoming {
    /// Reads a teloxide update.
    pub fn from_update(update: &Update) -> Incoming {
        match &update.kind {
            UpdateKind::Message(m) if m.chat.is_private() => {
                let chat_id = m.chat.id.0;
                if let Some(c) = m.contact() {
                    let from = m.from.as_ref().map(|u| u.id);
                    return Incoming::Contact {
                        chat_id,
                        phone: c.phone_number.clone(),
                        own: c.user_id.is_some() && c.user_id == from,
                    };
                }
                let text = m.text().or(m.caption()).map(str::to_owned);
                let file = file_of(m);
                if text.is_none() && file.is_none() {
                    return Incoming::Other { kind: "message" };
                }
                let from = m.from.as_ref();
                Incoming::Text {
                    chat_id,
                    message_id: m.id.0,
                    name: from.map(|u| u.full_name()),
                    language_code: from.and_then(|u| u.language_code.clone()),
                    text: text.unwrap_or_default(),
                    file,
                }
            }
            UpdateKind::EditedMessage(m) if m.chat.is_private() => Incoming::Edited {
                chat_id: m.chat.id.0,
                message_id: m.id.0,
                text: m.text().or(m.caption()).unwrap_or_default().to_owned(),
            },
            UpdateKind::CallbackQuery(q) => match (&q.message, &q.data) {
                (Some(m), Some(data)) => Incoming::Choice {
                    chat_id: m.chat().id.0,
                    callback_id: q.id.0.clone(),
                    data: data.clone(),
                },
                _ => Incoming::Other {
                    kind: "callback_query",
                },
            },
            UpdateKind::Message(_) => Incoming::Other {
                kind: "group_message",
            },
            UpdateKind::EditedMessage(_) => Incoming::Other { kind: "group_edit" },
            UpdateKind::Error(_) => Incoming::Other { kind: "unknown" },
            _ => Incoming::Other { kind: "other" },
        }
    }
}

/// A bot's connection to its Bot API server.
#[derive(Clone)]
pub struct TelegramApi {
    bot: Bot,
}

impl std::fmt::Debug for TelegramApi {
    // The token is in the bot: never shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelegramApi").finish_non_exhaustive()
    }
}

/// An inline keyboard: rows of (label, data).
pub type Keyboard = Vec<Vec<(String, String)>>;

/// What goes under a message the bot says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Markup {
    #[default]
    None,
    /// Buttons under the message; a press comes back as [`Incoming::Choice`].
    Inline(Keyboard),
    /// A button in place of the citizen's keyboard that shares their phone number
    /// (`request_contact`); it comes back as [`Incoming::Contact`].
    SharePhone(String),
    /// Takes the phone button away again.
    Remove,
}

fn api_error(e: RequestError) -> ChannelError {
    match e {
        RequestError::RetryAfter(s) => {
            ChannelError::RetryAfter(Duration::from_secs(u64::from(s.seconds())))
        }
        RequestError::Api(ApiError::BotBlocked) => {
            ChannelError::Blocked("the citizen blocked the bot".into())
        }
        RequestError::Api(ApiError::InvalidToken) => {
            ChannelError::Rejected("the bot's token was refused".into())
        }
        RequestError::Api(e) => ChannelError::Rejected(format!("Telegram refused: {e}")),
        e => ChannelError::Transport(e.to_string()),
    }
}

impl TelegramApi {
    pub fn new(token: &str, api_url: &str) -> ChannelResult<Self> {
        let url = reqwest::Url::parse(api_url)
            .map_err(|e| ChannelError::Config(format!("Bot API URL: {e}")))?;
        Ok(TelegramApi {
            bot: Bot::new(token).set_api_url(url),
        })
    }

    /// Updates from `offset` on, waiting up to `wait` for one (long polling).
    pub async fn updates(&self, offset: i64, wait: Duration) -> ChannelResult<Vec<Update>> {
        let offset = i32::try_from(offset).unwrap_or(i32::MAX);
        let secs = u32::try_from(wait.as_secs()).unwrap_or(50);
        self.bot
            .get_updates()
            .offset(offset)
            .timeout(secs)
            .limit(100)
            .send()
            .await
            .map_err(api_error)
    }

    /// Points Telegram at the centre's webhook, with the secret it must send back.
    pub async fn set_webhook(&self, url: &str, secret: &str) -> ChannelResult<()> {
        let url = reqwest::Url::parse(url)
            .map_err(|e| ChannelError::Config(format!("webhook URL: {e}")))?;
        self.bot
            .set_webhook(url)
            .secret_token(secret.to_owned())
            .send()
            .await
            .map(|_| ())
            .map_err(api_error)
    }

    /// Stops webhook delivery (before long polling; Telegram refuses both at once).
    pub async fn delete_webhook(&self) -> ChannelResult<()> {
        self.bot
            .delete_webhook()
            .send()
            .await
            .map(|_| ())
            .map_err(api_error)
    }

    /// Says `text` in the chat, with buttons when `keyboard` has any.
    pub async fn say(
        &self,
        chat_id: i64,
        text: &str,
        keyboard: &[Vec<(String, String)>],
    ) -> ChannelResult<()> {
        let markup = if keyboard.is_empty() {
            Markup::None
        } else {
            Markup::Inline(keyboard.to_vec())
        };
        self.say_with(chat_id, text, &markup).await
    }

    /// Says `text` in the chat with `markup` under it.
    pub async fn say_with(&self, chat_id: i64, text: &str, markup: &Markup) -> ChannelResult<()> {
        use teloxide_core::types::{ButtonRequest, KeyboardButton, KeyboardMarkup, KeyboardRemove};
        let mut req = self.bot.send_message(ChatId(chat_id), text);
        match markup {
            Markup::None => {}
            Markup::Inline(keyboard) => {
                let rows = keyboard.iter().map(|row| {
                    row.iter()
                        .map(|(label, data)| {
                            InlineKeyboardButton::callback(label.clone(), data.clone())
                        })
                        .collect::<Vec<_>>()
                });
                req = req.reply_markup(InlineKeyboardMarkup::new(rows));
            }
            Markup::SharePhone(label) => {
                let button = KeyboardButton::new(label.clone()).request(ButtonRequest::Contact);
                req = req.reply_markup(
                    KeyboardMarkup::new(vec![vec![button]])
                        .resize_keyboard()
                        .one_time_keyboard(),
                );
            }
            Markup::Remove => req = req.reply_markup(KeyboardRemove::new()),
        }
        req.send().await.map(|_| ()).map_err(api_error)
    }

    /// A file's bytes (getFile, then the file's URL), at most `max` of them: a larger file is
    /// refused before or while it downloads, never held whole.
    pub async fn download(&self, file_id: &str, max: u64) -> ChannelResult<Vec<u8>> {
        use futures_util::StreamExt;
        use teloxide_core::net::Download;
        let file = self
            .bot
            .get_file(teloxide_core::types::FileId(file_id.to_owned()))
            .send()
            .await
            .map_err(api_error)?;
        if u64::from(file.meta.size) > max {
            return Err(ChannelError::Rejected("too_large".into()));
        }
        let mut stream = self.bot.download_file_stream(&file.path);
        let mut out: Vec<u8> = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| ChannelError::Transport(e.to_string()))?;
            if (out.len() + chunk.len()) as u64 > max {
                return Err(ChannelError::Rejected("too_large".into()));
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }

    /// Acknowledges a button press, so the citizen's client stops its spinner.
    pub async fn answer_choice(&self, callback_id: &str) -> ChannelResult<()> {
        self.bot
            .answer_callback_query(teloxide_core::types::CallbackQueryId(
                callback_id.to_owned(),
            ))
            .send()
            .await
            .map(|_| ())
            .map_err(api_error)
    }
}

/// The most chats whose last message time is kept for pacing; older entries go first.
const PACED_CHATS: usize = 10_000;

/// The outbox's sender for Telegram: every bot of this centre by id, paced to the Bot API's
/// limits. The bots come and go with the admins' changes (see [`TelegramSender::set_bot`]).
#[derive(Clone, Default)]
pub struct TelegramSender {
    /// Each bot's connection and the secret its webhook calls must carry.
    bots: Arc<RwLock<HashMap<Uuid, (TelegramApi, String)>>>,
    /// When each chat was last written to, and the bot's recent sends, for pacing.
    paced: Arc<Mutex<Pacing>>,
}

#[derive(Default)]
struct Pacing {
    chats: HashMap<(Uuid, i64), Instant>,
    bot_sends: HashMap<Uuid, std::collections::VecDeque<Instant>>,
}

impl std::fmt::Debug for TelegramSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self
            .bots
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        f.debug_struct("TelegramSender").field("bots", &n).finish()
    }
}

impl TelegramSender {
    /// Adds or replaces a bot.
    pub fn set_bot(&self, id: Uuid, api: TelegramApi, webhook_secret: &str) {
        self.bots
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, (api, webhook_secret.to_owned()));
    }

    /// Whether `given` is the bot's webhook secret, compared in constant time, without the
    /// database: a forged call costs nothing but this.
    pub fn webhook_secret_matches(&self, id: Uuid, given: &[u8]) -> bool {
        let bots = self.bots.read().unwrap_or_else(PoisonError::into_inner);
        let Some((_, secret)) = bots.get(&id) else {
            return false;
        };
        let secret = secret.as_bytes();
        if secret.len() != given.len() || secret.is_empty() {
            return false;
        }
        secret
            .iter()
            .zip(given)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
    }

    pub fn remove_bot(&self, id: Uuid) {
        self.bots
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&id);
    }

    pub fn bot(&self, id: Uuid) -> Option<TelegramApi> {
        self.bots
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
            .map(|(api, _)| api.clone())
    }

    /// The bots configured now.
    pub fn ids(&self) -> Vec<Uuid> {
        self.bots
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .copied()
            .collect()
    }

    /// The wait before the next message to `chat` of `bot` keeps to one a second per chat
    /// and thirty a second per bot; reserves that slot.
    fn slot(&self, bot: Uuid, chat: i64) -> Duration {
        let mut p = self.paced.lock().unwrap_or_else(PoisonError::into_inner);
        let now = Instant::now();
        let chat_at = p
            .chats
            .get(&(bot, chat))
            .map(|t| *t + Duration::from_secs(1))
            .unwrap_or(now);
        let sends = p.bot_sends.entry(bot).or_default();
        while sends
            .front()
            .is_some_and(|t| now.duration_since(*t) > Duration::from_secs(1))
        {
            sends.pop_front();
        }
        let bot_at = if sends.len() >= 30 {
            sends
                .front()
                .map(|t| *t + Duration::from_secs(1))
                .unwrap_or(now)
        } else {
            now
        };
        let at = chat_at.max(bot_at).max(now);
        sends.push_back(at);
        if p.chats.len() >= PACED_CHATS {
            let cutoff = now - Duration::from_secs(2);
            p.chats.retain(|_, t| *t > cutoff);
            if p.chats.len() >= PACED_CHATS {
                p.chats.clear();
            }
        }
        p.chats.insert((bot, chat), at);
        at.saturating_duration_since(now)
    }
}

/// A delivery's address: `<bot id>:<chat id>`.
pub fn address(bot: Uuid, chat_id: i64) -> String {
    format!("{bot}:{chat_id}")
}

/// Reads an address back.
pub fn parse_address(address: &str) -> Option<(Uuid, i64)> {
    let (bot, chat) = address.split_once(':')?;
    Some((bot.parse().ok()?, chat.parse().ok()?))
}

#[async_trait::async_trait]
impl Sender for TelegramSender {
    fn via(&self) -> DeliveryVia {
        DeliveryVia::Telegram
    }

    async fn send(&self, out: &Outgoing<'_>) -> ChannelResult<()> {
        let (bot, chat) =
            parse_address(out.address).ok_or_else(|| ChannelError::Address(out.address.into()))?;
        let api = self
            .bot(bot)
            .ok_or_else(|| ChannelError::Config("the bot is not configured any more".into()))?;
        let wait = self.slot(bot, chat);
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        // Telegram takes at most 4,096 characters a message: a longer text goes in parts.
        // The buttons go under the last part.
        let chars: Vec<char> = out.body.chars().collect();
        let parts: Vec<&[char]> = chars.chunks(4000).collect();
        let none = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            let text: String = part.iter().collect();
            let keyboard = if i + 1 == parts.len() {
                out.buttons
            } else {
                &none
            };
            api.say(chat, &text, keyboard).await?;
        }
        Ok(())
    }
}
