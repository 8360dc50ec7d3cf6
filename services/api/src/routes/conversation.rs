//! What the web-chat client is told when staff act on its contact: an operator took it, it was
//! transferred, it ended. Each is an entry of the conversation with its own `seq` (kind
//! `assignment`, `transfer`, `close`), written after the action succeeded and keyed so that a
//! retried action does not tell the client twice. The widget replays them by `seq` like any
//! message, so a reconnect never loses one.

use baylanys_bus::Signal;
use baylanys_domain::templates::{Notice, Vars};
use baylanys_domain::{notice, AppealScope, Author, Channel, DeliveryVia, Language, MessageKind};
use baylanys_store::{Actor, Appeal, Interaction, NewDelivery, NewMessage};
use uuid::Uuid;

use crate::AppState;

/// A notification's text from the admins' templates (their defaults until edited), in the
/// appeal's language (R6). A store error falls back to the defaults: the citizen is told anyway.
pub async fn render(state: &AppState, kind: Notice, lang: Language, vars: &Vars<'_>) -> String {
    let templates = match state.store.notification_templates().await {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!(error = %e, "notification templates; using the defaults");
            Default::default()
        }
    };
    templates.render(kind, lang, vars)
}

/// Adds one notice to the conversation and wakes its sockets. Failures are logged, not
/// returned: the staff action itself already succeeded and must not be reported as failed.
async fn tell(
    state: &AppState,
    appeal_id: Uuid,
    kind: MessageKind,
    text: String,
    staff_id: Option<Uuid>,
    key: String,
) {
    let stored = state
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
        Ok(m) if m.created => state.bus.publish(Signal::Message {
            appeal_id,
            seq: m.value.seq,
        }),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, kind = kind.as_str(), "client notice not stored"),
    }
}

async fn appeal(state: &AppState, id: Uuid) -> Option<Appeal> {
    match state.store.get_appeal(id, AppealScope::All).await {
        Ok(a) => Some(a),
        Err(e) => {
            tracing::warn!(error = %e, "appeal for a client notice");
            None
        }
    }
}

/// How a client not in the web chat can be reached: e-mail first — it carries the whole text
/// (a redirection names the body, department and position) and costs nothing — then the
/// phone's SMS, each only when on file and configured. Empty: the client cannot be told.
async fn delivery_plan(state: &AppState, appeal: &Appeal) -> Vec<(DeliveryVia, String)> {
    let client = match state.store.get_client(appeal.client_id).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(error = %e, "client for a notification");
            return Vec::new();
        }
    };
    let address = |channel: Channel| {
        client
            .identities
            .iter()
            .find(|i| i.channel == channel)
            .map(|i| i.address.clone())
    };
    let email = state
        .delivery
        .mailer
        .as_ref()
        .and(address(Channel::Email))
        .map(|a| (DeliveryVia::Email, a));
    let sms = state
        .delivery
        .sms
        .as_ref()
        .and(address(Channel::Voice))
        .map(|a| (DeliveryVia::Sms, a));
    [email, sms].into_iter().flatten().collect()
}

/// Tells the client something about their appeal on their own channel, in the appeal's
/// language (R6): in the web chat as a notice entry of the conversation; otherwise as a notice
/// on the timeline carried by the outbox — by e-mail to the address on file or by SMS to the
/// phone on file as the fallback. With neither
/// nothing is recorded: the timeline shows only what went out. `key` makes a retried action
/// tell once.
pub async fn inform(state: &AppState, appeal: &Appeal, text: String, key: String) {
    if appeal.channel == Channel::WebChat {
        tell(state, appeal.id, MessageKind::Notice, text, None, key).await;
        return;
    }
    inform_with(state, appeal, text.clone(), text, key).await;
}

/// As `inform`, off the web chat, when what is sent differs from what the timeline shows: a
/// survey link's token goes to the client only, never into what staff read.
async fn inform_with(state: &AppState, appeal: &Appeal, shown: String, text: String, key: String) {
    let plan = delivery_plan(state, appeal).await;
    let subject = match appeal.language {
        baylanys_domain::Language::Kk => format!("№ {} өтініш", appeal.number),
        baylanys_domain::Language::Ru => format!("Обращение № {}", appeal.number),
        baylanys_domain::Language::En => format!("Appeal No. {}", appeal.number),
    };
    let channel = match plan.first() {
        Some((DeliveryVia::Email, _)) => Channel::Email,
        // A text to the phone on file is recorded on the voice channel, the phone's.
        Some((DeliveryVia::Sms, _)) => Channel::Voice,
        _ => appeal.channel,
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
    let stored = match plan.split_first() {
        Some(((method, address), rest)) => {
            let delivery = NewDelivery {
                method: *method,
                address: address.clone(),
                subject: Some(subject),
                payload: text,
                fallbacks: rest.to_vec(),
            };
            let stored = state.store.add_notice(appeal.id, message, delivery).await;
            state.outbox.notify_one();
            stored
        }
        None => {
            // Nothing configured (a centre without mail or SMS) is expected; a client with no
            // address on file is worth a look: staff tell them on the next call.
            if state.delivery.mailer.is_some() || state.delivery.sms.is_some() {
                tracing::warn!(appeal_id = %appeal.id, "no e-mail or phone on file to tell the client");
            } else {
                tracing::debug!(appeal_id = %appeal.id, "no mail or SMS configured to tell the client");
            }
            return;
        }
    };
    if let Err(e) = stored {
        tracing::warn!(error = %e, "client notification not recorded");
    }
}

/// After an answer (or the close), the client is asked once to rate the service (R5.7, KPI 3)
/// on the appeal's own channel: in the web chat as an entry of the conversation with the
/// widget's buttons; otherwise by e-mail or SMS with a one-time link to the survey page (only
/// the link token's hash is stored). A client who cannot be reached is not asked.
pub async fn ask_survey(state: &AppState, appeal: &Appeal) {
    if appeal.channel == Channel::WebChat {
        match state
            .store
            .ask_survey(appeal.id, Channel::WebChat, None)
            .await
        {
            Ok(true) => {
                let vars = [("number", Some(appeal.number.as_str())), ("link", None)];
                let text = render(state, Notice::Survey, appeal.language, &vars).await;
                tell(
                    state,
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
    let plan = delivery_plan(state, appeal).await;
    let Some((method, _)) = plan.first() else {
        return;
    };
    let token = crate::password::new_token();
    let channel = match method {
        DeliveryVia::Sms => Channel::Voice,
        _ => Channel::Email,
    };
    let asked = state
        .store
        .ask_survey(
            appeal.id,
            channel,
            Some(crate::password::hash_token(&token)),
        )
        .await;
    match asked {
        Ok(true) => {
            let link = format!("{}/survey/{token}", state.config.public_url);
            let vars = [
                ("number", Some(appeal.number.as_str())),
                ("link", Some(link.as_str())),
            ];
            let text = render(state, Notice::Survey, appeal.language, &vars).await;
            let shown = text.replace(&token, "…");
            inform_with(state, appeal, shown, text, format!("survey:{}", appeal.id)).await;
        }
        Ok(false) => {}
        Err(e) => tracing::warn!(error = %e, "survey not asked"),
    }
}

/// An operator answered a web-chat contact.
pub async fn assigned(state: &AppState, contact: &Interaction) {
    let (Channel::WebChat, Some(operator)) = (contact.channel, contact.operator_id) else {
        return;
    };
    let Some(appeal) = appeal(state, contact.appeal_id).await else {
        return;
    };
    let name = match state.store.get_staff(operator).await {
        Ok(s) => s.display_name,
        Err(_) => return,
    };
    tell(
        state,
        appeal.id,
        MessageKind::Assignment,
        notice::assignment(appeal.language, &name),
        Some(operator),
        format!("assigned:{}:{operator}", contact.id),
    )
    .await;
}

/// A web-chat contact was moved to another operator or queue (R18).
pub async fn transferred(state: &AppState, contact: &Interaction, escalation: bool) {
    if contact.channel != Channel::WebChat {
        return;
    }
    let Some(appeal) = appeal(state, contact.appeal_id).await else {
        return;
    };
    tell(
        state,
        appeal.id,
        MessageKind::Transfer,
        notice::transfer(appeal.language, escalation),
        None,
        format!("transfer:{}:{}", contact.id, Uuid::now_v7()),
    )
    .await;
}

/// A web-chat contact ended (the operator finished it, or the appeal was closed).
pub async fn ended(state: &AppState, contact: &Interaction) {
    if contact.channel != Channel::WebChat {
        return;
    }
    let Some(appeal) = appeal(state, contact.appeal_id).await else {
        return;
    };
    tell(
        state,
        appeal.id,
        MessageKind::Close,
        render(
            state,
            Notice::Ended,
            appeal.language,
            &[("number", Some(&appeal.number))],
        )
        .await,
        None,
        format!("close:{}", contact.id),
    )
    .await;
}

/// The appeal was closed: a web-chat client still in the conversation is told, once; a client
/// of another channel by e-mail or SMS (R6).
pub async fn closed(state: &AppState, appeal: &Appeal) {
    if appeal.channel != Channel::WebChat {
        let vars = [("number", Some(appeal.number.as_str()))];
        let text = render(state, Notice::Closed, appeal.language, &vars).await;
        inform(state, appeal, text, format!("closed:{}", appeal.id)).await;
        return;
    }
    // Ending the contact may already have said it.
    let last = state
        .store
        .messages_after(appeal.id, appeal.last_seq.saturating_sub(1), 1)
        .await
        .ok()
        .and_then(|m| m.into_iter().next());
    if last.is_some_and(|m| m.kind == MessageKind::Close) {
        return;
    }
    tell(
        state,
        appeal.id,
        MessageKind::Close,
        render(
            state,
            Notice::Ended,
            appeal.language,
            &[("number", Some(&appeal.number))],
        )
        .await,
        None,
        format!("closed:{}", appeal.id),
    )
    .await;
}
