//! What a body receives when an appeal is redirected to it (clause 3.8, R30): by e-mail, a
//! letter in Kazakh and Russian with the appeal's text and the way to answer; by webhook, a JSON
//! document its system can act on and answer through `/api/v1/webhooks/bodies/{id}`. A body
//! working in the portal receives nothing: its officers see the appeal there.
//!
//! The document holds what the body needs to consider the appeal — its number, kind, dates, the
//! client's name and what the client wrote — and not the client's identifiers or contacts: the
//! body answers through the centre, which tells the client (data minimisation, R33).

use baylanys_domain::{deadline, Author, DeliveryMethod, DeliveryVia, MessageKind};
use baylanys_store::{Appeal, Body, NewDelivery};
use chrono::{DateTime, Utc};

use crate::{Centre, CentreResult};

/// How many of the client's messages go with the appeal.
const MAX_MESSAGES: u32 = 200;

impl Centre {
    /// The delivery for `body`, or `None` when it works in the portal (or has no address yet, which
    /// is logged: the portal still shows it the appeal).
    pub(crate) async fn to_body(
        &self,
        appeal: &Appeal,
        body: &Body,
        reason: &str,
        due_at: DateTime<Utc>,
    ) -> CentreResult<Option<NewDelivery>> {
        let method = match body.delivery_method {
            DeliveryMethod::Portal => return Ok(None),
            DeliveryMethod::Email => DeliveryVia::Email,
            DeliveryMethod::Webhook => DeliveryVia::Webhook,
        };
        let Some(address) = body
            .delivery_address
            .clone()
            .filter(|a| !a.trim().is_empty())
        else {
            tracing::warn!(body = %body.id, "the body has no delivery address; only its portal shows the appeal");
            return Ok(None);
        };
        let client = self.store.get_client(appeal.client_id).await?;
        let messages: Vec<(DateTime<Utc>, Author, String)> = self
            .store
            .messages_after(appeal.id, 0, MAX_MESSAGES)
            .await?
            .into_iter()
            .filter(|m| m.kind == MessageKind::Text && m.author != Author::System)
            .map(|m| (m.created_at, m.author, m.body))
            .collect();
        let base = &self.settings.public_url;
        let answer_to = format!("{base}/api/v1/webhooks/bodies/{}", body.id);
        let (subject, payload) = match method {
        DeliveryVia::Webhook => (
            None,
            serde_json::json!({
                "type": "appeal.redirected",
                "appeal": {
                    "id": appeal.id,
                    "number": appeal.number,
                    "kind": appeal.kind,
                    "language": appeal.language,
                    "channel": appeal.channel,
                    "subject": appeal.subject,
                    "registered_at": appeal.created_at,
                    "due_at": due_at,
                },
                "body_id": body.id,
                "department_id": appeal.department_id,
                "reason": reason,
                "client": { "name": client.name },
                "messages": messages.iter().map(|(at, author, text)| serde_json::json!({
                    "at": at, "author": author, "text": text,
                })).collect::<Vec<_>>(),
                "answer_to": answer_to,
            })
            .to_string(),
        ),
        _ => (
            Some(format!(
                "№ {n} өтініш құзыреті бойынша жолданды / Обращение № {n} направлено по компетенции",
                n = appeal.number
            )),
            letter(appeal, &client.name, reason, due_at, &messages, base),
        ),
    };
        Ok(Some(NewDelivery {
            method,
            address,
            subject,
            payload,
            fallbacks: Vec::new(),
            mail_thread: None,
            buttons: Vec::new(),
        }))
    }
}

fn letter(
    appeal: &Appeal,
    name: &Option<String>,
    reason: &str,
    due_at: DateTime<Utc>,
    messages: &[(DateTime<Utc>, Author, String)],
    base: &str,
) -> String {
    let due = deadline::local_date(due_at).format("%d.%m.%Y");
    let registered = appeal
        .created_at
        .with_timezone(&baylanys_domain::TZ)
        .format("%d.%m.%Y");
    let name = name.as_deref().unwrap_or("—");
    let mut out = format!(
        "№ {n} өтініш сіздің органыңызға құзыреті бойынша жолданды (ҚР ӘРПК 65-бабы).\n\
         Обращение № {n} направлено в ваш орган по компетенции (ст. 65 АППК РК).\n\n\
         Тіркелген күні / Дата регистрации: {registered}\n\
         Жауап беру мерзімі / Срок ответа: {due}\n\
         Өтініш беруші / Заявитель: {name}\n\
         Себебі / Основание: {reason}\n\n\
         Өтініш мәтіні / Текст обращения:\n",
        n = appeal.number
    );
    for (at, author, text) in messages {
        let who = match author {
            Author::Client => "Өтініш беруші / Заявитель",
            _ => "Байланыс орталығы / Контакт-центр",
        };
        let at = at
            .with_timezone(&baylanys_domain::TZ)
            .format("%d.%m.%Y %H:%M");
        out.push_str(&format!("[{at}] {who}: {text}\n"));
    }
    out.push_str(&format!(
        "\nЖауапты порталда беріңіз / Ответ дайте на портале: {base}/console\n\
         Жауапты азаматқа байланыс орталығы жеткізеді. / Ответ заявителю доведёт контакт-центр.\n"
    ));
    out
}
