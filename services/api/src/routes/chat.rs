//! The citizens' web-chat socket `/ws/chat` (protocol v1 in `baylanys_proto::ws`).
//!
//! Persist before acknowledge (R5.4): a message is committed before its `ack`. Resume without
//! gaps: the bus only wakes the socket, which then reads from the store every message after the
//! last `seq` it sent, so a lost signal (or a reconnect) never loses a message.

use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use baylanys_bus::Signal;
use baylanys_domain::{AppealKind, AppealStatus, Author, Channel, Language, Priority};
use baylanys_proto::ws::{ChatClientFrame, ChatServerFrame, CHAT_PROTOCOL_VERSION};
use baylanys_store::{Actor, NewAppeal, NewClient, NewMessage};
use tokio::sync::broadcast::error::RecvError;
use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

use crate::error::ApiResult;
use crate::password::{hash_token, new_token};
use crate::AppState;

const MAX_FRAME: usize = 16 * 1024;
/// Longest message a citizen may send, in characters.
const MAX_BODY: usize = 4000;
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// Queue status at least this often while waiting (R12.2 asks for every minute at most).
const QUEUE_STATUS_EVERY: Duration = Duration::from_secs(30);
/// Flood limit per socket: this many messages per window.
const BURST: u32 = 10;
const WINDOW: Duration = Duration::from_secs(10);
/// More missed than this and the widget is told to reload instead.
const MAX_REPLAY: i64 = 1000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().route("/ws/chat", get(upgrade))
}

async fn upgrade(State(state): State<AppState>, ws: WebSocketUpgrade) -> Response {
    let tracker = state.sockets.clone();
    ws.max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .on_upgrade(move |socket| tracker.track_future(session(state, socket)))
}

fn frame(f: &ChatServerFrame) -> Message {
    Message::Text(Utf8Bytes::from(
        serde_json::to_string(f).unwrap_or_default(),
    ))
}

fn error(code: &str, message: impl Into<String>) -> Message {
    frame(&ChatServerFrame::Error {
        code: code.into(),
        message: message.into(),
    })
}

/// The conversation a socket serves.
struct Conversation {
    token: String,
    appeal_id: Uuid,
    number: String,
    language: Language,
    last_seq: i64,
}

/// Starts a new conversation: an anonymous client, an appeal whose contact waits in the queue
/// the routing table chooses, and a visitor token.
async fn start(
    state: &AppState,
    client_id: Option<Uuid>,
    language: Language,
    name: Option<String>,
    topic_id: Option<Uuid>,
) -> ApiResult<(Uuid, baylanys_store::Appeal)> {
    let client_id = match client_id {
        Some(c) => c,
        None => {
            let name = super::optional_text("name", name, 200)?;
            state
                .store
                .create_client(
                    NewClient {
                        name,
                        iin: None,
                        bin: None,
                        language,
                        vulnerable: false,
                        do_not_contact: false,
                        identities: vec![],
                    },
                    Actor::SYSTEM,
                )
                .await?
                .id
        }
    };
    let queue_id = super::dispatch::choose_queue(
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
            },
            Actor::SYSTEM,
        )
        .await?
        .value;
    state.changed();
    Ok((client_id, appeal))
}

async fn open(state: &AppState, socket: &mut WebSocket) -> Option<(Conversation, i64)> {
    let first = tokio::time::timeout(HELLO_TIMEOUT, socket.recv()).await;
    let Ok(Some(Ok(Message::Text(text)))) = first else {
        let _ = socket
            .send(error("hello_expected", "send hello first"))
            .await;
        return None;
    };
    let Ok(ChatClientFrame::Hello {
        v,
        token,
        last_seq,
        language,
        name,
        topic_id,
    }) = serde_json::from_str::<ChatClientFrame>(&text)
    else {
        let _ = socket
            .send(error("hello_expected", "the first frame must be hello"))
            .await;
        return None;
    };
    if v != CHAT_PROTOCOL_VERSION {
        let _ = socket
            .send(error("unsupported_version", "this server speaks version 1"))
            .await;
        return None;
    }
    let language = language.unwrap_or(Language::Kk);
    let result: ApiResult<(Conversation, i64)> = async {
        // A known token resumes; an unknown or closed one starts afresh (a new conversation
        // reveals nothing of the old).
        let existing = match &token {
            Some(t) => state
                .store
                .chat_session(&hash_token(t))
                .await?
                .map(|s| (t.clone(), s)),
            None => None,
        };
        match existing {
            Some((token, session)) => {
                let appeal = state
                    .store
                    .get_appeal(session.appeal_id, baylanys_domain::AppealScope::All)
                    .await?;
                if appeal.status == AppealStatus::Closed {
                    let (_, appeal) = start(
                        state,
                        Some(session.client_id),
                        appeal.language,
                        None,
                        topic_id,
                    )
                    .await?;
                    state
                        .store
                        .move_chat_session(&hash_token(&token), appeal.id)
                        .await?;
                    return Ok((
                        Conversation {
                            token,
                            appeal_id: appeal.id,
                            number: appeal.number,
                            language: appeal.language,
                            last_seq: appeal.last_seq,
                        },
                        0,
                    ));
                }
                Ok((
                    Conversation {
                        token,
                        appeal_id: appeal.id,
                        number: appeal.number,
                        language: appeal.language,
                        last_seq: appeal.last_seq,
                    },
                    last_seq.unwrap_or(0).max(0),
                ))
            }
            None => {
                let (client_id, appeal) = start(state, None, language, name, topic_id).await?;
                let token = new_token();
                let token_hash = hash_token(&token);
                state
                    .store
                    .create_chat_session(&token_hash, client_id, appeal.id)
                    .await?;
                Ok((
                    Conversation {
                        token,
                        appeal_id: appeal.id,
                        number: appeal.number,
                        language,
                        last_seq: appeal.last_seq,
                    },
                    0,
                ))
            }
        }
    }
    .await;
    match result {
        Ok(c) => Some(c),
        Err(e) => {
            let (code, message) = match &e {
                crate::error::ApiError::Domain(d) => ("invalid_frame", d.to_string()),
                _ => {
                    tracing::warn!(error = %e, "chat open failed");
                    ("unavailable", "please try again".to_owned())
                }
            };
            let _ = socket.send(error(code, message)).await;
            None
        }
    }
}

/// Sends every stored message after `*sent`, advancing it. `false` when the socket is gone.
async fn catch_up(
    state: &AppState,
    socket: &mut WebSocket,
    c: &Conversation,
    sent: &mut i64,
) -> bool {
    loop {
        let Ok(batch) = state.store.messages_after(c.appeal_id, *sent, 200).await else {
            return true;
        };
        if batch.is_empty() {
            return true;
        }
        for m in batch {
            let f = ChatServerFrame::Message {
                seq: m.seq,
                id: m.id,
                author: m.author,
                body: m.body,
                at: m.created_at,
            };
            if socket.send(frame(&f)).await.is_err() {
                return false;
            }
            *sent = m.seq;
        }
    }
}

async fn queue_status(state: &AppState, c: &Conversation) -> Option<ChatServerFrame> {
    let timeline = state
        .store
        .timeline(c.appeal_id, baylanys_domain::AppealScope::All)
        .await
        .ok()?;
    let waiting = timeline.interactions.iter().rev().find(|i| {
        i.channel == Channel::WebChat && i.state == baylanys_domain::InteractionState::Queued
    })?;
    let status = super::dispatch::queue_position(state, waiting.id)
        .await
        .ok()?;
    Some(ChatServerFrame::QueueStatus {
        position: status.position,
        estimated_wait_secs: status.estimated_wait_secs,
        text: baylanys_domain::notice::queue_status(
            c.language,
            status.position,
            status.estimated_wait_secs,
        ),
    })
}

async fn session(state: AppState, mut socket: WebSocket) {
    let mut signals = state.bus.subscribe();
    let Some((c, from)) = open(&state, &mut socket).await else {
        return;
    };
    let welcome = ChatServerFrame::Welcome {
        v: CHAT_PROTOCOL_VERSION,
        token: c.token.clone(),
        appeal_id: c.appeal_id,
        number: c.number.clone(),
        last_seq: c.last_seq,
    };
    if socket.send(frame(&welcome)).await.is_err() {
        return;
    }
    let mut sent = from;
    if c.last_seq - sent > MAX_REPLAY {
        let _ = socket
            .send(frame(&ChatServerFrame::Resync {
                reason: "too many messages missed".into(),
            }))
            .await;
        sent = c.last_seq;
    } else if !catch_up(&state, &mut socket, &c, &mut sent).await {
        return;
    }
    let mut status_timer = tokio::time::interval(QUEUE_STATUS_EVERY);
    let mut window_start = Instant::now();
    let mut in_window = 0u32;
    loop {
        tokio::select! {
            _ = state.shutdown.cancelled() => {
                let _ = socket.send(Message::Close(Some(CloseFrame { code: 1001, reason: Utf8Bytes::from_static("server shutting down") }))).await;
                return;
            }
            _ = status_timer.tick() => {
                // Also heals a lost wake-up (Redis pub/sub is at-most-once): catch up by seq.
                if !catch_up(&state, &mut socket, &c, &mut sent).await {
                    return;
                }
                if let Some(f) = queue_status(&state, &c).await {
                    if socket.send(frame(&f)).await.is_err() {
                        return;
                    }
                }
            }
            signal = signals.recv() => match signal {
                Ok(Signal::Message { appeal_id, seq }) if appeal_id == c.appeal_id && seq > sent => {
                    if !catch_up(&state, &mut socket, &c, &mut sent).await {
                        return;
                    }
                }
                Ok(Signal::Typing { appeal_id, client: false }) if appeal_id == c.appeal_id => {
                    if socket.send(frame(&ChatServerFrame::Typing)).await.is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                // Missed signals: the store has everything.
                Err(RecvError::Lagged(_)) => {
                    if !catch_up(&state, &mut socket, &c, &mut sent).await {
                        return;
                    }
                }
                Err(RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(Message::Text(text))) => {
                    let reply = match serde_json::from_str::<ChatClientFrame>(&text) {
                        Ok(ChatClientFrame::Message { client_id, body }) => {
                            if window_start.elapsed() > WINDOW {
                                window_start = Instant::now();
                                in_window = 0;
                            }
                            in_window += 1;
                            if in_window > BURST {
                                Some(error("rate_limited", "too many messages; wait a few seconds"))
                            } else {
                                Some(accept_message(&state, &c, client_id, &body).await)
                            }
                        }
                        Ok(ChatClientFrame::Typing) => {
                            state.bus.publish(Signal::Typing { appeal_id: c.appeal_id, client: true });
                            None
                        }
                        Ok(ChatClientFrame::Ping) => Some(frame(&ChatServerFrame::Pong)),
                        Ok(ChatClientFrame::Hello { .. }) => Some(error("invalid_frame", "hello was already accepted")),
                        Err(e) if serde_json::from_str::<serde_json::Value>(&text).is_err() => {
                            Some(error("malformed_json", format!("not JSON: {e}")))
                        }
                        Err(e) => Some(error("invalid_frame", e.to_string())),
                    };
                    if let Some(r) = reply {
                        if socket.send(r).await.is_err() {
                            return;
                        }
                    }
                }
                Some(Ok(Message::Binary(_))) => {
                    if socket.send(error("invalid_frame", "frames are JSON text")).await.is_err() {
                        return;
                    }
                }
                Some(Ok(_)) => {}
            },
        }
    }
}

/// Stores a citizen's message, then acknowledges it (R5.4).
async fn accept_message(
    state: &AppState,
    c: &Conversation,
    client_id: Uuid,
    body: &str,
) -> Message {
    let text = body.trim();
    if text.is_empty() {
        return error("empty", "the message is empty");
    }
    if text.chars().count() > MAX_BODY {
        return error("too_long", format!("at most {MAX_BODY} characters"));
    }
    let stored = state
        .store
        .add_message(
            c.appeal_id,
            NewMessage {
                author: Author::Client,
                staff_id: None,
                channel: Some(Channel::WebChat),
                body: text.to_owned(),
                interaction_id: None,
                // Scoped by conversation: two visitors' client ids never collide.
                external_id: Some(format!("{}:{client_id}", c.appeal_id)),
            },
            baylanys_domain::AppealScope::All,
            Actor::SYSTEM,
        )
        .await;
    match stored {
        Ok(m) => {
            if m.created {
                state.bus.publish(Signal::Message {
                    appeal_id: c.appeal_id,
                    seq: m.value.seq,
                });
            }
            frame(&ChatServerFrame::Ack {
                client_id,
                seq: m.value.seq,
                message_id: m.value.id,
            })
        }
        Err(baylanys_store::StoreError::Conflict(msg)) => error("closed", msg),
        Err(e) => {
            tracing::warn!(error = %e, "chat message not stored");
            error("unavailable", "not stored; send it again")
        }
    }
}
