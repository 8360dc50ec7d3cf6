//! Background work, each a [`Worker`] run in steps by one [`Supervisor`] that reports their
//! health and stops them between steps: the routing engine, which turns queued contacts into
//! offers to operators (R18), expires unanswered offers and applies overflow steps; the
//! deadline watch, which records reminders and overdue escalations of appeals (АППК art. 76);
//! the outbox worker, which delivers notices to clients and appeals to bodies with retries
//! (R6, R30); the KPI keeper, which keeps each day's KPI totals (R35, R36); and the mailbox
//! keeper, which runs one IMAP poller per mailbox under its lease (R5.3).

mod bots;
mod deadlines;
mod kpi;
mod lease;
mod mailbox;
mod mailboxes;
mod outbox;
mod placed_calls;
mod recordings;
mod routing;
mod supervisor;
mod telegram_queue;
mod wrap_up;

pub use bots::{BotKeeper, BotSettings};
pub use deadlines::DeadlineWatch;
pub use kpi::KpiKeeper;
pub use lease::Leased;
pub use mailbox::{MailSettings, MailboxPoller};
pub use mailboxes::MailboxKeeper;
pub use outbox::{OutboxReport, OutboxSettings, OutboxWorker};
pub use placed_calls::{spawn_placed_calls, PbxSocket, PlacedCalls};
pub use recordings::{RecordingKeeper, RecordingPass, FETCH_ATTEMPTS};
pub use routing::{PassReport, RoutingEngine};
pub use supervisor::{
    HealthBoard, Next, Spawner, StepError, Supervisor, SupervisorSettings, Worker, WorkerExists,
};
pub use telegram_queue::TelegramQueueStatus;
pub use wrap_up::{limit as wrap_up_limit, WrapUpLimit};
