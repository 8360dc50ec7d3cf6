//! One call's course and the words between the centre and a voice adapter.
//!
//! A call only moves forward — menu, queue, connecting to the operator who accepted it, talking,
//! ended — so an event that arrives late or twice (a provider's retry, a status callback racing
//! a wait tick) never moves it back ([`CallPhase::can_become`]).

use serde::{Deserialize, Serialize};

use crate::Language;

/// Where a call stands, in the only order it can go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallPhase {
    /// In the voice menu or self-service.
    Menu,
    /// Waiting in the centre's queue (not the PBX's) for an operator.
    Queued,
    /// An operator accepted it in the console; the PBX is ringing their phone.
    Connecting,
    /// Caller and operator are talking.
    Talking,
    Ended,
}

impl CallPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            CallPhase::Menu => "menu",
            CallPhase::Queued => "queued",
            CallPhase::Connecting => "connecting",
            CallPhase::Talking => "talking",
            CallPhase::Ended => "ended",
        }
    }

    pub fn parse(s: &str) -> Option<CallPhase> {
        Some(match s {
            "menu" => CallPhase::Menu,
            "queued" => CallPhase::Queued,
            "connecting" => CallPhase::Connecting,
            "talking" => CallPhase::Talking,
            "ended" => CallPhase::Ended,
            _ => return None,
        })
    }

    /// Forward only (or staying put).
    pub fn can_become(self, next: CallPhase) -> bool {
        next >= self
    }
}

/// What an adapter heard, in provider-neutral terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallEvent {
    /// A new inbound call; `from` is the number the network gives (evidence, not a claim).
    Arrived {
        from: Option<String>,
        to: Option<String>,
    },
    /// Keys pressed in answer to the last collection.
    Digits(String),
    /// The collection timed out with nothing pressed.
    NoInput,
    /// The caller is still waiting in the queue: time for an announcement or a check whether an
    /// operator took the call.
    WaitTick,
    /// The caller left the provider's holding area (to be bridged or to leave a callback).
    Dequeued,
    /// The operator's phone answered.
    Bridged,
    /// The operator's leg ended, or never answered.
    BridgeEnded { answered: bool },
    /// The centre had the provider take the caller from the operator's phone (a transfer, a
    /// hold): the caller goes where their contact is now.
    Released,
    /// The call is over, whoever hung up.
    HungUp,
}

impl CallEvent {
    /// A short name for logs and metrics (bounded: one per variant).
    pub fn name(&self) -> &'static str {
        match self {
            CallEvent::Arrived { .. } => "arrived",
            CallEvent::Digits(_) => "digits",
            CallEvent::NoInput => "no_input",
            CallEvent::WaitTick => "wait_tick",
            CallEvent::Dequeued => "dequeued",
            CallEvent::Bridged => "bridged",
            CallEvent::BridgeEnded { .. } => "bridge_ended",
            CallEvent::Released => "released",
            CallEvent::HungUp => "hung_up",
        }
    }
}

/// What the adapter is to do, in order. Adapters render these in their own terms (TwiML verbs,
/// RWI commands); one the adapter cannot do is a bug in the adapter, not a silent skip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum VoiceAction {
    /// Text for the speech synthesiser.
    Say {
        text: String,
        language: Language,
    },
    /// A recorded file.
    Play {
        url: String,
    },
    /// Say/play the prompts while listening for keys; the next event is `Digits` or `NoInput`.
    Gather {
        prompts: Vec<VoiceAction>,
        max_digits: u32,
        timeout_secs: u32,
        /// The call's collection number: the answer's event id, so a provider's retry of the
        /// answer is recognised.
        step: i64,
    },
    /// Hold the caller (the centre's router decides who answers); `WaitTick`s follow.
    Enqueue,
    /// Silence, in the holding area, before the next tick.
    Pause {
        secs: u32,
    },
    /// Out of the holding area (the provider's queue), before a bridge or a goodbye.
    Leave,
    /// Ring the operator's phone and connect the caller: a SIP URI or a number. `record`: the
    /// conversation is recorded (its queue records calls and the caller was told).
    Bridge {
        to: String,
        #[serde(default)]
        record: bool,
    },
    Hangup,
}

/// An operator's phone as a bridge can reach it: `sip:<user>@<host>[:<port>]` (an extension of
/// the PBX) or a number `+<10–15 digits>`.
pub fn extension(v: &str) -> Result<String, crate::DomainError> {
    let v = v.trim();
    let sip = v
        .strip_prefix("sip:")
        .and_then(|rest| rest.split_once('@'))
        .is_some_and(|(user, host)| {
            !user.is_empty()
                && !host.is_empty()
                && v.len() <= 200
                && user
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-+".contains(&b))
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        });
    let number = v
        .strip_prefix('+')
        .is_some_and(|d| (10..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()));
    if sip || number {
        Ok(v.to_owned())
    } else {
        Err(crate::DomainError::InvalidField {
            field: "extension",
            reason: "sip:<user>@<host> or +<10 to 15 digits>".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_never_moves_back() {
        assert!(CallPhase::Menu.can_become(CallPhase::Queued));
        assert!(CallPhase::Queued.can_become(CallPhase::Queued));
        assert!(!CallPhase::Ended.can_become(CallPhase::Queued));
        assert!(!CallPhase::Talking.can_become(CallPhase::Connecting));
        for p in [
            CallPhase::Menu,
            CallPhase::Queued,
            CallPhase::Connecting,
            CallPhase::Talking,
            CallPhase::Ended,
        ] {
            assert_eq!(CallPhase::parse(p.as_str()), Some(p));
        }
    }

    #[test]
    fn extensions_are_sip_uris_or_numbers() {
        assert!(extension("sip:101@127.0.0.1:5060").is_ok());
        assert!(extension("+77011234567").is_ok());
        assert!(extension("101").is_err());
        assert!(extension("sip:@pbx").is_err());
        assert!(extension("sip:1 01@pbx").is_err());
        assert!(extension("<sip:101@pbx>").is_err());
    }
}
