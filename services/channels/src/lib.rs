//! Outbound delivery: e-mail over SMTP (lettre, rustls with ring) and SMS through a
//! Twilio-compatible Messages API. Used for one-time verification codes now (R11) and for the
//! citizen notifications and the e-mail channel as they land. Each sender is configured once in
//! the binary; an unconfigured method is simply absent, and callers say so to the user.

pub mod email;
pub mod mail;
pub mod outbound;
pub mod recording_fetch;
pub mod rustpbx;
pub mod rwi;
pub mod sms;
pub mod telegram;
pub mod twilio_calls;
pub mod twiml;
pub mod webhook;

pub use email::{Mailer, Threading};
pub use outbound::{Outgoing, Sender};
pub use recording_fetch::RecordingFetcher;
pub use sms::SmsGateway;
pub use telegram::{TelegramApi, TelegramSender};
pub use twilio_calls::TwilioCalls;
pub use webhook::WebhookSender;

/// Why a message did not go out.
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    #[error("configuration: {0}")]
    Config(String),
    #[error("the address {0:?} is not valid for this channel")]
    Address(String),
    /// The server or gateway could not be reached or timed out; retrying may help.
    #[error("delivery failed: {0}")]
    Transport(String),
    /// The server or gateway answered and refused the message.
    #[error("refused by the provider: {0}")]
    Rejected(String),
    /// The provider asks to wait this long before the next try (Telegram's 429 `retry_after`).
    #[error("the provider asks to retry after {} s", .0.as_secs())]
    RetryAfter(std::time::Duration),
    /// The recipient blocked the sender (Telegram's 403 for a bot the citizen blocked): never
    /// retried; the client's next channel is tried instead.
    #[error("the recipient blocked the sender: {0}")]
    Blocked(String),
}

pub type ChannelResult<T> = Result<T, ChannelError>;
