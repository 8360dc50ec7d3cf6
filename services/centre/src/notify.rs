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

use baylanys_domain::templates::{date, Notice, Vars};
use baylanys_domain::{
    notice, AppealScope, AppealStatus, Author, Channel, DeliveryVia, Language, MessageKind,
};
use baylanys_store::{Actor, Appeal, Client, Interaction, NewDelivery, NewMessage};
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

    /// Adds one entry to the web-chat conversation and wakes its sockets.
    async fn tell(
        &self,
        appeal_id: Uuid,
        kind: MessageKind,
        text: String,
        staff_id: Option<Uuid>,
        key: String,
    ) {
        let stored = self
            .store
            .add_message(
                appeal_id,
                NewMessage {
                    author: Author::System,
                    kind,
                    staff_id,
                    channel: Some(Channel::WebChat),
                    body: text,
                    interaction_id: None,
                    external_id: Some(key),
                },
                AppealScope::All,
                Actor::SYSTEM,
            )
            .await;
        match stored {
            Ok(m) if m.created => self.published(appeal_id, m.value.seq),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, kind = kind.as_str(), "client notice not stored"),
        }
    }

    async fn appeal(&self, id: Uuid) -> Option<Appeal> {
        match self.store.get_appeal(id, AppealScope::All).await {
            Ok(a) => Some(a),
            Err(e) => {
                tracing::warn!(error = %e, "appeal for a client notice");
                None
            }
        }
    }

    /// How a client not in the web chat can be reached: e-mail first — it carries the whole
    /// text (a redirection names the body, department and position) and costs nothing — then
    /// the phone's SMS, each only when on file and configured. Empty: the client cannot be told.
    pub(crate) async fn delivery_plan(&self, appeal: &Appeal) -> Vec<(DeliveryVia, String)> {
        let client = match self.store.get_client(appeal.client_id).await {
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
        [email, sms].into_iter().flatten().collect()
    }

    /// Tells the client something about their appeal on their own channel, in the appeal's
    /// language (R6): in the web chat as a notice entry of the conversation; otherwise as a
    /// notice on the timeline carried by the outbox — by e-mail to the address on file or by
    /// SMS to the phone on file as the fallback. With neither nothing is recorded: the timeline
    /// shows only what went out. `key` makes a retried action tell once.
    pub async fn inform(&self, appeal: &Appeal, text: String, key: String) {
        if appeal.channel == Channel::WebChat {
            self.tell(appeal.id, MessageKind::Notice, text, None, key)
                .await;
            return;
        }
        self.inform_with(appeal, text.clone(), text, key).await;
    }

    /// As `inform`, off the web chat, when what is sent differs from what the timeline shows: a
    /// survey link's token goes to the client only, never into what staff read.
    async fn inform_with(&self, appeal: &Appeal, shown: String, text: String, key: String) {
        let plan = self.delivery_plan(appeal).await;
        let Some(((method, address), rest)) = plan.split_first() else {
            // Nothing configured (a centre without mail or SMS) is expected; a client with no
            // address on file is worth a look: staff tell them on the next call.
            if self.reach.email || self.reach.sms {
                tracing::warn!(appeal_id = %appeal.id, "no e-mail or phone on file to tell the client");
            } else {
                tracing::debug!(appeal_id = %appeal.id, "no mail or SMS configured to tell the client");
            }
            return;
        };
        // A text to the phone on file is recorded on the voice channel, the phone's.
        let channel = match method {
            DeliveryVia::Sms => Channel::Voice,
            _ => Channel::Email,
        };
        let message = NewMessage {
            author: Author::System,
            kind: MessageKind::Notice,
            staff_id: None,
            channel: Some(channel),
            body: shown,
            interaction_id: None,
            external_id: Some(key),
        };
        // On an e-mail appeal the notice is a mail of the citizen's thread, as replies are.
        let mail_thread = match (appeal.channel, method) {
            (Channel::Email, DeliveryVia::Email) => match self.next_in_thread(appeal).await {
                Ok(t) => Some(t),
                Err(e) => {
                    tracing::warn!(error = %e, "mail thread of a notice");
                    None
                }
            },
            _ => None,
        };
        let delivery = NewDelivery {
            method: *method,
            address: address.clone(),
            subject: Some(subject(appeal)),
            payload: text,
            fallbacks: rest.to_vec(),
            mail_thread,
        };
        let stored = self.store.add_notice(appeal.id, message, delivery).await;
        self.wake.outbox.notify_one();
        if let Err(e) = stored {
            tracing::warn!(error = %e, "client notification not recorded");
        }
    }

    /// The citizen is told their appeal's number and expected date (R6.1) on their own channel;
    /// a web chat shows them in its `welcome` instead.
    pub async fn tell_registered(&self, appeal: &Appeal) {
        if appeal.channel == Channel::WebChat {
            return;
        }
        let due = appeal
            .due_at
            .map(|d| date(baylanys_domain::deadline::local_date(d)));
        let vars = [
            ("number", Some(appeal.number.as_str())),
            ("date", due.as_deref()),
        ];
        let text = self
            .render(Notice::Registered, appeal.language, &vars)
            .await;
        self.inform(appeal, text, format!("registered:{}", appeal.id))
            .await;
    }

    /// After an answer (or the close), the client is asked once to rate the service (R5.7,
    /// KPI 3) on the appeal's own channel: in the web chat as an entry of the conversation with
    /// the widget's buttons; otherwise by e-mail or SMS with a one-time link to the survey page
    /// (only the link token's hash is stored). A client who cannot be reached is not asked.
    pub async fn ask_survey(&self, appeal: &Appeal) {
        if appeal.channel == Channel::WebChat {
            match self
                .store
                .ask_survey(appeal.id, Channel::WebChat, None)
                .await
            {
                Ok(true) => {
                    let vars = [("number", Some(appeal.number.as_str())), ("link", None)];
                    let text = self.render(Notice::Survey, appeal.language, &vars).await;
                    self.tell(
                        appeal.id,
                        MessageKind::Survey,
                        text,
                        None,
                        format!("survey:{}", appeal.id),
                    )
                    .await;
                }
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "survey not asked"),
            }
            return;
        }
        let plan = self.delivery_plan(appeal).await;
        let Some((method, _)) = plan.first() else {
            return;
        };
        let token = crate::token::new_token();
        let channel = match method {
            DeliveryVia::Sms => Channel::Voice,
            _ => Channel::Email,
        };
        let asked = self
            .store
            .ask_survey(appeal.id, channel, Some(crate::token::hash_token(&token)))
            .await;
        match asked {
            Ok(true) => {
                let link = format!("{}/survey/{token}", self.settings.public_url);
                let vars = [
                    ("number", Some(appeal.number.as_str())),
                    ("link", Some(link.as_str())),
                ];
                let text = self.render(Notice::Survey, appeal.language, &vars).await;
                let shown = text.replace(&token, "…");
                self.inform_with(appeal, shown, text, format!("survey:{}", appeal.id))
                    .await;
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "survey not asked"),
        }
    }

    /// An operator answered a web-chat contact: the citizen is told who answers.
    pub async fn assigned(&self, contact: &Interaction) {
        let (Channel::WebChat, Some(operator)) = (contact.channel, contact.operator_id) else {
            return;
        };
        let Some(appeal) = self.appeal(contact.appeal_id).await else {
            return;
        };
        let name = match self.store.get_staff(operator).await {
            Ok(s) => s.display_name,
            Err(_) => return,
        };
        self.tell(
            appeal.id,
            MessageKind::Assignment,
            notice::assignment(appeal.language, &name),
            Some(operator),
            format!("assigned:{}:{operator}", contact.id),
        )
        .await;
    }

    /// A web-chat contact was moved to another operator or queue (R18).
    pub async fn transferred(&self, contact: &Interaction, escalation: bool) {
        if contact.channel != Channel::WebChat {
            return;
        }
        let Some(appeal) = self.appeal(contact.appeal_id).await else {
            return;
        };
        self.tell(
            appeal.id,
            MessageKind::Transfer,
            notice::transfer(appeal.language, escalation),
            None,
            format!("transfer:{}:{}", contact.id, Uuid::now_v7()),
        )
        .await;
    }

    /// A web-chat contact ended (the operator finished it, or the appeal was closed).
    pub async fn ended(&self, contact: &Interaction) {
        if contact.channel != Channel::WebChat {
            return;
        }
        let Some(appeal) = self.appeal(contact.appeal_id).await else {
            return;
        };
        let text = self
            .render(
                Notice::Ended,
                appeal.language,
                &[("number", Some(&appeal.number))],
            )
            .await;
        self.tell(
            appeal.id,
            MessageKind::Close,
            text,
            None,
            format!("close:{}", contact.id),
        )
        .await;
    }

    /// The appeal was closed: a web-chat client still in the conversation is told, once; a
    /// client of another channel by e-mail or SMS (R6).
    pub async fn closed(&self, appeal: &Appeal) {
        if appeal.channel != Channel::WebChat {
            let vars = [("number", Some(appeal.number.as_str()))];
            let text = self.render(Notice::Closed, appeal.language, &vars).await;
            self.inform(appeal, text, format!("closed:{}", appeal.id))
                .await;
            return;
        }
        // Ending the contact may already have said it.
        let last = self
            .store
            .messages_after(appeal.id, appeal.last_seq.saturating_sub(1), 1)
            .await
            .ok()
            .and_then(|m| m.into_iter().next());
        if last.is_some_and(|m| m.kind == MessageKind::Close) {
            return;
        }
        let text = self
            .render(
                Notice::Ended,
                appeal.language,
                &[("number", Some(&appeal.number))],
            )
            .await;
        self.tell(
            appeal.id,
            MessageKind::Close,
            text,
            None,
            format!("closed:{}", appeal.id),
        )
        .await;
    }

    /// What the client is told, and what else follows, after the appeal moved to its status
    /// (R6): the answer and then the survey, a request for more information, the close. Shared
    /// by staff and bodies' systems.
    pub async fn status_changed(&self, appeal: &Appeal, reason: Option<&str>) {
        match appeal.status {
            AppealStatus::Closed => {
                // Closing ended its contacts in progress: routing may offer more now.
                self.changed();
                self.closed(appeal).await;
                self.ask_survey(appeal).await;
            }
            // The client hears the answer and any request for more, on their own channel (R6).
            AppealStatus::Answered => {
                let vars = [
                    ("number", Some(appeal.number.as_str())),
                    ("answer", appeal.resolution.as_deref()),
                ];
                let text = self.render(Notice::Answered, appeal.language, &vars).await;
                let key = format!(
                    "answered:{}:{}",
                    appeal.id,
                    appeal.updated_at.timestamp_micros()
                );
                self.inform(appeal, text, key).await;
                self.ask_survey(appeal).await;
            }
            AppealStatus::AwaitingClient => {
                let vars = [
                    ("number", Some(appeal.number.as_str())),
                    ("question", reason),
                ];
                let text = self
                    .render(Notice::MoreInformation, appeal.language, &vars)
                    .await;
                let key = format!(
                    "awaiting:{}:{}",
                    appeal.id,
                    appeal.updated_at.timestamp_micros()
                );
                self.inform(appeal, text, key).await;
            }
            _ => {}
        }
    }
}
