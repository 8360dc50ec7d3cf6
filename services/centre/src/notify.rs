//! What the citizen is told, on their own channel and in their language (R6): an operator took
//! the contact, it was transferred, it ended; the appeal was registered, answered, closed; the
//! survey. In the web chat each is an entry of the conversation with its own `seq` (kind
//! `assignment`, `transfer`, `close`, `notice`, `survey`) the widget replays by `seq`, so a
//! reconnect never loses one; off the web chat it is a notice on the timeline written in one
//! transaction with the outbox delivery that carries it. Each is keyed so that a retried action
//! does not tell the client twice.
//!
//! Failures are logged, not returned: the staff action itself already succeeded and must not be
//! reported as failed.

use baylanys_domain::templates::{date, Notice, NotificationTemplates, Vars};
use baylanys_domain::{AppealScope, Author, Channel, DeliveryVia, Language, MessageKind};
use baylanys_store::{Actor, Also, Appeal, Client, MailThread, NewDelivery, NewMessage, Tell};
use uuid::Uuid;

use crate::Centre;

/// The subject of a mail about an appeal, in its language.
pub fn subject(appeal: &Appeal) -> String {
    match appeal.language {
        Language::Kk => format!("№ {} өтініш", appeal.number),
        Language::Ru => format!("Обращение № {}", appeal.number),
        Language::En => format!("Appeal No. {}", appeal.number),
    }
}

/// The subject of a mail of an e-mail appeal's thread: `Re:` and the citizen's subject, with
/// the appeal's number, so a mail that lost its headers still finds its appeal and mail
/// programs that thread by subject keep it together.
pub(crate) fn mail_subject(appeal: &Appeal) -> String {
    match appeal.subject.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => {
            let s = s.strip_prefix("Re: ").unwrap_or(s);
            if s.contains(&appeal.number) {
                format!("Re: {s}")
            } else {
                format!("Re: {s} [№ {}]", appeal.number)
            }
        }
        _ => format!("Re: {}", subject(appeal)),
    }
}

/// The client's address on `channel`, if one is on file.
pub(crate) fn address(client: &Client, channel: Channel) -> Option<String> {
    client
        .identities
        .iter()
        .find(|i| i.channel == channel)
        .map(|i| i.address.clone())
}

impl Centre {
    /// A notification's text from the admins' templates (their defaults until edited), in the
    /// appeal's language (R6). A store error falls back to the defaults: the citizen is told
    /// anyway.
    pub async fn render(&self, kind: Notice, lang: Language, vars: &Vars<'_>) -> String {
        let templates = match self.store.notification_templates().await {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!(error = %e, "notification templates; using the defaults");
                Default::default()
            }
        };
        templates.render(kind, lang, vars)
    }

    /// How a client not in the web chat can be reached: e-mail first — it carries the whole
    /// text (a redirection names the body, department and position) and costs nothing — then
    /// the phone's SMS, each only when on file and configured. Empty: the client cannot be told.
    pub(crate) async fn delivery_plan(&self, appeal: &Appeal) -> Vec<(DeliveryVia, String)> {
        self.plan_for(appeal.client_id, appeal.channel).await
    }

    /// As [`Centre::delivery_plan`]; a Telegram appeal's client is told in their chat first.
    async fn plan_for(&self, client_id: Uuid, channel: Channel) -> Vec<(DeliveryVia, String)> {
        let client = match self.store.get_client(client_id).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "client for a notification");
                return Vec::new();
            }
        };
        let email = address(&client, Channel::Email)
            .filter(|_| self.reach.email)
            .map(|a| (DeliveryVia::Email, a));
        let sms = address(&client, Channel::Voice)
            .filter(|_| self.reach.sms)
            .map(|a| (DeliveryVia::Sms, a));
        let mut telegram = address(&client, Channel::Telegram)
            .filter(|_| self.reach.telegram && channel == Channel::Telegram)
            .map(|a| (DeliveryVia::Telegram, a));
        // A chat whose citizen blocked the bot is not written to until they write again.
        if let Some((bot, chat)) = telegram
            .as_ref()
            .and_then(|(_, a)| baylanys_channels::telegram::parse_address(a))
        {
            if let Ok(Some(c)) = self.store.telegram_chat(bot, chat).await {
                if c.blocked_at.is_some() {
                    telegram = None;
                }
            }
        }
        let plan: Vec<(DeliveryVia, String)> =
            [telegram, email, sms].into_iter().flatten().collect();
        if client.do_not_contact {
            // A client who asked not to be contacted (R13.4) is not reached out to: what the
            // law makes the centre tell them about their own appeal (registration, redirection,
            // extension, the answer — R6, АППК arts. 65, 76) goes only where they wrote from,
            // never on to another channel; in the web chat it stays in their conversation.
            let own = match channel {
                Channel::Email => Some(DeliveryVia::Email),
                Channel::Telegram => Some(DeliveryVia::Telegram),
                _ => None,
            };
            return plan
                .into_iter()
                .filter(|(via, _)| Some(*via) == own)
                .collect();
        }
        plan
    }

    /// Everything a notice about `appeal` needs, read now so the notice can be written inside
    /// the transaction of the change it reports: the templates, how the client is reached
    /// (nothing to plan in the web chat), and the mail thread of an e-mail appeal.
    pub async fn teller(&self, appeal: &Appeal) -> Teller {
        let mut teller = self.teller_for(appeal.client_id, appeal.channel).await;
        if let (Channel::Email, Some((DeliveryVia::Email, to))) =
            (appeal.channel, teller.plan.first_mut())
        {
            // The citizen is answered where their mails came from.
            match self.store.mail_senders(appeal.id).await {
                Ok(senders) => {
                    if let Some(s) = senders.into_iter().next() {
                        *to = s;
                    }
                }
                Err(e) => tracing::warn!(error = %e, "senders of a mail thread"),
            }
            match self.next_in_thread(appeal).await {
                Ok(t) => teller.thread = Some(t),
                Err(e) => tracing::warn!(error = %e, "mail thread of a notice"),
            }
        }
        teller
    }

    /// As [`Centre::teller`], for an appeal about to be registered for `client_id` on
    /// `channel`: its mail thread is the mail that opens it.
    pub async fn teller_for(&self, client_id: Uuid, channel: Channel) -> Teller {
        let templates = match self.store.notification_templates().await {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!(error = %e, "notification templates; using the defaults");
                Default::default()
            }
        };
        let plan = if channel == Channel::WebChat {
            Vec::new()
        } else {
            self.plan_for(client_id, channel).await
        };
        if channel != Channel::WebChat && plan.is_empty() {
            // Nothing configured (a centre without mail or SMS) is expected; a client with no
            // address on file is worth a look: staff tell them on the next call.
            if self.reach.email || self.reach.sms {
                tracing::warn!(%client_id, "no e-mail or phone on file to tell the client");
            } else {
                tracing::debug!(%client_id, "no mail or SMS configured to tell the client");
            }
        }
        Teller {
            templates,
            plan,
            thread: None,
            mail_domain: self.settings.mail_domain.clone(),
        }
    }

    /// Writes one notice now (for what is not a change of its own transaction) and wakes who
    /// delivers it.
    pub(crate) async fn write(&self, appeal_id: Uuid, tell: Tell) {
        let stored = match tell.delivery {
            Some(delivery) => {
                let stored = self
                    .store
                    .add_notice(appeal_id, tell.message, delivery)
                    .await;
                self.wake.outbox.notify_one();
                stored
            }
            None => {
                self.store
                    .add_message(appeal_id, tell.message, AppealScope::All, Actor::SYSTEM)
                    .await
            }
        };
        match stored {
            Ok(m) if m.created => self.published(appeal_id, m.value.seq),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "client notice not recorded"),
        }
    }

    /// After a change written with its notices: the conversation's sockets and the outbox
    /// worker are woken.
    pub fn told(&self, appeal: &Appeal) {
        self.published(appeal.id, appeal.last_seq);
        self.wake.outbox.notify_one();
    }

    /// Tells the client something about their appeal on their own channel, in the appeal's
    /// language (R6): in the web chat as a notice entry of the conversation; otherwise as a
    /// notice on the timeline carried by the outbox — by e-mail to the address on file or by
    /// SMS to the phone on file as the fallback. With neither nothing is recorded: the timeline
    /// shows only what went out. `key` makes a retried action tell once.
    pub async fn inform(&self, appeal: &Appeal, text: String, key: String) {
        let teller = self.teller(appeal).await;
        if let Some(tell) = teller.text(appeal, text.clone(), text, key) {
            self.write(appeal.id, tell).await;
        }
    }

    /// What tells the citizen a new appeal's number and expected date (R6.1) on their own
    /// channel, written with the appeal (a web chat shows them in its `welcome` instead), and
    /// the service interruption notice if one is on.
    pub(crate) async fn registered(
        &self,
        client_id: Uuid,
        channel: Channel,
        interruption: Option<crate::interruption::Interruption>,
    ) -> Also {
        if channel == Channel::WebChat && interruption.is_none() {
            return Also::nothing();
        }
        let teller = self.teller_for(client_id, channel).await;
        Also::telling(move |appeal| {
            let due = appeal
                .due_at
                .map(|d| date(baylanys_domain::deadline::local_date(d)));
            let vars = [
                ("number", Some(appeal.number.as_str())),
                ("date", due.as_deref()),
            ];
            let registered = (channel != Channel::WebChat)
                .then(|| {
                    teller.notice(
                        appeal,
                        Notice::Registered,
                        &vars,
                        format!("registered:{}", appeal.id),
                    )
                })
                .flatten();
            // A service interruption (R34) is the auto-reply's second part.
            let interrupted = interruption.and_then(|i| i.tell(&teller, appeal));
            registered.into_iter().chain(interrupted).collect()
        })
    }

    /// After an answer (or the close), the client is asked once to rate the service (R5.7,
    /// KPI 3) on the appeal's own channel: in the web chat as an entry of the conversation with
    /// the widget's buttons; otherwise by e-mail or SMS with a one-time link to the survey page
    /// (only the link token's hash is stored). A client who cannot be reached, or who asked not
    /// to be contacted, is not asked.
    pub async fn ask_survey(&self, appeal: &Appeal) {
        // A client who asked not to be contacted is not asked for a rating (R13.4).
        match self.store.get_client(appeal.client_id).await {
            Ok(c) if c.do_not_contact => return,
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "the client of a survey");
                return;
            }
        }
        let teller = self.teller(appeal).await;
        let key = format!("survey:{}", appeal.id);
        let (channel, token, also) = if appeal.channel == Channel::WebChat {
            let also = Also::telling(move |a| {
                let vars = [("number", Some(a.number.as_str())), ("link", None)];
                teller
                    .notice(a, Notice::Survey, &vars, key)
                    .map(|mut t| {
                        t.message.kind = MessageKind::Survey;
                        t
                    })
                    .into_iter()
                    .collect()
            });
            (Channel::WebChat, None, also)
        } else {
            let Some(method) = teller.method() else {
                return;
            };
            // A text to the phone on file is recorded on the voice channel, the phone's.
            let channel = match method {
                DeliveryVia::Sms => Channel::Voice,
                DeliveryVia::Telegram => Channel::Telegram,
                _ => Channel::Email,
            };
            let token = crate::token::new_token();
            let link = format!("{}/survey/{token}", self.settings.public_url);
            let secret = token.clone();
            let also = Also::telling(move |a| {
                let vars = [
                    ("number", Some(a.number.as_str())),
                    ("link", Some(link.as_str())),
                ];
                let text = teller.render(Notice::Survey, a.language, &vars);
                // The link's token goes to the client only, never into what staff read.
                let shown = text.replace(&secret, "…");
                teller
                    .text(a, shown, text, key)
                    .map(|mut t| {
                        // In Telegram the rating is one press of a button under the question.
                        if let Some(d) = t.delivery.as_mut() {
                            if d.method == DeliveryVia::Telegram {
                                d.buttons = vec![rating_buttons(a.id)];
                            }
                        }
                        t
                    })
                    .into_iter()
                    .collect()
            });
            (channel, Some(crate::token::hash_token(&token)), also)
        };
        match self.store.ask_survey(appeal.id, channel, token, also).await {
            Ok(Some(asked)) => self.told(&asked),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "survey not asked"),
        }
    }
}

/// The survey's five buttons, 1 (worst) to 5: each press answers `rate:<appeal>:<score>`
/// (Telegram allows 64 bytes of data a button; this is 43).
pub(crate) fn rating_buttons(appeal_id: Uuid) -> Vec<(String, String)> {
    (1..=5)
        .map(|n| (n.to_string(), format!("rate:{appeal_id}:{n}")))
        .collect()
}

/// What a notice needs, read before the change it reports (see [`Centre::teller`]); building a
/// notice from it is pure, so it runs inside the change's transaction.
#[derive(Debug, Clone)]
pub struct Teller {
    templates: NotificationTemplates,
    plan: Vec<(DeliveryVia, String)>,
    thread: Option<MailThread>,
    mail_domain: String,
}

impl Teller {
    /// How the client is reached off the web chat, if they can be.
    pub fn method(&self) -> Option<DeliveryVia> {
        self.plan.first().map(|(m, _)| *m)
    }

    /// The thread read before the change, or for a new appeal the one its opening mail starts.
    fn thread_of(&self, appeal: &Appeal) -> MailThread {
        self.thread.clone().unwrap_or_else(|| {
            let opening = appeal
                .external_id
                .clone()
                .filter(|id| baylanys_store::is_message_id(id));
            MailThread {
                message_id: format!("<{}@{}>", Uuid::now_v7(), self.mail_domain),
                in_reply_to: opening.clone(),
                references: opening.into_iter().collect(),
            }
        })
    }

    pub fn render(&self, kind: Notice, lang: Language, vars: &Vars<'_>) -> String {
        self.templates.render(kind, lang, vars)
    }

    /// The notice `kind` about `appeal` in its language, keyed by `key`; `None` when the client
    /// cannot be reached off the web chat.
    pub fn notice(
        &self,
        appeal: &Appeal,
        kind: Notice,
        vars: &Vars<'_>,
        key: String,
    ) -> Option<Tell> {
        let text = self.render(kind, appeal.language, vars);
        self.text(appeal, text.clone(), text, key)
    }

    /// A notice of `shown` on the timeline carrying `text` to the client (they differ when a
    /// survey link's token must not be shown to staff).
    pub fn text(&self, appeal: &Appeal, shown: String, text: String, key: String) -> Option<Tell> {
        let message = |channel| NewMessage {
            author: Author::System,
            kind: MessageKind::Notice,
            staff_id: None,
            channel: Some(channel),
            body: shown.clone(),
            interaction_id: None,
            external_id: Some(key.clone()),
            extras: Default::default(),
        };
        if appeal.channel == Channel::WebChat {
            return Some(Tell {
                message: message(Channel::WebChat),
                delivery: None,
            });
        }
        let ((method, address), rest) = self.plan.split_first()?;
        // A text to the phone on file is recorded on the voice channel, the phone's.
        let channel = match method {
            DeliveryVia::Sms => Channel::Voice,
            DeliveryVia::Telegram => Channel::Telegram,
            _ => Channel::Email,
        };
        Some(Tell {
            message: message(channel),
            delivery: Some(NewDelivery {
                method: *method,
                address: address.clone(),
                subject: Some(match appeal.channel {
                    Channel::Email => mail_subject(appeal),
                    _ => subject(appeal),
                }),
                payload: text,
                fallbacks: rest.to_vec(),
                // On an e-mail appeal the notice is a mail of the citizen's thread.
                mail_thread: match (appeal.channel, method) {
                    (Channel::Email, DeliveryVia::Email) => Some(self.thread_of(appeal)),
                    _ => None,
                },
                buttons: Vec::new(),
            }),
        })
    }
}
