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
use baylanys_store::Staff;
use utoipa_axum::router::OpenApiRouter;

use crate::password::hash_token;
use crate::{convert, AppState};

/// Largest frame a client may send.
const MAX_FRAME: usize = 64 * 1024;
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
const REFRESH: Duration = Duration::from_secs(2);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().route("/ws/operator", get(upgrade))
}

async fn upgrade(State(state): State<AppState>, ws: WebSocketUpgrade) -> Response {
    let tracker = state.sockets.clone();
    ws.max_message_size(MAX_FRAME)
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
    match state.store.offers_for(staff.id).await {
        Ok(offers) => out.push(OperatorServerFrame::Offers {
            items: offers.iter().map(convert::interaction).collect(),
        }),
        Err(e) => tracing::warn!(error = %e, "offers for socket"),
    }
    if matches!(staff.role, Role::Admin | Role::Supervisor) {
        match super::dispatch::live_view(state).await {
            Ok(view) => out.push(OperatorServerFrame::Live {
                view: Box::new(view),
            }),
            Err(e) => tracing::warn!(error = %e, "live view for socket"),
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
    // The last text sent per kind of push, so an unchanged state is not sent again.
    let mut last_offers = String::new();
    let mut last_live = String::new();
    let mut refresh = tokio::time::interval(REFRESH);
    loop {
        tokio::select! {
            _ = state.shutdown.cancelled() => {
                close(&mut socket, 1001, "server shutting down").await;
                return;
            }
            incoming = socket.recv() => match incoming {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(Message::Text(text))) => {
                    let reply = match serde_json::from_str::<OperatorClientFrame>(&text) {
                        Ok(OperatorClientFrame::Ping) => frame(&OperatorServerFrame::Pong),
                        Ok(OperatorClientFrame::Hello { .. }) => error("already_authenticated", "hello was already accepted"),
                        Err(e) if serde_json::from_str::<serde_json::Value>(&text).is_err() => {
                            error("malformed_json", format!("not JSON: {e}"))
                        }
                        Err(e) => error("invalid_frame", e.to_string()),
                    };
                    if socket.send(reply).await.is_err() {
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
            _ = changes.changed() => {}
            _ = refresh.tick() => {}
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
