#[cfg(test)]
use crate::DomainError;

/// Declares a closed set of values stored as text and sent as snake_case strings on the wire.
/// Parsing an unknown value is a [`DomainError::UnknownValue`], never a silent default.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident, $kind:literal { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::DomainError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err($crate::DomainError::UnknownValue { kind: $kind, value: other.to_owned() }),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use string_enum;

string_enum! {
    /// A communication channel (clause 3, "байланыс арнасы"). Every contact of every channel lands
    /// in the same store (R5.3).
    Channel, "channel" {
        WebChat = "web_chat",
        Email = "email",
        Telegram = "telegram",
        Voice = "voice",
        /// Registered by staff from a visit or a paper letter.
        InPerson = "in_person",
    }
}

string_enum! {
    /// The language of an appeal; answers and notifications use it (R5.6, Law on Languages art. 11).
    Language, "language" {
        Kk = "kk",
        Ru = "ru",
        En = "en",
    }
}

string_enum! {
    /// Staff roles. Access to client data is restricted by role and, for body officers, by body
    /// (R11, R33).
    Role, "role" {
        Admin = "admin",
        Supervisor = "supervisor",
        Operator = "operator",
        BodyOfficer = "body_officer",
        /// Keeps the knowledge base (R5.5, R22): writes, reviews and publishes articles; sees
        /// no client's data and no appeal.
        Editor = "editor",
    }
}

string_enum! {
    /// The kind of an appeal (clause 3: өтініш covers requests, applications and complaints).
    AppealKind, "appeal kind" {
        Request = "request",
        Application = "application",
        Complaint = "complaint",
        Proposal = "proposal",
    }
}

string_enum! {
    /// Who wrote a message.
    Author, "author" {
        Client = "client",
        Operator = "operator",
        System = "system",
        Bot = "bot",
    }
}

string_enum! {
    /// What a conversation entry is. Besides text, the conversation carries the events the client
    /// is told of (an operator joined, a transfer, the close), so a widget that resumes by `seq`
    /// replays them in order with the messages and never misses one.
    MessageKind, "message kind" {
        Text = "text",
        /// A system notice (out of hours, R12.3).
        Notice = "notice",
        /// An operator took the conversation.
        Assignment = "assignment",
        /// The conversation moved to another operator or queue (R18).
        Transfer = "transfer",
        /// The conversation ended.
        Close = "close",
        /// The client is asked to rate the service 1–5 (R5.7).
        Survey = "survey",
    }
}

string_enum! {
    /// Whether a contact came from the client or went to them (R5.4 registers both).
    Direction, "direction" {
        Inbound = "inbound",
        Outbound = "outbound",
    }
}

string_enum! {
    /// Where one contact on one channel stands: its phase. The instants of these phases feed the
    /// KPIs of Appendix 1 — the wait after the voice menu runs from entering the queue to the
    /// answer, a lost call left the queue unanswered, handling time runs from the answer to the
    /// end of the after-contact work. (An offer to one operator is a queued contact with
    /// `offered_to` set.)
    InteractionState, "interaction state" {
        /// In the voice menu or self-service, not yet waiting for an operator.
        Menu = "menu",
        Queued = "queued",
        Answered = "answered",
        /// The client is gone (the call hung up); the operator finishes the after-contact work.
        WrapUp = "wrap_up",
        Ended = "ended",
        /// Left the queue before an operator answered.
        Abandoned = "abandoned",
    }
}

string_enum! {
    /// How an administrative body receives redirected appeals.
    DeliveryMethod, "delivery method" {
        Portal = "portal",
        Email = "email",
        Webhook = "webhook",
    }
}

string_enum! {
    /// How one outbox delivery goes out (a body's portal needs none: its officers read it there).
    DeliveryVia, "delivery channel" {
        Email = "email",
        Sms = "sms",
        /// An HTTPS POST signed with the body's secret.
        Webhook = "webhook",
        /// A message in the citizen's chat with one of the centre's Telegram bots; the address
        /// is `<bot id>:<chat id>`.
        Telegram = "telegram",
    }
}

string_enum! {
    /// Where a one-time verification code was sent (R11): to the e-mail or the phone on file.
    CodeVia, "code channel" {
        Email = "email",
        Sms = "sms",
    }
}

string_enum! {
    /// Where one outbox delivery stands (R6: the notification's delivery state).
    DeliveryState, "delivery state" {
        /// Waiting for its first or next attempt.
        Pending = "pending",
        Sent = "sent",
        /// Gave up after its attempts; a fallback channel, if any, was tried next.
        Failed = "failed",
    }
}

string_enum! {
    /// Who an outbox delivery is for.
    Recipient, "recipient" {
        Client = "client",
        Body = "body",
    }
}

string_enum! {
    /// Where a redirection stands at the receiving body (clause 3.8: status tracking).
    RedirectionState, "redirection state" {
        Sent = "sent",
        Accepted = "accepted",
        /// Not the body's competence: back to the centre with the body's reason.
        Returned = "returned",
        /// Sent on to another body (by the centre, or by the body itself to the competent one).
        Forwarded = "forwarded",
    }
}

string_enum! {
    /// What a complaint is about (R9.1: categorised registration; R10: analysed by category).
    ComplaintCategory, "complaint category" {
        /// Rudeness, incorrect conduct of an operator.
        OperatorConduct = "operator_conduct",
        /// Wrong or incomplete information given.
        WrongInformation = "wrong_information",
        /// Waited too long, could not get through.
        Waiting = "waiting",
        /// The question was not resolved, or the deadline was missed.
        NotResolved = "not_resolved",
        /// Personal data handled wrongly.
        DataProtection = "data_protection",
        /// The service in a language the client did not ask for (Law on Languages).
        Language = "language",
        Other = "other",
    }
}

impl Author {
    /// Messages written by the client come in; everything else goes out to the client.
    pub fn direction(self) -> Direction {
        match self {
            Author::Client => Direction::Inbound,
            _ => Direction::Outbound,
        }
    }
}

impl InteractionState {
    /// A contact moves forward only: menu → queued → answered → wrap-up → ended; out of the
    /// menu it may also end (self-service answered it, or the caller hung up there — not a lost
    /// call), out of the queue be abandoned (a lost call) or ended (its appeal closed).
    pub fn can_move_to(self, next: InteractionState) -> bool {
        use InteractionState::*;
        matches!(
            (self, next),
            (Menu, Queued)
                | (Menu, Ended)
                | (Queued, Answered)
                | (Queued, Abandoned)
                | (Queued, Ended)
                | (Answered, WrapUp)
                | (Answered, Ended)
                | (WrapUp, Ended)
        )
    }

    /// The operator is still busy with it: it takes a place of their capacity.
    pub fn holds_operator(self) -> bool {
        matches!(self, InteractionState::Answered | InteractionState::WrapUp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trips_every_value() {
        for c in Channel::ALL {
            assert_eq!(c.as_str().parse::<Channel>(), Ok(*c));
        }
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(*r));
        }
        assert_eq!(
            "xx".parse::<Language>(),
            Err(DomainError::UnknownValue {
                kind: "language",
                value: "xx".into()
            })
        );
    }

    #[test]
    fn serde_uses_the_stored_text() {
        assert_eq!(
            serde_json::to_string(&Channel::WebChat).unwrap_or_default(),
            "\"web_chat\""
        );
    }

    #[test]
    fn interactions_only_move_forward() {
        use InteractionState::*;
        assert!(Queued.can_move_to(Answered));
        assert!(Answered.can_move_to(Ended));
        assert!(!Ended.can_move_to(Answered));
        assert!(!Abandoned.can_move_to(Answered));
        assert!(!Answered.can_move_to(Abandoned));
        assert!(Menu.can_move_to(Queued) && Answered.can_move_to(WrapUp));
        assert!(WrapUp.can_move_to(Ended) && !WrapUp.can_move_to(Answered));
        assert!(
            !Menu.can_move_to(Abandoned),
            "hanging up in the menu is not a lost call"
        );
    }
}
