//! WebSocket protocol of the staff socket `/ws/operator`, version 1. Frames are JSON objects
//! tagged by `type`. The citizen socket `/ws/chat` comes with web chat.
//!
//! 1. The client opens the socket and sends `hello` with its bearer token within 10 s.
//! 2. The server answers `welcome`, then pushes state as it changes: `offers` (the contacts
//!    offered to this staff member, the whole list each time) and, for supervisors and admins,
//!    `live` (the live view of queues and operators, R16). Pushes follow changes at once and are
//!    refreshed at least every 2 s.
//! 3. `ping` → `pong` keeps intermediaries from closing an idle socket.
//!
//! Errors: a frame that is not JSON, has an unknown `type` or lacks fields gets an `error` frame
//! and the socket stays open. A missing, wrong or expired token gets an `error` frame and close
//! code 4401; a frame over 64 KiB closes with 1009; a server shutting down closes with 1001 and
//! the client reconnects (to another node behind the balancer).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{InteractionView, LiveView, Role};

pub const OPERATOR_PROTOCOL_VERSION: u32 = 1;

/// Close code for a refused or expired token.
pub const CLOSE_UNAUTHORIZED: u16 = 4401;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum OperatorClientFrame {
    Hello { v: u32, token: String },
    Ping,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OperatorServerFrame {
    Welcome {
        v: u32,
        staff_id: Uuid,
        role: Role,
    },
    /// The contacts currently offered to you, oldest first; accept or decline over HTTP.
    Offers {
        items: Vec<InteractionView>,
    },
    /// Supervisors and admins only.
    Live {
        view: Box<LiveView>,
    },
    Pong,
    Error {
        code: String,
        message: String,
    },
}
