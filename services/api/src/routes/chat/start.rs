//! Opening a web-chat conversation: the `hello` frame, the visitor's optional identification,
//! resuming by token, and starting a new appeal when there is none to resume.

use std::net::IpAddr;

use baylanys_domain::{
    AppealKind, AppealScope, AppealStatus, Channel, DomainError, Iin, Language, Priority,
};
use baylanys_store::{Actor, Appeal, ClientLookup, NewAppeal, NewClient, StoreError};
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

/// What the visitor said about themselves in `hello`. Not proof of identity (R11): it only
/// finds or fills the client record the operator then verifies.
#[derive(Debug, Default)]
pub struct Identification {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub iin: Option<String>,
}

/// A checked identification: bad input is refused before anything is stored.
struct Checked {
    name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    iin: Option<Iin>,
}

fn invalid(field: &'static str, reason: &str) -> DomainError {
    DomainError::InvalidField {
        field,
        reason: reason.into(),
    }
}

fn check(id: Identification) -> Result<Checked, DomainError> {
    let name = super::super::optional_text("name", id.name, 200)?;
    let phone = super::super::optional_text("phone", id.phone, 32)?
        .map(|p| {
            let digits: String = p
                .chars()
                .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '(' | ')'))
                .collect();
            let body = digits.strip_prefix('+').unwrap_or(&digits);
            if (10..=15).contains(&body.len()) && body.chars().all(|c| c.is_ascii_digit()) {
                Ok(digits)
            } else {
                Err(invalid("phone", "10–15 digits, optionally starting with +"))
            }
        })
        .transpose()?;
    let email = super::super::optional_text("email", id.email, 320)?
        .map(|e| {
            let e = e.to_lowercase();
            match e.split_once('@') {
                Some((user, host))
                    if !user.is_empty()
                        && host.contains('.')
                        && !e.contains(char::is_whitespace) =>
                {
                    Ok(e)
                }
                _ => Err(invalid("email", "not an e-mail address")),
            }
        })
        .transpose()?;
    let iin = super::super::optional_text("iin", id.iin, 12)?
        .map(|i| Iin::parse(&i))
        .transpose()?;
    Ok(Checked {
        name,
        phone,
        email,
        iin,
    })
}

/// The client a new conversation belongs to: the record one of the given identifiers already
/// points at (so the operator sees the whole history once the client is verified), else a new
/// record holding them.
async fn client_for(state: &AppState, id: Checked, language: Language) -> ApiResult<Uuid> {
    let mut lookups = Vec::new();
    if let Some(iin) = id.iin.clone() {
        lookups.push(ClientLookup::Iin(iin));
    }
    if let Some(p) = &id.phone {
        lookups.push(ClientLookup::Identity(Channel::Voice, p.clone()));
    }
    if let Some(e) = &id.email {
        lookups.push(ClientLookup::Identity(Channel::Email, e.clone()));
    }
    for lookup in lookups {
        if let Some(found) = state
            .store
            .find_clients(lookup, 1)
            .await?
            .into_iter()
            .next()
        {
            return Ok(found.id);
        }
    }
    let identities = [
        id.phone.map(|p| (Channel::Voice, p)),
        id.email.map(|e| (Channel::Email, e)),
    ]
    .into_iter()
    .flatten()
    .collect();
    let created = state
        .store
        .create_client(
            NewClient {
                name: id.name,
                iin: id.iin,
                bin: None,
                language,
                vulnerable: false,
                do_not_contact: false,
                identities,
            },
            Actor::SYSTEM,
        )
        .await?;
    Ok(created.id)
}

/// A new appeal whose web-chat contact waits in the queue the routing table chooses.
async fn new_appeal(
    state: &AppState,
    client_id: Uuid,
    language: Language,
    topic_id: Option<Uuid>,
) -> ApiResult<Appeal> {
    let queue_id = super::super::dispatch::choose_queue(
        state,
        topic_id,
        language,
        AppealKind::Request,
        Channel::WebChat,
    )
    .await?;
    let appeal = state
        .store
        .create_appeal(
            NewAppeal {
                client_id,
                kind: AppealKind::Request,
                topic_id,
                channel: Channel::WebChat,
                language,
                priority: Priority::default(),
                queue_id,
                subject: None,
                external_id: None,
                first_message: None,
                due_at: Some(
                    super::super::deadlines::due_for(
                        state,
                        AppealKind::Request,
                        baylanys_store::now(),
                    )
                    .await?,
                ),
            },
            Actor::SYSTEM,
        )
        .await?
        .value;
    state.changed();
    Ok(appeal)
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
    let appeal = new_appeal(state, c.client_id, c.language, c.topic_id).await?;
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
    id: Identification,
) -> ApiResult<(Conversation, i64)> {
    // Bad identification is refused even on resume: the widget must not believe it was taken.
    let checked = check(id)?;
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
    let name = checked.name.clone();
    let client_id = match client_for(state, checked, language).await {
        Ok(id) => id,
        // Two visitors racing with the same identifier: the loser gets a record of its own.
        Err(ApiError::Store(StoreError::Conflict(_))) => {
            let bare = Checked {
                name,
                ..Checked::empty()
            };
            client_for(state, bare, language).await?
        }
        Err(e) => return Err(e),
    };
    let appeal = new_appeal(state, client_id, language, topic_id).await?;
    let token = new_token();
    state
        .store
        .create_chat_session(&hash_token(&token), client_id, appeal.id)
        .await?;
    Ok((Conversation::of(token, client_id, &appeal), 0))
}

impl Checked {
    fn empty() -> Self {
        Checked {
            name: None,
            phone: None,
            email: None,
            iin: None,
        }
    }
}
