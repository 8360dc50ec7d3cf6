//! A citizen's chat with one of the centre's Telegram bots (report row 10, R5.3, R6): the first
//! contact chooses a language (kk/ru/en), then a topic, with inline keyboards; what they wrote
//! before choosing is kept and becomes the appeal's first message, so nothing typed is lost.
//! Then every message joins their appeal, and the centre's answers and notices come back in the
//! same chat through the outbox. `/status 2026-000123` tells an appeal's status to the chat that
//! opened it; `/start` shows the menu again. The survey comes with buttons 1–5 (R5.7); a phone
//! shared with the bot's button is a claim on the citizen's record until staff verify it (R11);
//! a message the citizen edits comes again as a message naming the one it changes, so neither
//! version is lost (R5.4). Telegram does not tell bots when a citizen deletes a message in a
//! private chat: what was received stays on the timeline as received.
//!
//! An update is handled once: `(bot, update_id)` is recorded after it is handled, and a message
//! carries `tg:<bot>:<chat>:<message id>` as its external id (an edit adds `:edit:<update id>`),
//! so a replayed or duplicated update stores nothing new.

use baylanys_channels::telegram::{address, FileRef, Incoming, Keyboard, Markup, TelegramApi};
use baylanys_domain::knowledge::UsagePlace;
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
    pub markup: Markup,
}

impl TgSay {
    fn plain(chat_id: i64, text: impl Into<String>) -> TgSay {
        TgSay {
            chat_id,
            text: text.into(),
            markup: Markup::None,
        }
    }
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

fn share_phone(l: Language) -> &'static str {
    match l {
        Language::Kk => "📱 Телефон нөмірімді беру",
        Language::Ru => "📱 Поделиться номером телефона",
        Language::En => "📱 Share my phone number",
    }
}

fn phone_noted(l: Language) -> &'static str {
    match l {
        Language::Kk => "Рақмет, нөміріңіз жазылды. Оператор оны сізбен растайды.",
        Language::Ru => "Спасибо, ваш номер записан. Оператор подтвердит его с вами.",
        Language::En => "Thank you, your number is noted. An operator will confirm it with you.",
    }
}

fn not_own_phone(l: Language) -> &'static str {
    match l {
        Language::Kk => "Өз нөміріңізді «Телефон нөмірімді беру» батырмасымен жіберіңіз.",
        Language::Ru => "Отправьте свой номер кнопкой «Поделиться номером телефона».",
        Language::En => "Please send your own number with the “Share my phone number” button.",
    }
}

fn thanks_for_rating(l: Language, score: u8) -> String {
    match l {
        Language::Kk => format!("Бағаңызға рақмет: {score} / 5."),
        Language::Ru => format!("Спасибо за оценку: {score} из 5."),
        Language::En => format!("Thank you for your rating: {score} of 5."),
    }
}

fn rated_already(l: Language) -> &'static str {
    match l {
        Language::Kk => "Сіз бұл өтінішті бағалап қойдыңыз. Рақмет!",
        Language::Ru => "Вы уже оценили это обращение. Спасибо!",
        Language::En => "You have already rated this appeal. Thank you!",
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
        sent_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> CentreResult<TgHandled> {
        let handled = self
            .receive_telegram(bot, api, files, update_id, incoming)
            .await?;
        self.heard_from(bot.id, sent_at).await?;
        if let Some(api) = api {
            for say in &handled.say {
                if let Err(e) = api.say_with(say.chat_id, &say.text, &say.markup).await {
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
        // A new appeal woke routing where it was opened; a message joining one needs nothing.
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
        let (seen, stored) = self.store.telegram_turn(bot.id, update_id, chat).await?;
        if seen {
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
                message_id,
                name: _,
                language_code,
                text,
                file,
            } => {
                let file = match file {
                    Some(f) => Some(self.tg_file(api, files, &f).await?),
                    None => None,
                };
                let said = Said {
                    update_id,
                    chat_id,
                    message_id,
                    text,
                    file,
                    edit: false,
                };
                self.tg_text(bot, stored, language_code, said).await?
            }
            Incoming::Edited {
                chat_id,
                message_id,
                text,
            } => {
                let said = Said {
                    update_id,
                    chat_id,
                    message_id,
                    text,
                    file: None,
                    edit: true,
                };
                self.tg_text(bot, stored, None, said).await?
            }
            Incoming::Contact {
                chat_id,
                phone,
                own,
            } => self.tg_contact(bot, stored, chat_id, &phone, own).await?,
            Incoming::Choice {
                chat_id,
                callback_id,
                data,
            } => {
                let mut h = self
                    .tg_choice(bot, stored, update_id, chat_id, &data)
                    .await?;
                h.answer = Some(callback_id);
                h
            }
            Incoming::Other { .. } => TgHandled::default(),
        };
        // An update that became a message is recorded by it; any other is recorded here.
        if !handled.stored_message {
            self.store.update_handled(bot.id, update_id, kind).await?;
        }
        Ok(handled)
    }

    /// Notes when the bot last heard from Telegram (for its health), at most once a second:
    /// not a write per update.
    async fn heard_from(
        &self,
        bot: Uuid,
        sent_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> CentreResult<()> {
        if self.chat_locks.heard_recently(bot) {
            return Ok(());
        }
        let lag = sent_at.map(|t| (baylanys_store::now() - t).num_milliseconds().max(0));
        self.store.bot_updated(bot, lag).await?;
        Ok(())
    }

    /// The chat as stored, or a new one at the start of the menu.
    fn tg_chat(
        bot: &Bot,
        stored: Option<TelegramChat>,
        chat_id: i64,
        code: Option<&str>,
    ) -> TelegramChat {
        match stored {
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
        }
    }

    async fn tg_text(
        &self,
        bot: &Bot,
        stored: Option<TelegramChat>,
        code: Option<String>,
        said: Said,
    ) -> CentreResult<TgHandled> {
        let Said {
            update_id,
            chat_id,
            message_id,
            text,
            file,
            edit,
        } = said;
        let mut chat = Self::tg_chat(bot, stored, chat_id, code.as_deref());
        // Writing again after blocking the bot unblocks it.
        let was_blocked = chat.blocked_at.take().is_some();
        let trimmed = text.trim();
        let lang = chat.language.unwrap_or(lang_of(code.as_deref()));
        if let Some(number) = trimmed.strip_prefix("/status").filter(|_| !edit) {
            let say = self.tg_status(bot, chat_id, number.trim(), lang).await?;
            self.store.save_telegram_chat(&chat).await?;
            return Ok(TgHandled {
                say: vec![say],
                ..TgHandled::default()
            });
        }
        if let Some(words) = trimmed.strip_prefix("/help").filter(|_| !edit) {
            // Self-service from the knowledge base: answers now, whatever stage the chat is
            // in; nothing is stored and no appeal opens.
            let say = self.tg_help(chat_id, words.trim(), lang).await?;
            self.store.save_telegram_chat(&chat).await?;
            return Ok(TgHandled {
                say: vec![say],
                ..TgHandled::default()
            });
        }
        if trimmed == "/start" && !edit {
            if chat.stage != ChatStage::Open {
                chat.stage = ChatStage::Language;
            }
            self.store.save_telegram_chat(&chat).await?;
            let say = match chat.stage {
                ChatStage::Open => TgSay::plain(chat_id, write_on(lang)),
                _ => language_menu(chat_id),
            };
            return Ok(TgHandled {
                say: vec![say],
                ..TgHandled::default()
            });
        }
        if chat.stage == ChatStage::Open {
            if let Some(appeal_id) = chat.appeal_id {
                let original = message_ref(bot.id, chat_id, message_id);
                let mut item = Inbound::new(Channel::Telegram, Thread::Appeal(appeal_id), lang);
                item.sender = Some(address(bot.id, chat_id));
                item.text = Some(words_or_file(&text, file.as_ref()));
                item.extras.attachments = file.iter().cloned().collect();
                if edit {
                    // The new text is a message of its own that names the one it changes:
                    // the operator sees both, and an answer already given stays explained.
                    let edited = self.store.telegram_message(&original).await?;
                    item.extras.edits = Some(edited);
                    item.external_id = Some(format!("{original}:edit:{update_id}"));
                    if text.trim().is_empty() {
                        return Ok(TgHandled::default());
                    }
                } else {
                    item.external_id = Some(original);
                }
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
                    // An edit of a message of an appeal that has since closed: the update
                    // is recorded, and the closed appeal is left as it was answered.
                    Err(CentreError::Store(StoreError::Conflict(_))) if edit => {
                        return Ok(TgHandled::default());
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
        // In the menu: keep the words (an edit's new words too) and the file for the appeal,
        // ask again.
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
            say: if edit { Vec::new() } else { vec![say] },
            ..TgHandled::default()
        })
    }

    /// A phone number the citizen shared with the bot's button: a claim on their record, shown
    /// to the operator as one, until verified (R11). Someone else's contact card is no claim
    /// about the citizen.
    async fn tg_contact(
        &self,
        bot: &Bot,
        stored: Option<TelegramChat>,
        chat_id: i64,
        phone: &str,
        own: bool,
    ) -> CentreResult<TgHandled> {
        let chat = Self::tg_chat(bot, stored, chat_id, None);
        let lang = chat.language.unwrap_or(Language::Kk);
        // Telegram gives the number in international form, sometimes without its `+`.
        let phone = crate::claims::normalise_phone(phone).map(|p| match p.starts_with('+') {
            true => p,
            false => format!("+{p}"),
        });
        let (Some(phone), true) = (phone, own) else {
            return Ok(TgHandled {
                say: vec![TgSay::plain(chat_id, not_own_phone(lang))],
                ..TgHandled::default()
            });
        };
        let client_id = match chat.appeal_id {
            Some(a) => Some(self.store.get_appeal(a, AppealScope::All).await?.client_id),
            None => self
                .store
                .find_clients(
                    baylanys_store::ClientLookup::Identity(
                        Channel::Telegram,
                        address(bot.id, chat_id),
                    ),
                    1,
                )
                .await?
                .into_iter()
                .next()
                .map(|c| c.id),
        };
        let Some(client_id) = client_id else {
            // Nobody to note it on yet: the menu first.
            return Ok(TgHandled {
                say: vec![language_menu(chat_id)],
                ..TgHandled::default()
            });
        };
        self.store
            .add_claim(
                client_id,
                "phone",
                &phone,
                Channel::Telegram,
                baylanys_store::Actor::Client {
                    channel: Channel::Telegram,
                },
            )
            .await?;
        Ok(TgHandled {
            say: vec![TgSay {
                chat_id,
                text: phone_noted(lang).into(),
                markup: Markup::Remove,
            }],
            ..TgHandled::default()
        })
    }

    /// A press of the survey's buttons: the rating of an appeal this chat's citizen opened.
    async fn tg_rating(
        &self,
        bot: &Bot,
        chat: TelegramChat,
        chat_id: i64,
        appeal: &str,
        score: &str,
    ) -> CentreResult<TgHandled> {
        let lang = chat.language.unwrap_or(Language::Kk);
        let (Ok(appeal_id), Ok(score)) = (appeal.parse::<Uuid>(), score.parse::<u8>()) else {
            return Ok(TgHandled::default());
        };
        let mine = match self.store.get_appeal(appeal_id, AppealScope::All).await {
            Ok(a) => self.is_chat_of(bot, chat_id, a.client_id).await?,
            Err(StoreError::NotFound(_)) => false,
            Err(e) => return Err(e.into()),
        };
        if !mine {
            return Ok(TgHandled::default());
        }
        let text = match self.store.answer_survey(appeal_id, score, None).await {
            Ok(()) => thanks_for_rating(lang, score),
            Err(StoreError::Conflict(_)) => rated_already(lang).to_owned(),
            // No survey was asked, or the button's data is not a score: nothing to record.
            Err(StoreError::NotFound(_) | StoreError::Domain(_)) => return Ok(TgHandled::default()),
            Err(e) => return Err(e.into()),
        };
        Ok(TgHandled {
            say: vec![TgSay::plain(chat_id, text)],
            ..TgHandled::default()
        })
    }

    /// Whether the client's record is this chat's.
    async fn is_chat_of(&self, bot: &Bot, chat_id: i64, client_id: Uuid) -> CentreResult<bool> {
        let client = self.store.get_client(client_id).await?;
        let here = address(bot.id, chat_id);
        Ok(client
            .identities
            .iter()
            .any(|i| i.channel == Channel::Telegram && i.address == here))
    }

    async fn tg_choice(
        &self,
        bot: &Bot,
        stored: Option<TelegramChat>,
        update_id: i64,
        chat_id: i64,
        data: &str,
    ) -> CentreResult<TgHandled> {
        let mut chat = Self::tg_chat(bot, stored, chat_id, None);
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
        if let Some((appeal, score)) = data.strip_prefix("rate:").and_then(|r| r.rsplit_once(':')) {
            return self.tg_rating(bot, chat, chat_id, appeal, score).await;
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
        let question = item.text.clone().unwrap_or_default();
        let received = self.receive(item).await?;
        chat.stage = ChatStage::Open;
        chat.appeal_id = Some(received.appeal_id);
        chat.pending_text = None;
        chat.pending_files = Vec::new();
        self.store.save_telegram_chat(&chat).await?;
        // While the appeal waits for an operator, the articles that may answer it (R12.3).
        let mut say = Vec::new();
        if let Some(digest) = self
            .knowledge_digest(&question, lang, UsagePlace::Telegram, 2)
            .await?
        {
            say.push(TgSay::plain(chat_id, digest));
        }
        // The phone button is offered once, beside the invitation to write: sharing it is the
        // citizen's choice.
        say.push(TgSay {
            chat_id,
            text: write_on(lang).into(),
            markup: Markup::SharePhone(share_phone(lang).into()),
        });
        Ok(TgHandled {
            say,
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

    /// `/help <words>`: the knowledge base's answers in the chat's language, or how to ask.
    async fn tg_help(&self, chat_id: i64, words: &str, lang: Language) -> CentreResult<TgSay> {
        let text = match words {
            "" => help_usage(lang).to_owned(),
            w => match self
                .knowledge_digest(w, lang, UsagePlace::Telegram, 3)
                .await?
            {
                Some(digest) => digest,
                None => help_nothing(lang).to_owned(),
            },
        };
        Ok(TgSay::plain(chat_id, text))
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
            markup: Markup::Inline(keyboard),
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
                self.is_chat_of(bot, chat_id, appeal.client_id)
                    .await?
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
        Ok(TgSay::plain(chat_id, text))
    }
}

/// What a citizen wrote, or changed, in one update.
struct Said {
    update_id: i64,
    chat_id: i64,
    /// The message's id in its chat.
    message_id: i32,
    text: String,
    file: Option<NewAttachment>,
    /// The citizen changed a message they had sent.
    edit: bool,
}

/// A citizen's message as the timeline knows it: by bot, chat and Telegram's message id, so
/// a replayed update finds it stored and an edit finds the message it changes.
fn message_ref(bot: Uuid, chat_id: i64, message_id: i32) -> String {
    format!("tg:{bot}:{chat_id}:{message_id}")
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
        markup: Markup::Inline(vec![vec![
            ("Қазақша".into(), "lang:kk".into()),
            ("Русский".into(), "lang:ru".into()),
            ("English".into(), "lang:en".into()),
        ]]),
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

/// How to ask the knowledge base from the chat.
fn help_usage(lang: Language) -> &'static str {
    match lang {
        Language::Kk => "Анықтама алу үшін /help деп жазып, сұрағыңызды қосыңыз, мысалы: /help жеке куәлікті ауыстыру",
        Language::Ru => "Чтобы найти справку, напишите /help и ваш вопрос, например: /help замена удостоверения личности",
        Language::En => "To find an answer, write /help and your question, e.g. /help replacing an ID card",
    }
}

/// The knowledge base had nothing: an operator will.
fn help_nothing(lang: Language) -> &'static str {
    match lang {
        Language::Kk => "Анықтамадан жауап табылмады. Сұрағыңызды жазыңыз — оператор жауап береді.",
        Language::Ru => "В справке ответа не нашлось. Напишите ваш вопрос — ответит оператор.",
        Language::En => {
            "No answer was found in the help. Write your question and an operator will answer."
        }
    }
}
