//! The citizens' web-chat socket `/ws/chat` (protocol v1 in `baylanys_proto::ws`).
//!
//! Persist before acknowledge (R5.4): a message is committed before its `ack`. Resume without
//! gaps: the bus only wakes the socket, which then reads from the store every entry after the
//! last `seq` it sent, so a lost signal (or a reconnect) never loses a message.

mod frames;
mod start;

use std::net::IpAddr;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use baylanys_bus::Signal;
use baylanys_centre::{CentreError, Claims, Inbound, Thread};
use baylanys_domain::{AppealScope, Channel, Language, MessageKind};
use baylanys_proto::ws::{ChatClientFrame, ChatServerFrame, CHAT_PROTOCOL_VERSION};
use baylanys_store::{Reader, StoreError};
use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

use crate::error::ApiError;
use crate::limits::{ClientIp, SocketSlot, Window};
use crate::AppState;
use frames::{error, frame, Names};
use start::Conversation;

const MAX_FRAME: usize = 16 * 1024;
/// Longest message a citizen may send, in characters.
const MAX_BODY: usize = 4000;
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// More missed than this and the widget is told to reload instead.
const MAX_REPLAY: i64 = 1000;
/// Close code for a visitor over its address's limits (RFC 6455 "policy violation").
const CLOSE_POLICY: u16 = 1008;
/// Read buffer per socket; larger frames still arrive (the buffer grows for them).
const READ_BUFFER: usize = 4 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().route("/ws/chat", get(upgrade))
}

async fn upgrade(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ws: WebSocketUpgrade,
) -> Response {
    let tracker = state.sockets.clone();
    let slot = state
        .ip_limits
        .open_socket(ip, state.config.chat.ip_sockets);
    // A small read buffer: tungstenite's default (128 KiB) would be most of each socket's memory.
    ws.max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(0)
        .on_upgrade(move |mut socket| {
            tracker.track_future(async move {
                match slot {
                    Some(slot) => session(state, socket, ip, slot).await,
                    None => {
                        let _ = socket
                            .send(error(
                                "rate_limited",
                                "too many open chats from your address; close some and retry",
                            ))
                            .await;
                        close(&mut socket, CLOSE_POLICY, "too many sockets").await;
                    }
                }
            })
        })
}

async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let _ = socket
        .send(Message::Close(Some(CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        })))
        .await;
}

/// The error frame for a failure to open or restart a conversation, and whether the socket
/// must close after it.
fn open_failure(e: &ApiError) -> (Message, bool) {
    match e {
        ApiError::Domain(d) => (error("invalid_frame", d.to_string()), true),
        ApiError::Problem { kind, detail } if *kind == baylanys_proto::problem::RATE_LIMITED => (
            error("rate_limited", detail.clone().unwrap_or_default()),
            true,
        ),
        _ => {
            tracing::warn!(error = %e, "chat conversation not opened");
            (error("unavailable", "please try again"), true)
        }
    }
}

/// Waits for `hello` and opens its conversation; `None` when the socket is done.
async fn hello(state: &AppState, socket: &mut WebSocket) -> Option<(Conversation, i64)> {
    let first = tokio::time::timeout(HELLO_TIMEOUT, socket.recv()).await;
    let text = match first {
        Ok(Some(Ok(Message::Text(text)))) => text,
        Ok(Some(Err(e))) => {
            if super::frame_too_large(e) {
                close(socket, super::CLOSE_TOO_BIG, "frame too large").await;
            }
            return None;
        }
        // The visitor left before saying hello.
        Ok(None | Some(Ok(Message::Close(_)))) => return None,
        _ => {
            let _ = socket
                .send(error("hello_expected", "send hello first"))
                .await;
            close(socket, CLOSE_POLICY, "hello expected").await;
            return None;
        }
    };
    let Ok(ChatClientFrame::Hello {
        v,
        token,
        last_seq,
        language,
        name,
        phone,
        email,
        iin,
        topic_id,
    }) = serde_json::from_str::<ChatClientFrame>(&text)
    else {
        let _ = socket
            .send(error("hello_expected", "the first frame must be hello"))
            .await;
        close(socket, CLOSE_POLICY, "hello expected").await;
        return None;
    };
    if v != CHAT_PROTOCOL_VERSION {
        let _ = socket
            .send(error("unsupported_version", "this server speaks version 1"))
            .await;
        close(socket, CLOSE_POLICY, "unsupported version").await;
        return None;
    }
    let claims = Claims {
        name,
        phone,
        email,
        iin,
    };
    let language = language.unwrap_or(Language::Kk);
    match start::open(state, token, last_seq, language, topic_id, claims).await {
        Ok(c) => Some(c),
        Err(e) => {
            let (f, closing) = open_failure(&e);
            let _ = socket.send(f).await;
            if closing {
                close(socket, CLOSE_POLICY, "not opened").await;
            }
            None
        }
    }
}

/// The socket's state besides the conversation.
struct Peer {
    ip: IpAddr,
    /// The last `seq` sent to the widget.
    sent: i64,
    names: Names,
    visitor: Window,
}

/// Sends the queue status now, if the contact waits.
async fn send_status(
    state: &AppState,
    socket: &mut WebSocket,
    c: &Conversation,
    precise: bool,
) -> bool {
    match queue_status(state, c, precise).await {
        Some(f) => socket.send(frame(&f)).await.is_ok(),
        None => true,
    }
}

/// Sends every stored entry after `peer.sent`, advancing it. `false` when the socket is gone.
async fn catch_up(
    state: &AppState,
    socket: &mut WebSocket,
    c: &Conversation,
    peer: &mut Peer,
) -> bool {
    let Some(appeal_id) = c.appeal_id else {
        return true;
    };
    // After a transfer the client waits again: tell them where they stand at once.
    let mut transferred = false;
    loop {
        let Ok(batch) = state.store.messages_after(appeal_id, peer.sent, 200).await else {
            return true;
        };
        let last_page = batch.len() < 200;
        for m in batch {
            let seq = m.seq;
            transferred |= m.kind == MessageKind::Transfer;
            let f = frames::entry(state, &mut peer.names, m).await;
            if socket.send(frame(&f)).await.is_err() {
                return false;
            }
            peer.sent = seq;
        }
        if last_page {
            break;
        }
    }
    !transferred || send_status(state, socket, c, true).await
}

/// The queue status frame: `precise` reads the contact from the store (on entering the queue
/// and after a transfer); otherwise the shared board answers, a few seconds old at most, so ten
/// thousand waiting sockets cost no queries of their own.
async fn queue_status(
    state: &AppState,
    c: &Conversation,
    precise: bool,
) -> Option<ChatServerFrame> {
    let appeal_id = c.appeal_id?;
    let status = if precise {
        let timeline = state
            .store
            .timeline(appeal_id, AppealScope::All)
            .await
            .ok()?;
        let waiting = timeline.interactions.iter().rev().find(|i| {
            i.channel == Channel::WebChat && i.state == baylanys_domain::InteractionState::Queued
        })?;
        super::dispatch::queue_position(state, waiting.id)
            .await
            .ok()?
    } else {
        super::dispatch::board_status(state, appeal_id)
            .await
            .ok()??
    };
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

/// The `welcome` frame of the conversation as it stands: without token, appeal and number until
/// the visitor's first message.
async fn welcome(state: &AppState, c: &Conversation, read_seq: i64) -> ChatServerFrame {
    // The widget shows a service interruption (R34) before the visitor writes; an unreadable
    // notice is left out rather than keeping the visitor from the chat.
    let service_notice = match state.centre.interruption_words(c.language).await {
        Ok(words) => words,
        Err(e) => {
            tracing::warn!(error = %e, "the interruption notice for the web chat");
            None
        }
    };
    ChatServerFrame::Welcome {
        v: CHAT_PROTOCOL_VERSION,
        token: c.token.clone(),
        appeal_id: c.appeal_id,
        number: c.number.clone(),
        last_seq: c.last_seq,
        read_seq,
        service_notice,
    }
}

/// Welcome, the staff's read mark, and everything the widget has not seen yet.
async fn greet(
    state: &AppState,
    socket: &mut WebSocket,
    c: &Conversation,
    peer: &mut Peer,
) -> bool {
    let read_seq = match c.appeal_id {
        Some(a) => state
            .store
            .read_marks(a)
            .await
            .map(|(_, staff)| staff)
            .unwrap_or(0),
        None => 0,
    };
    if socket
        .send(frame(&welcome(state, c, read_seq).await))
        .await
        .is_err()
    {
        return false;
    }
    if c.last_seq - peer.sent > MAX_REPLAY {
        peer.sent = c.last_seq;
        return socket
            .send(frame(&ChatServerFrame::Resync {
                reason: "too many messages missed".into(),
            }))
            .await
            .is_ok();
    }
    catch_up(state, socket, c, peer).await
}

async fn session(state: AppState, mut socket: WebSocket, ip: IpAddr, _slot: SocketSlot) {
    let Some((mut c, from)) = hello(&state, &mut socket).await else {
        return;
    };
    // Follow before the first catch-up, so nothing stored in between goes unannounced.
    let mut watch = state.bus.watch();
    if let Some(a) = c.appeal_id {
        watch.follow(a);
    }
    let mut peer = Peer {
        ip,
        sent: from,
        names: Names::default(),
        visitor: Window::new(),
    };
    if !greet(&state, &mut socket, &c, &mut peer).await {
        return;
    }
    let mut status_timer = tokio::time::interval(state.config.chat.queue_status_every);
    let mut first_status = true;
    loop {
        tokio::select! {
            _ = state.shutdown.cancelled() => {
                close(&mut socket, 1001, "server shutting down").await;
                return;
            }
            _ = status_timer.tick() => {
                // Across nodes this also heals a lost wake-up (Redis pub/sub is at-most-once):
                // catch up by seq. The in-process bus loses nothing (a lag is flagged).
                if state.bus.is_shared() && !catch_up(&state, &mut socket, &c, &mut peer).await {
                    return;
                }
                if !send_status(&state, &mut socket, &c, first_status).await {
                    return;
                }
                first_status = false;
            }
            Some(first) = watch.recv() => {
                // A burst is handled in one go: one read of the store, whatever its size.
                let mut signals = vec![first];
                while let Some(s) = watch.try_recv() {
                    signals.push(s);
                }
                let mut behind = watch.take_lagged();
                for signal in signals {
                    let sent = match signal {
                        Signal::Message { seq, .. } => {
                            behind |= seq > peer.sent;
                            true
                        }
                        Signal::Typing { client: false, .. } => {
                            socket.send(frame(&ChatServerFrame::Typing)).await.is_ok()
                        }
                        Signal::Read { client: false, seq, .. } => {
                            socket.send(frame(&ChatServerFrame::Read { seq })).await.is_ok()
                        }
                        _ => true,
                    };
                    if !sent {
                        return;
                    }
                }
                if behind && !catch_up(&state, &mut socket, &c, &mut peer).await {
                    return;
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Err(e)) => {
                    if super::frame_too_large(e) {
                        close(&mut socket, super::CLOSE_TOO_BIG, "frame too large").await;
                    }
                    return;
                }
                None | Some(Ok(Message::Close(_))) => return,
                Some(Ok(Message::Text(text))) => {
                    let before = c.appeal_id;
                    let replies = match serde_json::from_str::<ChatClientFrame>(&text) {
                        Ok(f) => handle(&state, &mut c, &mut peer, f).await,
                        Err(e) if serde_json::from_str::<serde_json::Value>(&text).is_err() => {
                            vec![error("malformed_json", format!("not JSON: {e}"))]
                        }
                        Err(e) => vec![error("invalid_frame", e.to_string())],
                    };
                    if c.appeal_id != before {
                        if let Some(b) = before {
                            watch.unfollow(b);
                        }
                        if let Some(a) = c.appeal_id {
                            watch.follow(a);
                        }
                    }
                    for r in replies {
                        if socket.send(r).await.is_err() {
                            return;
                        }
                    }
                    // A new appeal begins from its first entry, and the citizen hears at once
                    // where they stand in the queue (R12.1).
                    if c.appeal_id != before
                        && !(catch_up(&state, &mut socket, &c, &mut peer).await
                            && send_status(&state, &mut socket, &c, true).await)
                    {
                        return;
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

/// One frame from the widget; the replies to send.
async fn handle(
    state: &AppState,
    c: &mut Conversation,
    peer: &mut Peer,
    f: ChatClientFrame,
) -> Vec<Message> {
    match f {
        ChatClientFrame::Message { client_id, body } => {
            let limits = &state.config.chat;
            if !peer
                .visitor
                .admit(limits.visitor_messages_per_minute, Duration::from_secs(60))
                || !state
                    .ip_limits
                    .admit_message(peer.ip, limits.ip_messages_per_minute)
            {
                return vec![error(
                    "rate_limited",
                    "too many messages; wait a minute and send it again",
                )];
            }
            accept_message(state, c, peer, client_id, &body).await
        }
        ChatClientFrame::Typing => {
            // Before the first message nobody is there to see it.
            if let Some(appeal_id) = c.appeal_id {
                state.bus.publish(Signal::Typing {
                    appeal_id,
                    client: true,
                });
            }
            Vec::new()
        }
        ChatClientFrame::Read { seq } => {
            let Some(appeal_id) = c.appeal_id else {
                return Vec::new();
            };
            match state.store.mark_read(appeal_id, Reader::Client, seq).await {
                Ok(kept) => {
                    state.bus.publish(Signal::Read {
                        appeal_id,
                        client: true,
                        seq: kept,
                    });
                    Vec::new()
                }
                Err(StoreError::Domain(e)) => vec![error("invalid_frame", e.to_string())],
                Err(e) => {
                    tracing::warn!(error = %e, "read mark not stored");
                    Vec::new()
                }
            }
        }
        ChatClientFrame::Rate { score, comment } => {
            let comment = match super::optional_text("comment", comment, 1000) {
                Ok(c) => c,
                Err(e) => return vec![error("invalid_frame", e.to_string())],
            };
            let Some(appeal_id) = c.appeal_id else {
                return vec![error(
                    "no_survey",
                    "there is no survey for this conversation",
                )];
            };
            match state.store.answer_survey(appeal_id, score, comment).await {
                Ok(()) => vec![frame(&ChatServerFrame::Rated { score })],
                Err(StoreError::NotFound(_)) => {
                    vec![error(
                        "no_survey",
                        "there is no survey for this conversation",
                    )]
                }
                Err(StoreError::Conflict(_)) => {
                    vec![error("already_rated", "this appeal was already rated")]
                }
                Err(StoreError::Domain(e)) => vec![error("invalid_frame", e.to_string())],
                Err(e) => {
                    tracing::warn!(error = %e, "survey answer not stored");
                    vec![error("unavailable", "not stored; send it again")]
                }
            }
        }
        ChatClientFrame::Ping => vec![frame(&ChatServerFrame::Pong)],
        ChatClientFrame::Hello { .. } => vec![error("invalid_frame", "hello was already accepted")],
    }
}

/// Receives a citizen's message into the conversation's appeal.
async fn receive_message(
    state: &AppState,
    appeal_id: Uuid,
    language: Language,
    client_id: Uuid,
    text: &str,
) -> Result<baylanys_centre::Received, CentreError> {
    let mut item = Inbound::new(Channel::WebChat, Thread::Appeal(appeal_id), language);
    // Scoped by conversation: two visitors' client ids never collide.
    item.external_id = Some(format!("{appeal_id}:{client_id}"));
    item.text = Some(text.to_owned());
    state.centre.receive(item).await
}

/// Stores a citizen's message, then acknowledges it (R5.4). The first message of a
/// conversation begins its appeal, and the `welcome` that follows the acknowledgement names
/// it. After a close the conversation goes on: a still-open appeal gets a new contact in the
/// queue; a closed one is followed by a new appeal (and a new `welcome`).
async fn accept_message(
    state: &AppState,
    c: &mut Conversation,
    peer: &mut Peer,
    client_id: Uuid,
    body: &str,
) -> Vec<Message> {
    let text = body.trim();
    if text.is_empty() {
        return vec![error("empty", "the message is empty")];
    }
    if text.chars().count() > MAX_BODY {
        return vec![error("too_long", format!("at most {MAX_BODY} characters"))];
    }
    if let Some((first, seq, message_id)) = c.began_with {
        if first == client_id {
            return vec![frame(&ChatServerFrame::Ack {
                client_id,
                seq,
                message_id,
            })];
        }
    }
    let joined = match c.appeal_id {
        Some(appeal_id) => {
            match receive_message(state, appeal_id, c.language, client_id, text).await {
                Err(CentreError::Store(StoreError::Conflict(_))) => {
                    c.closed();
                    None
                }
                other => Some(other),
            }
        }
        None => None,
    };
    let (stored, began) = match joined {
        Some(r) => (r.map(|r| r.message), false),
        None => match start::begin(state, c, peer.ip, client_id, text).await {
            Ok(r) => (Ok(r.message), true),
            Err(e) => return vec![open_failure(&e).0],
        },
    };
    let mut out = Vec::new();
    match stored {
        Ok(Some(m)) => out.push(frame(&ChatServerFrame::Ack {
            client_id,
            seq: m.seq,
            message_id: m.id,
        })),
        Ok(None) => out.push(error("unavailable", "not stored; send it again")),
        Err(e) => {
            tracing::warn!(error = %e, "chat message not stored");
            out.push(error("unavailable", "not stored; send it again"));
        }
    }
    if began {
        // After the acknowledgement, so the widget does not send the message again on it (it
        // resends what is unacknowledged on every `welcome`).
        peer.sent = 0;
        out.push(frame(&welcome(state, c, 0).await));
    }
    out
}
