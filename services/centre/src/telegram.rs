//! A citizen's chat with one of the centre's Telegram bots (report row 10, R5.3, R6): the first
//! contact chooses a language (kk/ru/en), then a topic, with inline keyboards; what they wrote
//! before choosing is kept and becomes the appeal's first message, so nothing typed is lost.
//! Then every message joins their appeal, and the centre's answers and notices come back in the
//! same chat through the outbox. `/status 2026-000123` tells an appeal's status to the chat that
//! opened it; `/start` shows the menu again.
//!
//! An update is handled once: `(bot, update_id)` is recorded after it is handled, and a message
//! carries `tg:<bot>:<update_id>` as its external id, so a replayed or duplicated update stores
//! nothing new.

use baylanys_channels::telegram::{address, FileRef, Incoming, Keyboard, TelegramApi};
use baylanys_domain::{AppealScope, AppealStatus, Channel, Language};
use baylanys_store::{Bot, ChatStage, Files, NewAttachment, StoreError, TelegramChat};
use uuid::Uuid;

use crate::{Centre, CentreError, CentreResult, Claims, Inbound, Thread};

/// The longest text kept from before the menu was done.
const MAX_PENDING: usize = 4000;
/// The most files kept from before the menu was done.
const MAX_PENDING_FILES: usize = 10;
/// The largest file taken from a chat (the Bot API serves at most 20 MB anyway).
const MAX_FILE: u64 = 10 * 1024 * 1024;

/// Something the bot says at once (the menu, a status), outside the outbox: it belongs to no
/// appeal yet, and the citizen can always ask again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TgSay {
    pub chat_id: i64,
    pub text: String,
    pub keyboard: Keyboard,
}

/// What handling an update did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TgHandled {
    /// What the bot says now.
    pub say: Vec<TgSay>,
    /// The button press to acknowledge.
    pub answer: Option<String>,
    /// The update was handled before: nothing was done.
    pub duplicate: bool,
    /// The appeal the update opened or joined.
    pub appeal_id: Option<Uuid>,
    /// The update became a message of an open appeal: that message records it.
    pub stored_message: bool,
}

fn lang_of(code: Option<&str>) -> Language {
    match code.map(|c| c.get(..2).unwrap_or(c)) {
        Some("ru") => Language::Ru,
        Some("en") => Language::En,
        _ => Language::Kk,
    }
}

fn choose_language() -> &'static str {
    "Тілді таңдаңыз · Выберите язык · Choose a language"
}

fn choose_topic(l: Language) -> &'static str {
    match l {
        Language::Kk => "Өтінішіңіздің тақырыбын таңдаңыз:",
        Language::Ru => "Выберите тему обращения:",
        Language::En => "Choose the topic of your appeal:",
    }
}

fn other_topic(l: Language) -> &'static str {
    match l {
        Language::Kk => "Басқа тақырып",
        Language::Ru => "Другая тема",
        Language::En => "Another topic",
    }
}

fn write_on(l: Language) -> &'static str {
    match l {
        Language::Kk => "Рақмет! Сұрағыңызды жазыңыз — оператор осы чатта жауап береді.",
        Language::Ru => "Спасибо! Напишите ваш вопрос — оператор ответит в этом чате.",
        Language::En => "Thank you! Write your question — an operator will answer in this chat.",
    }
}

fn status_word(l: Language, s: AppealStatus) -> &'static str {
    use AppealStatus as S;
    match (l, s) {
        (Language::Kk, S::New) => "тіркелді",
        (Language::Kk, S::InProgress) => "қаралуда",
        (Language::Kk, S::AwaitingClient) => "сізден ақпарат күтілуде",
        (Language::Kk, S::Redirected) => "құзыретті органға жіберілді",
        (Language::Kk, S::Answered) => "жауап берілді",
        (Language::Kk, S::Closed) => "жабылды",
        (Language::Ru, S::New) => "зарегистрировано",
        (Language::Ru, S::InProgress) => "рассматривается",
        (Language::Ru, S::AwaitingClient) => "ожидается информация от вас",
        (Language::Ru, S::Redirected) => "направлено в компетентный орган",
        (Language::Ru, S::Answered) => "дан ответ",
        (Language::Ru, S::Closed) => "закрыто",
        (Language::En, S::New) => "registered",
        (Language::En, S::InProgress) => "under consideration",
        (Language::En, S::AwaitingClient) => "waiting for information from you",
        (Language::En, S::Redirected) => "redirected to the competent body",
        (Language::En, S::Answered) => "answered",
        (Language::En, S::Closed) => "closed",
    }
}

fn unknown_appeal(l: Language) -> &'static str {
    match l {
        Language::Kk => "Бұл нөмірмен сіздің өтінішіңіз табылмады.",
        Language::Ru => "Ваше обращение с таким номером не найдено.",
        Language::En => "No appeal of yours has that number.",
    }
}

impl Centre {
    /// Handles one update of `bot` and says at once what the bot has to say (the menu, a
    /// status) through `api`. The update is committed before anything is said; a message the
    /// Bot API refuses now is logged, not retried — the citizen sees the menu again when they
    /// write.
    pub async fn handle_telegram(
        &self,
        bot: &Bot,
        api: Option<&TelegramApi>,
        files: &Files,
        update_id: i64,
        incoming: Incoming,
    ) -> CentreResult<TgHandled> {
        let handled = self
            .receive_telegram(bot, api, files, update_id, incoming)
            .await?;
        if let Some(api) = api {
            for say in &handled.say {
                if let Err(e) = api.say(say.chat_id, &say.text, &say.keyboard).await {
                    tracing::warn!(bot = %bot.name, error = %e, "the bot could not answer");
                    if matches!(e, baylanys_channels::ChannelError::Blocked(_)) {
                        self.store
                            .telegram_chat_blocked(bot.id, say.chat_id)
                            .await?;
                    }
                }
            }
            if let Some(id) = &handled.answer {
                if let Err(e) = api.answer_choice(id).await {
                    tracing::debug!(error = %e, "button press not acknowledged");
                }
            }
        }
        if handled.appeal_id.is_some() {
            self.changed();
        }
        Ok(handled)
    }

    /// Handles one update of `bot`; see the module documentation. A store error means nothing
    /// of the update was recorded as handled: the Bot API delivers it again.
    pub async fn receive_telegram(
        &self,
        bot: &Bot,
        api: Option<&TelegramApi>,
        files: &Files,
        update_id: i64,
        incoming: Incoming,
    ) -> CentreResult<TgHandled> {
        // One chat's updates are taken one at a time on this node: in order, and a duplicate
        // delivered at the same moment finds the first one handled.
        let chat = match &incoming {
            Incoming::Text { chat_id, .. }
            | Incoming::Choice { chat_id, .. }
            | Incoming::Contact { chat_id, .. }
            | Incoming::Edited { chat_id, .. } => *chat_id,
            Incoming::Other { .. } => 0,
        };
        let lock = self.chat_locks.lock_for(bot.id, chat);
        let _turn = lock.lock().await;
        if self.store.update_seen(bot.id, update_id).await? {
            return Ok(TgHandled {
                duplicate: true,
                ..TgHandled::default()
            });
        }
        let kind = match &incoming {
            Incoming::Text { .. } => "text",
            Incoming::Choice { .. } => "choice",
            Incoming::Contact { .. } => "contact",
            Incoming::Edited { .. } => "edited",
            Incoming::Other { kind } => kind,
        };
        let handled = match incoming {
            // The name Telegram gives is a claim like any typed one (R11); it is not kept yet.
            Incoming::Text {
                chat_id,
                name: _,
                language_code,
                text,
                file,
            } => {
                let file = match file {
                    Some(f) => Some(self.tg_file(api, files, &f).await?),
                    None => None,
                };
                self.tg_text(bot, update_id, chat_id, language_code, text, file)
                    .await?
            }
            Incoming::Choice {
                chat_id,
                callback_id,
                data,
            } => {
                let mut h = self.tg_choice(bot, update_id, chat_id, &data).await?;
                h.answer = Some(callback_id);
                h
            }
            // Shared contacts and edits are recorded as handled; their content joins the
            // appeal in a later increment of the channel.
            _ => TgHandled::default(),
        };
        // An update that became a message is recorded by it; any other is recorded here.
        if !handled.stored_message {
            self.store.update_handled(bot.id, update_id, kind).await?;
        }
        self.heard_from(bot.id).await?;
        Ok(handled)
    }

    /// Notes when the bot last heard from Telegram (for its health), at most once a second:
    /// not a write per update.
    async fn heard_from(&self, bot: Uuid) -> CentreResult<()> {
        if self.chat_locks.heard_recently(bot) {
            return Ok(());
        }
        self.store.bot_updated(bot).await?;
        Ok(())
    }

    async fn tg_chat(
        &self,
        bot: &Bot,
        chat_id: i64,
        code: Option<&str>,
    ) -> CentreResult<TelegramChat> {
        Ok(match self.store.telegram_chat(bot.id, chat_id).await? {
            Some(c) => c,
            None => TelegramChat {
                bot_id: bot.id,
                chat_id,
                stage: ChatStage::Language,
                language: code.map(|c| lang_of(Some(c))),
                pending_text: None,
                pending_files: Vec::new(),
                appeal_id: None,
                blocked_at: None,
            },
        })
    }

    async fn tg_text(
        &self,
        bot: &Bot,
        update_id: i64,
        chat_id: i64,
        code: Option<String>,
        text: String,
        file: Option<NewAttachment>,
    ) -> CentreResult<TgHandled> {
        let mut chat = self.tg_chat(bot, chat_id, code.as_deref()).await?;
        // Writing again after blocking the bot unblocks it.
        let was_blocked = chat.blocked_at.take().is_some();
        let trimmed = text.trim();
        let lang = chat.language.unwrap_or(lang_of(code.as_deref()));
        if let Some(number) = trimmed.strip_prefix("/status") {
            let say = self.tg_status(bot, chat_id, number.trim(), lang).await?;
            self.store.save_telegram_chat(&chat).await?;
            return Ok(TgHandled {
                say: vec![say],
                ..TgHandled::default()
            });
        }
        if trimmed == "/start" {
            if chat.stage != ChatStage::Open {
                chat.stage = ChatStage::Language;
            }
            self.store.save_telegram_chat(&chat).await?;
            let say = match chat.stage {
                ChatStage::Open => TgSay {
                    chat_id,
                    text: write_on(lang).into(),
                    keyboard: Vec::new(),
                },
                _ => language_menu(chat_id),
            };
            return Ok(TgHandled {
                say: vec![say],
                ..TgHandled::default()
            });
        }
        if chat.stage == ChatStage::Open {
            if let Some(appeal_id) = chat.appeal_id {
                let mut item = Inbound::new(Channel::Telegram, Thread::Appeal(appeal_id), lang);
                item.external_id = Some(format!("tg:{}:{update_id}", bot.id));
                item.sender = Some(address(bot.id, chat_id));
                item.text = Some(words_or_file(&text, file.as_ref()));
                item.extras.attachments = file.iter().cloned().collect();
                match self.receive(item).await {
                    Ok(r) => {
                        // The chat's state changed only if it was blocked; the message itself
                        // is the record of the update (its external id makes a replay a no-op).
                        if was_blocked {
                            self.store.save_telegram_chat(&chat).await?;
                        }
                        return Ok(TgHandled {
                            appeal_id: Some(r.appeal_id),
                            stored_message: true,
                            ..TgHandled::default()
                        });
                    }
                    // The appeal was closed: this message opens a new one on the topic menu.
                    Err(CentreError::Store(StoreError::Conflict(_))) => {
                        chat.stage = ChatStage::Topic;
                        chat.appeal_id = None;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        // In the menu: keep the words and the file for the appeal, ask again.
        if !text.trim().is_empty() {
            let mut pending = chat.pending_text.take().unwrap_or_default();
            if !pending.is_empty() {
                pending.push('\n');
            }
            pending.push_str(&text);
            chat.pending_text = Some(pending.chars().take(MAX_PENDING).collect());
        }
        if let Some(f) = file {
            if chat.pending_files.len() < MAX_PENDING_FILES {
                chat.pending_files.push(f);
            }
        }
        let say = match (chat.stage, chat.language) {
            (ChatStage::Topic, Some(l)) => self.topic_menu(chat_id, l).await?,
            _ => {
                chat.stage = ChatStage::Language;
                language_menu(chat_id)
            }
        };
        self.store.save_telegram_chat(&chat).await?;
        Ok(TgHandled {
            say: vec![say],
            ..TgHandled::default()
        })
    }

    async fn tg_choice(
        &self,
        bot: &Bot,
        update_id: i64,
        chat_id: i64,
        data: &str,
    ) -> CentreResult<TgHandled> {
        let mut chat = self.tg_chat(bot, chat_id, None).await?;
        if let Some(code) = data.strip_prefix("lang:") {
            let l = lang_of(Some(code));
            chat.language = Some(l);
            chat.stage = ChatStage::Topic;
            self.store.save_telegram_chat(&chat).await?;
            let say = self.topic_menu(chat_id, l).await?;
            return Ok(TgHandled {
                say: vec![say],
                ..TgHandled::default()
            });
        }
        let Some(topic) = data.strip_prefix("topic:") else {
            return Ok(TgHandled::default());
        };
        if chat.stage != ChatStage::Topic {
            // A button of an old menu: the chat has moved on.
            return Ok(TgHandled::default());
        }
        let lang = chat.language.unwrap_or(Language::Kk);
        let topic_id = topic.parse::<Uuid>().ok().filter(|_| topic != "none");
        let mut item = Inbound::new(Channel::Telegram, Thread::New { client_id: None }, lang);
        item.external_id = Some(format!("tg:{}:{update_id}", bot.id));
        item.sender = Some(address(bot.id, chat_id));
        item.claims = Claims::default();
        item.topic_id = topic_id.or(bot.topic_id);
        item.queue_id = bot.queue_id;
        item.text = match chat.pending_text.clone().filter(|t| !t.trim().is_empty()) {
            Some(t) => Some(t),
            None => chat
                .pending_files
                .first()
                .map(|f| words_or_file("", Some(f))),
        };
        item.extras.attachments = chat.pending_files.clone();
        let received = self.receive(item).await?;
        chat.stage = ChatStage::Open;
        chat.appeal_id = Some(received.appeal_id);
        chat.pending_text = None;
        chat.pending_files = Vec::new();
        self.store.save_telegram_chat(&chat).await?;
        Ok(TgHandled {
            say: vec![TgSay {
                chat_id,
                text: write_on(lang).into(),
                keyboard: Vec::new(),
            }],
            appeal_id: Some(received.appeal_id),
            ..TgHandled::default()
        })
    }

    /// A file a citizen sent: fetched into the attachment store within the limits, else
    /// recorded with why (never silently dropped). An unreachable Bot API is an error: the
    /// update comes again.
    async fn tg_file(
        &self,
        api: Option<&TelegramApi>,
        files: &Files,
        f: &FileRef,
    ) -> CentreResult<NewAttachment> {
        let name = f.name.as_deref().map(|n| crate::mail::clean(n, 200));
        let content_type =
            crate::mail::clean(f.mime.as_deref().unwrap_or("application/octet-stream"), 100);
        let refused = |why: crate::mail::Refused| NewAttachment {
            name: name.clone(),
            content_type: content_type.clone(),
            size: f.size,
            sha256: String::new(),
            refused: Some(why.as_str().to_owned()),
        };
        if crate::mail::is_program(name.as_deref(), &content_type) {
            return Ok(refused(crate::mail::Refused::Program));
        }
        if f.size > MAX_FILE {
            return Ok(refused(crate::mail::Refused::TooLarge));
        }
        let Some(api) = api else {
            return Err(CentreError::Unavailable("the bot is not connected".into()));
        };
        let bytes = match api.download(&f.file_id, MAX_FILE).await {
            Ok(b) => b,
            Err(baylanys_channels::ChannelError::Rejected(_)) => {
                return Ok(refused(crate::mail::Refused::TooLarge))
            }
            Err(e) => return Err(CentreError::Unavailable(e.to_string())),
        };
        let sha256 = files.put(&bytes).await?;
        Ok(NewAttachment {
            name,
            content_type,
            size: bytes.len() as u64,
            sha256,
            refused: None,
        })
    }

    async fn topic_menu(&self, chat_id: i64, l: Language) -> CentreResult<TgSay> {
        let mut keyboard: Keyboard = self
            .store
            .list_topics()
            .await?
            .into_iter()
            .filter(|t| t.active)
            .take(20)
            .map(|t| {
                let label = match l {
                    Language::Kk => t.name_kk,
                    Language::Ru => t.name_ru,
                    Language::En => t.name_en.unwrap_or(t.name_ru),
                };
                vec![(label, format!("topic:{}", t.id))]
            })
            .collect();
        keyboard.push(vec![(other_topic(l).into(), "topic:none".into())]);
        Ok(TgSay {
            chat_id,
            text: choose_topic(l).into(),
            keyboard,
        })
    }

    /// The status of an appeal this chat's citizen opened.
    async fn tg_status(
        &self,
        bot: &Bot,
        chat_id: i64,
        number: &str,
        l: Language,
    ) -> CentreResult<TgSay> {
        let mine = match self.store.appeal_by_number(number).await? {
            Some(id) => {
                let appeal = self.store.get_appeal(id, AppealScope::All).await?;
                let client = self.store.get_client(appeal.client_id).await?;
                let here = address(bot.id, chat_id);
                client
                    .identities
                    .iter()
                    .any(|i| i.channel == Channel::Telegram && i.address == here)
                    .then_some(appeal)
            }
            None => None,
        };
        let text = match mine {
            Some(a) => {
                let due = a
                    .due_at
                    .map(|d| {
                        baylanys_domain::templates::date(baylanys_domain::deadline::local_date(d))
                    })
                    .unwrap_or_default();
                match l {
                    Language::Kk => format!(
                        "№ {} өтініш: {}. Жауап мерзімі: {due}.",
                        a.number,
                        status_word(l, a.status)
                    ),
                    Language::Ru => format!(
                        "Обращение № {}: {}. Срок ответа: {due}.",
                        a.number,
                        status_word(l, a.status)
                    ),
                    Language::En => format!(
                        "Appeal No. {}: {}. Answer due: {due}.",
                        a.number,
                        status_word(l, a.status)
                    ),
                }
            }
            None => unknown_appeal(l).into(),
        };
        Ok(TgSay {
            chat_id,
            text,
            keyboard: Vec::new(),
        })
    }
}

/// A message's words, or for a file sent alone its name in brackets.
fn words_or_file(text: &str, file: Option<&NewAttachment>) -> String {
    if !text.trim().is_empty() {
        return text.to_owned();
    }
    match file {
        Some(f) => format!("[{}]", f.name.as_deref().unwrap_or(&f.content_type)),
        None => String::new(),
    }
}

fn language_menu(chat_id: i64) -> TgSay {
    TgSay {
        chat_id,
        text: choose_language().into(),
        keyboard: vec![vec![
            ("Қазақша".into(), "lang:kk".into()),
            ("Русский".into(), "lang:ru".into()),
            ("English".into(), "lang:en".into()),
        ]],
    }
}

/// One chat's turn: held while one of its updates is handled.
type Turn = std::sync::Arc<tokio::sync::Mutex<()>>;

/// Per-chat turns: a lock for each chat with an update in hand, forgotten when nobody holds or
/// waits for it, so the map is bounded by the updates in flight. Also when each bot last
/// noted an update (one entry a bot).
#[derive(Debug, Default, Clone)]
pub(crate) struct ChatLocks {
    locks: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<(Uuid, i64), Turn>>>,
    heard: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<Uuid, std::time::Instant>>>,
}

impl ChatLocks {
    /// Whether the bot's last update was noted less than a second ago; if not, notes now.
    fn heard_recently(&self, bot: Uuid) -> bool {
        let mut heard = self
            .heard
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = std::time::Instant::now();
        match heard.get(&bot) {
            Some(t) if now.duration_since(*t) < std::time::Duration::from_secs(1) => true,
            _ => {
                heard.insert(bot, now);
                false
            }
        }
    }

    fn lock_for(&self, bot: Uuid, chat: i64) -> Turn {
        let mut all = self
            .locks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        all.retain(|_, l| std::sync::Arc::strong_count(l) > 1);
        all.entry((bot, chat)).or_default().clone()
    }
}
