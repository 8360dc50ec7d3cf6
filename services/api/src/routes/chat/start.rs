//! Opening a web-chat conversation: the `hello` frame, the visitor's optional identification,
//! resuming by token, and starting a new appeal when there is none to resume.

use std::net::IpAddr;

use baylanys_centre::{Claims, Inbound, Thread};
use baylanys_domain::{AppealScope, AppealStatus, Channel, Language};
use baylanys_store::Appeal;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::password::{hash_token, new_token};
use crate::AppState;

/// The conversation a socket serves. It changes when a closed conversation restarts.
pub struct Conversation {
    pub token: String,
    pub client_id: Uuid,
    pub appeal_id: Uuid,
    pub number: String,
    pub language: Language,
    pub topic_id: Option<Uuid>,
    pub last_seq: i64,
}

impl Conversation {
    fn of(token: String, client_id: Uuid, appeal: &Appeal) -> Self {
        Conversation {
            token,
            client_id,
            appeal_id: appeal.id,
            number: appeal.number.clone(),
            language: appeal.language,
            topic_id: appeal.topic_id,
            last_seq: appeal.last_seq,
        }
    }
}

/// A new appeal whose web-chat contact waits in the queue the routing table chooses.
async fn new_appeal(
    state: &AppState,
    thread: Thread,
    language: Language,
    topic_id: Option<Uuid>,
    claims: Claims,
) -> ApiResult<Appeal> {
    let mut item = Inbound::new(Channel::WebChat, thread, language);
    item.topic_id = topic_id;
    item.claims = claims;
    let received = state.centre.receive(item).await?;
    received
        .opened
        .ok_or_else(|| ApiError::Internal("a new conversation opened no appeal".into()))
}

fn too_many_conversations() -> ApiError {
    ApiError::new(
        baylanys_proto::problem::RATE_LIMITED,
        "too many new conversations from your address; try again later",
    )
}

/// The next conversation of a visitor whose last one was closed: same client, same token.
pub async fn restart(state: &AppState, c: &mut Conversation, ip: IpAddr) -> ApiResult<()> {
    let limit = state.config.chat.ip_conversations_per_hour;
    if !state.ip_limits.admit_conversation(ip, limit) {
        return Err(too_many_conversations());
    }
    let thread = Thread::New {
        client_id: Some(c.client_id),
    };
    let appeal = new_appeal(state, thread, c.language, c.topic_id, Claims::default()).await?;
    state
        .store
        .move_chat_session(&hash_token(&c.token), appeal.id)
        .await?;
    *c = Conversation::of(c.token.clone(), c.client_id, &appeal);
    Ok(())
}

/// Resumes the conversation of `token`, or starts a new one. Returns it with the `seq` the
/// visitor has already seen (0 for a new conversation).
pub async fn open(
    state: &AppState,
    ip: IpAddr,
    token: Option<String>,
    last_seq: Option<i64>,
    language: Language,
    topic_id: Option<Uuid>,
    claims: Claims,
) -> ApiResult<(Conversation, i64)> {
    // Bad identification is refused even on resume: the widget must not believe it was taken.
    claims.validate()?;
    // A known token resumes; an unknown one starts afresh (a new conversation reveals nothing
    // of any other).
    let existing = match &token {
        Some(t) => state.store.chat_session(&hash_token(t)).await?,
        None => None,
    };
    if let (Some(token), Some(session)) = (token, existing) {
        let appeal = state
            .store
            .get_appeal(session.appeal_id, AppealScope::All)
            .await?;
        let mut c = Conversation::of(token, session.client_id, &appeal);
        if appeal.status == AppealStatus::Closed {
            restart(state, &mut c, ip).await?;
            return Ok((c, 0));
        }
        return Ok((c, last_seq.unwrap_or(0).clamp(0, appeal.last_seq)));
    }
    let limit = state.config.chat.ip_conversations_per_hour;
    if !state.ip_limits.admit_conversation(ip, limit) {
        return Err(too_many_conversations());
    }
    let thread = Thread::New { client_id: None };
    let appeal = new_appeal(state, thread, language, topic_id, claims).await?;
    let client_id = appeal.client_id;
    let token = new_token();
    state
        .store
        .create_chat_session(&hash_token(&token), client_id, appeal.id)
        .await?;
    Ok((Conversation::of(token, client_id, &appeal), 0))
}
