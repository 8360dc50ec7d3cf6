//! What the web-chat client is told when staff act on its contact: an operator took it, it was
//! transferred, it ended. Each is an entry of the conversation with its own `seq` (kind
//! `assignment`, `transfer`, `close`), written after the action succeeded and keyed so that a
//! retried action does not tell the client twice. The widget replays them by `seq` like any
//! message, so a reconnect never loses one.

use baylanys_bus::Signal;
use baylanys_domain::{notice, AppealScope, Author, Channel, MessageKind};
use baylanys_store::{Actor, Appeal, Interaction, NewMessage};
use uuid::Uuid;

use crate::AppState;

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
        notice::close(appeal.language, &appeal.number),
        None,
        format!("close:{}", contact.id),
    )
    .await;
}

/// The appeal was closed: a web-chat client still in the conversation is told, once.
pub async fn closed(state: &AppState, appeal: &Appeal) {
    if appeal.channel != Channel::WebChat {
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
        notice::close(appeal.language, &appeal.number),
        None,
        format!("closed:{}", appeal.id),
    )
    .await;
}
