//! Conversation entries as the frames the widget receives.

use std::collections::HashMap;

use axum::extract::ws::{Message, Utf8Bytes};
use baylanys_domain::MessageKind;
use baylanys_proto::ws::ChatServerFrame;
use uuid::Uuid;

use crate::AppState;

pub fn frame(f: &ChatServerFrame) -> Message {
    Message::Text(Utf8Bytes::from(
        serde_json::to_string(f).unwrap_or_default(),
    ))
}

pub fn error(code: &str, message: impl Into<String>) -> Message {
    frame(&ChatServerFrame::Error {
        code: code.into(),
        message: message.into(),
    })
}

/// Operators' display names for `assignment` frames, looked up once per socket.
#[derive(Default)]
pub struct Names(HashMap<Uuid, String>);

impl Names {
    async fn of(&mut self, state: &AppState, id: Option<Uuid>) -> String {
        let Some(id) = id else {
            return String::new();
        };
        if let Some(n) = self.0.get(&id) {
            return n.clone();
        }
        let name = state
            .store
            .get_staff(id)
            .await
            .map(|s| s.display_name)
            .unwrap_or_default();
        self.0.insert(id, name.clone());
        name
    }
}

/// The frame of one stored entry.
pub async fn entry(
    state: &AppState,
    names: &mut Names,
    m: baylanys_store::Message,
) -> ChatServerFrame {
    match m.kind {
        MessageKind::Text => ChatServerFrame::Message {
            seq: m.seq,
            id: m.id,
            author: m.author,
            body: m.body,
            at: m.created_at,
        },
        MessageKind::Notice => ChatServerFrame::Notice {
            seq: m.seq,
            id: m.id,
            text: m.body,
            at: m.created_at,
        },
        MessageKind::Assignment => ChatServerFrame::Assignment {
            seq: m.seq,
            id: m.id,
            operator: names.of(state, m.staff_id).await,
            text: m.body,
            at: m.created_at,
        },
        MessageKind::Transfer => ChatServerFrame::Transfer {
            seq: m.seq,
            id: m.id,
            text: m.body,
            at: m.created_at,
        },
        MessageKind::Survey => ChatServerFrame::Survey {
            seq: m.seq,
            id: m.id,
            text: m.body,
            at: m.created_at,
        },
        MessageKind::Close => ChatServerFrame::Close {
            seq: m.seq,
            id: m.id,
            text: m.body,
            at: m.created_at,
        },
    }
}
