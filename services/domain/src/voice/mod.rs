//! The phone, as data and rules with no IO (clause 3.15, R12): the voice menu an administrator
//! edits ([`menu`]), what a call is doing and what the PBX or provider is told to do next
//! ([`call`]), and the sentences the centre says itself — the operator hint, the place in the
//! queue, that waiting is free, the callback offer ([`phrases`]).
//!
//! Every adapter (RustPBX's RWI, TwiML webhooks, an Asterisk ARI module later) turns its wire
//! events into [`call::CallEvent`]s and renders [`call::VoiceAction`]s back; the rules live here
//! and in the centre's voice use case, never in an adapter.

pub mod call;
pub mod interruption;
pub mod menu;
pub mod outbound;
pub mod phrases;

pub use call::{CallEvent, CallPhase, VoiceAction};
pub use interruption::ServiceNotice;
pub use menu::{Choice, IvrMenu, MenuAction, MenuOption, Prompt, MAIN_MENU, OPERATOR_DIGIT};
