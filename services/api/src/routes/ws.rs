//! The staff socket `/ws/operator` (protocol in `baylanys_proto::ws`): offers pushed to
//! operators as they change, the live view pushed to supervisors (R16, R18).
//!
//! The socket only reads the store; every push is recomputed from it, so a missed wake-up costs
//! at most one refresh interval and nothing is ever lost.

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use baylanys_domain::Role;
use baylanys_proto::ws::{
    OperatorClientFrame, OperatorServerFrame, CLOSE_UNAUTHORIZED, OPERATOR_PROTOCOL_VERSION,
};
use std::collections::HashMap;

use baylanys_bus::Signal;
use baylanys_domain::AppealScope;
use baylanys_store::{Reader, Staff};
use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

use crate::password::hash_token;
use crate::{convert, AppState};

/// Largest frame a client may send.
const MAX_FRAME: usize = 64 * 1024;
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
const REFRESH: Duration = Duration::from_secs(2);
/// Refreshes between two notes that the console is open (every 10 s).
const SEEN_EVERY: u32 = 5;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().route("/ws/operator", get(upgrade))
}

async fn upgrade(State(state): State<AppState>, ws: WebSocketUpgrade) -> Response {
    let tracker = state.sockets.clone();
    ws.max_message_size(MAX_FRAME)
        .read_buffer_size(8 * 1024)
        .write_buffer_size(0)
        .max_frame_size(MAX_FRAME)
        .on_upgrade(move |socket| tracker.track_future(session(state, socket)))
}

fn frame(f: &OperatorServerFrame) -> Message {
    Message::Text(Utf8Bytes::from(
        serde_json::to_string(f).unwrap_or_default(),
    ))
}

fn error(code: &str, message: impl Into<String>) -> Message {
    frame(&OperatorServerFrame::Error {
        code: code.into(),
        message: message.into(),
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

/// Waits for `hello` and checks its token; returns the staff member and the token's hash.
async fn authenticate(state: &AppState, socket: &mut WebSocket) -> Option<(Staff, String)> {
    let first = tokio::time::timeout(HELLO_TIMEOUT, socket.recv()).await;
    let text = match first {
        Ok(Some(Ok(Message::Text(t)))) => t,
        Ok(Some(Ok(_))) | Err(_) => {
            let _ = socket
                .send(error("hello_expected", "send hello with your token first"))
                .await;
            close(socket, CLOSE_UNAUTHORIZED, "hello expected").await;
            return None;
        }
        Ok(Some(Err(e))) => {
            if super::frame_too_large(e) {
                close(socket, super::CLOSE_TOO_BIG, "frame too large").await;
            }
            return None;
        }
        Ok(_) => return None,
    };
    let token = match serde_json::from_str::<OperatorClientFrame>(&text) {
        Ok(OperatorClientFrame::Hello { v, token }) if v == OPERATOR_PROTOCOL_VERSION => token,
        Ok(OperatorClientFrame::Hello { .. }) => {
            let _ = socket
                .send(error("unsupported_version", "this server speaks version 1"))
                .await;
            close(socket, CLOSE_UNAUTHORIZED, "unsupported version").await;
            return None;
        }
        _ => {
            let _ = socket
                .send(error("hello_expected", "the first frame must be hello"))
                .await;
            close(socket, CLOSE_UNAUTHORIZED, "hello expected").await;
            return None;
        }
    };
    let token_hash = hash_token(token.trim());
    match state
        .store
        .session(&token_hash, baylanys_store::now())
        .await
    {
        Ok(Some(s)) => Some((s.staff, token_hash)),
        Ok(None) => {
            let _ = socket
                .send(error(
                    "unauthorized",
                    "the token is unknown, expired or revoked",
                ))
                .await;
            close(socket, CLOSE_UNAUTHORIZED, "unauthorized").await;
            None
        }
        Err(e) => {
            tracing::warn!(error = %e, "socket authentication failed");
            close(socket, 1011, "try again").await;
            None
        }
    }
}

/// Whatever this staff member should currently see, as frames.
async fn snapshot(state: &AppState, staff: &Staff) -> Vec<OperatorServerFrame> {
    let mut out = Vec::new();
    let views = |items: Vec<baylanys_store::Interaction>| -> Vec<_> {
        items
            .iter()
            .map(|i| convert::interaction(i, state.config.wrap_up_limit))
            .collect()
    };
    match state.store.offers_for(staff.id).await {
        Ok(offers) => out.push(OperatorServerFrame::Offers {
            items: views(offers),
        }),
        Err(e) => tracing::warn!(error = %e, "offers for socket"),
    }
    match state.store.contacts_of(staff.id).await {
        Ok(contacts) => out.push(OperatorServerFrame::Contacts {
            items: views(contacts),
        }),
        Err(e) => tracing::warn!(error = %e, "contacts for socket"),
    }
    // The wallboard: operators see the queues and their colleagues too (and pick a colleague to
    // transfer to from it); body officers work outside the centre and do not.
    if matches!(staff.role, Role::Admin | Role::Supervisor | Role::Operator) {
        match super::dispatch::live_view(state).await {
            Ok(view) => out.push(OperatorServerFrame::Live {
                view: Box::new(view),
            }),
            Err(e) => tracing::warn!(error = %e, "live view for socket"),
        }
    }
    if matches!(staff.role, Role::Admin | Role::Supervisor) {
        match super::kpis::today(state).await {
            Ok(today) => out.push(OperatorServerFrame::Kpis { today }),
            Err(e) => tracing::warn!(error = %e, "today's KPIs for socket"),
        }
    }
    out
}

async fn session(state: AppState, mut socket: WebSocket) {
    let Some((staff, token_hash)) = authenticate(&state, &mut socket).await else {
        return;
    };
    let welcome = OperatorServerFrame::Welcome {
        v: OPERATOR_PROTOCOL_VERSION,
        staff_id: staff.id,
        role: staff.role,
    };
    if socket.send(frame(&welcome)).await.is_err() {
        return;
    }
    let mut changes = state.changes.subscribe();
    let mut watch = state.bus.watch();
    // Followed conversations and the last `seq` sent of each.
    let mut following: HashMap<Uuid, i64> = HashMap::new();
    // The last text sent per kind of push, so an unchanged state is not sent again.
    let mut last_offers = String::new();
    let mut last_live = String::new();
    let mut last_kpis = String::new();
    let mut last_contacts = String::new();
    let mut refresh = tokio::time::interval(REFRESH);
    // The console is open: presence follows it (the routing engine sets an operator away whose
    // console is not seen for a minute). Noted now and every few refreshes.
    let mut ticks: u32 = 0;
    let _ = state.store.staff_seen(staff.id).await;
    loop {
        let mut push_state = false;
        tokio::select! {
            _ = state.shutdown.cancelled() => {
                close(&mut socket, 1001, "server shutting down").await;
                return;
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
                    let replies = match serde_json::from_str::<OperatorClientFrame>(&text) {
                        Ok(f) => handle(&state, &staff, &mut following, &mut watch, f).await,
                        Err(e) if serde_json::from_str::<serde_json::Value>(&text).is_err() => {
                            vec![error("malformed_json", format!("not JSON: {e}"))]
                        }
                        Err(e) => vec![error("invalid_frame", e.to_string())],
                    };
                    for r in replies {
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
            Some(first) = watch.recv() => {
                // A burst is handled in one go: each conversation is read from the store once.
                let mut signals = vec![first];
                while let Some(sig) = watch.try_recv() {
                    signals.push(sig);
                }
                let mut due: Vec<Uuid> = if watch.take_lagged() {
                    following.keys().copied().collect()
                } else {
                    Vec::new()
                };
                for signal in signals {
                    let f = match signal {
                        Signal::Message { appeal_id, seq } => {
                            if following.get(&appeal_id).is_some_and(|sent| seq > *sent)
                                && !due.contains(&appeal_id)
                            {
                                due.push(appeal_id);
                            }
                            None
                        }
                        Signal::Typing { appeal_id, client: true } => {
                            Some(OperatorServerFrame::Typing { appeal_id })
                        }
                        Signal::Read { appeal_id, client: true, seq } => {
                            Some(OperatorServerFrame::Read { appeal_id, seq })
                        }
                        _ => None,
                    };
                    if let Some(f) = f {
                        if socket.send(frame(&f)).await.is_err() {
                            return;
                        }
                    }
                }
                for f in catch_up(&state, &mut following, &due).await {
                    if socket.send(f).await.is_err() {
                        return;
                    }
                }
            }
            _ = changes.changed() => push_state = true,
            _ = refresh.tick() => {
                push_state = true;
                ticks = ticks.wrapping_add(1);
                if ticks.is_multiple_of(SEEN_EVERY) {
                    let _ = state.store.staff_seen(staff.id).await;
                }
                // Across nodes a signal may be lost (Redis away): every few seconds the
                // followed conversations that moved past what was sent are read again.
                if state.bus.is_shared() && !following.is_empty() {
                    for f in catch_up_moved(&state, &mut following).await {
                        if socket.send(f).await.is_err() {
                            return;
                        }
                    }
                }
            }
        }
        if !push_state {
            continue;
        }
        // The session may have been revoked or the account disabled meanwhile.
        if !matches!(
            state
                .store
                .session(&token_hash, baylanys_store::now())
                .await,
            Ok(Some(_))
        ) {
            let _ = socket
                .send(error("unauthorized", "your session ended"))
                .await;
            close(&mut socket, CLOSE_UNAUTHORIZED, "unauthorized").await;
            return;
        }
        for f in snapshot(&state, &staff).await {
            let text = serde_json::to_string(&f).unwrap_or_default();
            let last = match f {
                OperatorServerFrame::Offers { .. } => &mut last_offers,
                OperatorServerFrame::Kpis { .. } => &mut last_kpis,
                OperatorServerFrame::Contacts { .. } => &mut last_contacts,
                _ => &mut last_live,
            };
            if *last != text {
                if socket
                    .send(Message::Text(Utf8Bytes::from(text.clone())))
                    .await
                    .is_err()
                {
                    return;
                }
                *last = text;
            }
        }
    }
}

/// Entries of the followed conversations whose last `seq` moved past what was sent: one read of
/// their last `seq`s, then one of what is missing.
async fn catch_up_moved(state: &AppState, following: &mut HashMap<Uuid, i64>) -> Vec<Message> {
    let ids: Vec<Uuid> = following.keys().copied().collect();
    let Ok(last) = state.store.last_seqs(&ids).await else {
        return Vec::new();
    };
    let due: Vec<Uuid> = last
        .into_iter()
        .filter(|(a, seq)| following.get(a).is_some_and(|sent| seq > sent))
        .map(|(a, _)| a)
        .collect();
    if due.is_empty() {
        return Vec::new();
    }
    catch_up(state, following, &due).await
}

/// Entries of the followed conversations `due` after the last `seq` sent of each, as frames:
/// one query for all of them (a staff member follows many conversations, and a burst of signals
/// must not cost a round trip each).
async fn catch_up(
    state: &AppState,
    following: &mut HashMap<Uuid, i64>,
    due: &[Uuid],
) -> Vec<Message> {
    const PAGE: u32 = 500;
    let mut out = Vec::new();
    loop {
        let from: Vec<(Uuid, i64)> = due
            .iter()
            .filter_map(|a| following.get(a).map(|sent| (*a, *sent)))
            .collect();
        let Ok(batch) = state.store.messages_after_many(&from, PAGE).await else {
            // Nothing advanced: the next signal or reopen reads from the same place.
            break;
        };
        let full = batch.len() == PAGE as usize;
        for m in batch {
            let Some(sent) = following.get_mut(&m.appeal_id) else {
                continue;
            };
            if m.seq <= *sent {
                continue;
            }
            *sent = m.seq;
            out.push(frame(&OperatorServerFrame::Message {
                appeal_id: m.appeal_id,
                seq: m.seq,
                id: m.id,
                author: m.author,
                kind: m.kind,
                body: m.body,
                at: m.created_at,
            }));
        }
        // A full page may have cut a conversation short: ask again from where each stands.
        if !full {
            break;
        }
    }
    out
}

/// One frame from the staff member; the replies to send.
async fn handle(
    state: &AppState,
    staff: &Staff,
    following: &mut HashMap<Uuid, i64>,
    watch: &mut baylanys_bus::Watch,
    f: OperatorClientFrame,
) -> Vec<Message> {
    let scope: AppealScope = staff.scope();
    match f {
        OperatorClientFrame::Ping => vec![frame(&OperatorServerFrame::Pong)],
        OperatorClientFrame::Hello { .. } => {
            vec![error("already_authenticated", "hello was already accepted")]
        }
        OperatorClientFrame::Open {
            appeal_id,
            last_seq,
        } => {
            // Out of scope and missing look the same (R33).
            if state.store.get_appeal(appeal_id, scope).await.is_err() {
                return vec![error("not_found", "no such appeal")];
            }
            // Follow before catching up, so nothing stored in between goes unannounced.
            watch.follow(appeal_id);
            following.insert(appeal_id, last_seq.max(0));
            let mut out = catch_up(state, following, &[appeal_id]).await;
            if let Ok((client_read, _)) = state.store.read_marks(appeal_id).await {
                out.push(frame(&OperatorServerFrame::Read {
                    appeal_id,
                    seq: client_read,
                }));
            }
            out
        }
        OperatorClientFrame::Read { appeal_id, seq } => {
            if !following.contains_key(&appeal_id) {
                return vec![error("not_following", "open the conversation first")];
            }
            match state.store.mark_read(appeal_id, Reader::Staff, seq).await {
                Ok(kept) => {
                    state.bus.publish(Signal::Read {
                        appeal_id,
                        client: false,
                        seq: kept,
                    });
                    Vec::new()
                }
                Err(baylanys_store::StoreError::Domain(e)) => {
                    vec![error("invalid_frame", e.to_string())]
                }
                Err(e) => {
                    tracing::warn!(error = %e, "read mark not stored");
                    Vec::new()
                }
            }
        }
        OperatorClientFrame::Leave { appeal_id } => {
            watch.unfollow(appeal_id);
            following.remove(&appeal_id);
            Vec::new()
        }
        OperatorClientFrame::Typing { appeal_id } => {
            if following.contains_key(&appeal_id) {
                state.bus.publish(Signal::Typing {
                    appeal_id,
                    client: false,
                });
            }
            Vec::new()
        }
        OperatorClientFrame::Message {
            appeal_id,
            client_id,
            body,
        } => {
            let text = body.trim();
            if text.is_empty() {
                return vec![error("empty", "the message is empty")];
            }
            if text.chars().count() > 20_000 {
                return vec![error("too_long", "at most 20000 characters")];
            }
            // A reply goes out on the appeal's own channel (an e-mail appeal's by mail).
            let stored = state
                .centre
                .reply(baylanys_centre::Reply {
                    appeal_id,
                    staff_id: staff.id,
                    body: text.to_owned(),
                    channel: None,
                    external_id: Some(format!("op:{appeal_id}:{client_id}")),
                    scope,
                    actor: baylanys_store::Actor::staff(staff.id),
                })
                .await
                .map_err(|e| match e {
                    baylanys_centre::CentreError::Store(s) => s,
                    baylanys_centre::CentreError::Domain(d) => {
                        baylanys_store::StoreError::Domain(d)
                    }
                    baylanys_centre::CentreError::Unavailable(why) => {
                        baylanys_store::StoreError::Config(why)
                    }
                });
            match stored {
                Ok(m) => vec![frame(&OperatorServerFrame::Ack {
                    appeal_id,
                    client_id,
                    seq: m.message.seq,
                    message_id: m.message.id,
                })],
                Err(baylanys_store::StoreError::NotFound(_)) => {
                    vec![error("not_found", "no such appeal")]
                }
                Err(baylanys_store::StoreError::Conflict(msg)) => vec![error("closed", msg)],
                Err(e) => {
                    tracing::warn!(error = %e, "operator message not stored");
                    vec![error("unavailable", "not stored; send it again")]
                }
            }
        }
    }
}
