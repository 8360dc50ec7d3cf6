//! The contact centre's use cases, below every edge (DESIGN: `domain ← store, bus, channels ←
//! use cases ← api, workers`).
//!
//! Every channel comes in and goes out through here: the web chat's socket, the HTTP API staff
//! use, and the channel workers (mailbox pollers, bots, the PBX connection) are thin callers.
//! - [`Centre::receive`]: one inbound item from any channel → the client, the appeal, the
//!   contact queued where the routing table says, the citizen told their number and date (R5.4,
//!   R6.1); a replay changes nothing.
//! - [`Centre::reply`]: a staff reply, stored and delivered on the appeal's own channel.
//! - [`Centre::register`]: an appeal staff register from a call, a visit or a letter.
//! - the notices of [`notify`]: what the citizen is told at each step, on their channel and in
//!   their language (R6), written with the outbox delivery that carries it.
//!
//! The centre holds no HTTP types: what it refuses is a [`CentreError`], mapped once at each
//! edge.

mod body_delivery;
mod changes;
mod claims;
mod clients;
mod contacts;
mod deadlines;
mod error;
mod interruption;
pub mod knowledge;
mod knowledge_files;
mod live;
mod mail;
pub mod notify;
mod queue;
mod receive;
mod register;
mod reply;
mod telegram;
pub mod token;
mod verify;
mod voice;

use std::sync::Arc;

use baylanys_bus::Bus;
use baylanys_store::Store;
use tokio::sync::{watch, Notify};

pub use changes::Redirect;
pub use claims::{channel_address, Claims};
pub use deadlines::Rules;
pub use error::{CentreError, CentreResult};
pub use knowledge::{Found, Question};
pub use knowledge_files::Imported;
pub use live::QueueStatus;
pub use mail::{MailIn, MailLimits, MailReceipt};
pub use receive::{Inbound, Received, Thread};
pub use register::Registration;
pub use reply::{Replied, Reply};
pub use telegram::{TgHandled, TgSay};
pub use verify::{CodeAddress, VerificationTarget};
pub use voice::placing::Heard as HeardFrom;
pub use voice::recording::{RecordingFile, RecordingIn, MAX_RECORDING_BYTES};
pub use voice::{CallIn, VoiceSettings};

/// How the centre reaches a client off its own sockets: which outbound senders are configured.
/// A method that is not configured is never planned, so nothing waits in the outbox for a
/// sender that does not exist.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reach {
    pub email: bool,
    pub sms: bool,
    /// Telegram bots can carry notices to the chats of Telegram appeals.
    pub telegram: bool,
}

/// Who to wake when the centre changed something: the routing engine and the staff sockets
/// (queues and offers), and the outbox worker (a delivery was written).
#[derive(Debug, Clone)]
pub struct Wake {
    pub routing: Arc<Notify>,
    pub changes: Arc<watch::Sender<u64>>,
    pub outbox: Arc<Notify>,
}

impl Default for Wake {
    fn default() -> Self {
        Wake {
            routing: Arc::new(Notify::new()),
            changes: Arc::new(watch::Sender::new(0)),
            outbox: Arc::new(Notify::new()),
        }
    }
}

/// The settings the use cases need from the deployment.
#[derive(Debug, Clone)]
pub struct CentreSettings {
    /// Where citizens reach this centre from outside: survey links in notices.
    pub public_url: String,
    /// The right-hand side of the `Message-ID`s of mails we send (the sender's domain), so
    /// they are unique to this centre.
    pub mail_domain: String,
    /// The phone: the first language, the announcement interval (R12.2).
    pub voice: voice::VoiceSettings,
}

impl Default for CentreSettings {
    fn default() -> Self {
        CentreSettings {
            public_url: "http://127.0.0.1:8080".into(),
            mail_domain: "baylanys.localhost".into(),
            voice: voice::VoiceSettings::default(),
        }
    }
}

/// The centre's use cases over one store and one bus. Cheap to clone.
#[derive(Clone)]
pub struct Centre {
    store: Arc<dyn Store>,
    bus: Bus,
    reach: Reach,
    settings: Arc<CentreSettings>,
    wake: Wake,
    /// The calendar and deadline settings new appeals are dated by, read every few seconds.
    deadline_rules: deadlines::Cache,
    /// Places in line, shared by every channel that tells a waiting client (see `live`).
    queue_board: live::Board,
    /// One Telegram chat's updates at a time (see `telegram`).
    chat_locks: telegram::ChatLocks,
    /// Places calls through the PBX (callbacks, R13); absent when none is configured.
    dialler: Option<baylanys_channels::rwi::Dialler>,
    /// Redirects calls in progress at the TwiML provider (transfer, hold); absent when its
    /// account is not configured.
    twilio_calls: Option<baylanys_channels::TwilioCalls>,
}

impl std::fmt::Debug for Centre {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Centre")
            .field("backend", &self.store.backend())
            .field("reach", &self.reach)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Centre {
    pub fn new(store: Arc<dyn Store>, bus: Bus, wake: Wake) -> Self {
        Centre {
            store,
            bus,
            reach: Reach::default(),
            settings: Arc::new(CentreSettings::default()),
            wake,
            deadline_rules: deadlines::Cache::default(),
            queue_board: live::Board::default(),
            chat_locks: telegram::ChatLocks::default(),
            dialler: None,
            twilio_calls: None,
        }
    }

    /// Live fan-out through `bus` (the Redis bus when several nodes run).
    pub fn with_bus(mut self, bus: Bus) -> Self {
        self.bus = bus;
        self
    }

    pub fn with_reach(mut self, reach: Reach) -> Self {
        self.reach = reach;
        self
    }

    /// Places callbacks through the PBX's call control with `dialler`.
    pub fn with_dialler(mut self, dialler: baylanys_channels::rwi::Dialler) -> Self {
        self.dialler = Some(dialler);
        self
    }

    /// Redirects calls in progress at the TwiML provider with `calls`.
    pub fn with_twilio_calls(mut self, calls: baylanys_channels::TwilioCalls) -> Self {
        self.twilio_calls = Some(calls);
        self
    }

    pub fn with_settings(mut self, settings: CentreSettings) -> Self {
        self.settings = Arc::new(settings);
        self
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn bus(&self) -> &Bus {
        &self.bus
    }

    pub fn reach(&self) -> Reach {
        self.reach
    }

    /// Something routing decides on changed: wake the engine and the staff sockets.
    pub fn changed(&self) {
        self.wake.routing.notify_one();
        self.wake.changes.send_modify(|v| *v = v.wrapping_add(1));
    }

    /// A new entry of the conversation: its sockets read it from the store.
    fn published(&self, appeal_id: uuid::Uuid, seq: i64) {
        self.bus
            .publish(baylanys_bus::Signal::Message { appeal_id, seq });
    }
}
