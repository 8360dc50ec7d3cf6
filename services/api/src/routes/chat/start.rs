//! Opening a web-chat conversation: the `hello` frame, the visitor's optional identification,
//! resuming by token, and the appeal the visitor's first message begins.
//!
//! An appeal begins with the citizen's first message, not with a page load (issue "Trustworthy
//! in the field", point 7): a `hello` without a token stores nothing — no client, no appeal, no
//! session — and a reload of a closed conversation shows it closed. The first message opens
//! the appeal (with the message in it), the client's record and the session token, in that
//! order, and only then is acknowledged.

use std::net::IpAddr;

use baylanys_centre::{Claims, Inbound, Received, Thread};
use baylanys_domain::{AppealScope, Channel, Language};
use baylanys_store::Appeal;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::password::{hash_token, new_token};
use crate::AppState;

/// The conversation a socket serves. Until the visitor's first message there is no appeal (and
/// for a new visitor no token or client); after a closed appeal the next message begins a new
/// one for the same client and token.
pub struct Conversation {
    pub token: Option<String>,
    pub client_id: Option<Uuid>,
    pub appeal_id: Option<Uuid>,
    pub number: Option<String>,
    pub language: Language,
    pub topic_id: Option<Uuid>,
    pub last_seq: i64,
    /// What the visitor said about themselves in `hello`, kept for the first message.
    claims: Claims,
    /// The widget's id, `seq` and stored id of the message that began the appeal on this
    /// socket: it was stored under an id of its own (`first:…`), so a resend of it on the same
    /// socket is recognised here.
    pub began_with: Option<(Uuid, i64, Uuid)>,
}

impl Conversation {
    fn resumed(token: String, client_id: Uuid, appeal: &Appeal) -> Self {
        Conversation {
            token: Some(token),
            client_id: Some(client_id),
            appeal_id: Some(appeal.id),
            number: Some(appeal.number.clone()),
            language: appeal.language,
            topic_id: appeal.topic_id,
            last_seq: appeal.last_seq,
            claims: Claims::default(),
            began_with: None,
        }
    }

    fn opened(&mut self, appeal: &Appeal) {
        self.client_id = Some(appeal.client_id);
        self.appeal_id = Some(appeal.id);
        self.number = Some(appeal.number.clone());
        self.last_seq = appeal.last_seq;
    }

    /// The appeal is closed: the next message begins another one, for the same client.
    pub fn closed(&mut self) {
        self.appeal_id = None;
        self.number = None;
        self.last_seq = 0;
    }
}

fn too_many_conversations() -> ApiError {
    ApiError::new(
        baylanys_proto::problem::RATE_LIMITED,
        "too many new conversations from your address; try again later",
    )
}

/// Resumes the conversation of `token` — closed or not: a closed one shows as closed, and the
/// visitor's next message begins a new appeal — or prepares a new one that stores nothing until
/// the first message. Returns it with the `seq` the visitor has already seen.
pub async fn open(
    state: &AppState,
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
        let c = Conversation::resumed(token, session.client_id, &appeal);
        return Ok((c, last_seq.unwrap_or(0).clamp(0, appeal.last_seq)));
    }
    let c = Conversation {
        token: None,
        client_id: None,
        appeal_id: None,
        number: None,
        language,
        topic_id,
        last_seq: 0,
        claims,
        began_with: None,
    };
    Ok((c, 0))
}

/// The visitor's first message of a conversation without an appeal: it opens the appeal, with
/// the message in it, for the visitor's client (a new record holding their claims, or theirs
/// after a closed conversation), and the session keeps the token. A resend of the same message
/// (its client id) after a lost acknowledgement finds the appeal it opened.
pub async fn begin(
    state: &AppState,
    c: &mut Conversation,
    ip: IpAddr,
    message_id: Uuid,
    text: &str,
) -> ApiResult<Received> {
    let limit = state.config.chat.ip_conversations_per_hour;
    if !state.ip_limits.admit_conversation(ip, limit) {
        return Err(too_many_conversations());
    }
    let mut item = Inbound::new(
        Channel::WebChat,
        Thread::New {
            client_id: c.client_id,
        },
        c.language,
    );
    item.topic_id = c.topic_id;
    item.claims = c.claims.clone();
    item.text = Some(text.to_owned());
    // The widget's id of the message: a resend is recognised whatever the conversation.
    item.external_id = Some(format!("first:{message_id}"));
    let received = state.centre.receive(item).await?;
    let appeal = received
        .opened
        .clone()
        .ok_or_else(|| ApiError::Internal("a first message opened no appeal".into()))?;
    match &c.token {
        Some(token) => {
            state
                .store
                .move_chat_session(&hash_token(token), appeal.id)
                .await?
        }
        None => {
            let token = new_token();
            state
                .store
                .create_chat_session(&hash_token(&token), appeal.client_id, appeal.id)
                .await?;
            c.token = Some(token);
        }
    }
    c.opened(&appeal);
    c.claims = Claims::default();
    c.began_with = received.message.as_ref().map(|m| (message_id, m.seq, m.id));
    Ok(received)
}
