use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::enums::string_enum;
use crate::DomainError;

string_enum! {
    /// Where an appeal stands. R6 asks that the client be told of every change, so every change
    /// goes through [`AppealStatus::transition`] and becomes an event.
    AppealStatus, "appeal status" {
        /// Registered, nobody works on it yet.
        New = "new",
        /// An operator (or body officer) is working on it.
        InProgress = "in_progress",
        /// More information was asked of the client.
        AwaitingClient = "awaiting_client",
        /// Forwarded to the competent administrative body (clause 3.8, R30).
        Redirected = "redirected",
        /// The answer was given; the client may still come back within the same appeal.
        Answered = "answered",
        /// Finished. Terminal: a new contact after this opens a new appeal.
        Closed = "closed",
    }
}

/// A legal move of the lifecycle, with what it requires of the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub from: AppealStatus,
    pub to: AppealStatus,
    /// Answering or closing must record how the appeal was resolved.
    pub needs_resolution: bool,
}

impl AppealStatus {
    /// The explicit transition table. Anything not listed is illegal and is refused, never
    /// applied silently. Redirection has its own verb (it needs a target body), so a plain status
    /// change may not move to `redirected`.
    const TABLE: &'static [(AppealStatus, AppealStatus)] = {
        use AppealStatus::*;
        &[
            (New, InProgress),
            (New, AwaitingClient),
            (New, Answered),
            (New, Closed),
            (InProgress, AwaitingClient),
            (InProgress, Answered),
            (InProgress, Closed),
            (AwaitingClient, InProgress),
            (AwaitingClient, Answered),
            (AwaitingClient, Closed),
            (Redirected, InProgress),
            (Redirected, AwaitingClient),
            (Redirected, Answered),
            (Redirected, Closed),
            // Reopened: the client says the answer did not solve it.
            (Answered, InProgress),
            (Answered, Closed),
        ]
    };

    /// Validates a requested status change.
    pub fn transition(self, to: AppealStatus) -> Result<Transition, DomainError> {
        if Self::TABLE.contains(&(self, to)) {
            Ok(Transition {
                from: self,
                to,
                needs_resolution: matches!(to, AppealStatus::Answered | AppealStatus::Closed),
            })
        } else {
            Err(DomainError::IllegalTransition { from: self, to })
        }
    }

    /// Whether the appeal may be redirected from this status (clause 3.8).
    pub fn can_redirect(self) -> bool {
        matches!(
            self,
            AppealStatus::New
                | AppealStatus::InProgress
                | AppealStatus::AwaitingClient
                | AppealStatus::Redirected
        )
    }

    /// Open appeals count for repeat-contact detection and deadlines.
    pub fn is_open(self) -> bool {
        !matches!(self, AppealStatus::Answered | AppealStatus::Closed)
    }
}

/// Priority 1 (lowest) to 5 (highest); 3 is normal. Routing raises it for complaints and
/// vulnerable clients (R5.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Priority(u8);

impl Priority {
    pub const NORMAL: Priority = Priority(3);

    pub fn new(value: i64) -> Result<Self, DomainError> {
        if (1..=5).contains(&value) {
            Ok(Priority(value as u8))
        } else {
            Err(DomainError::InvalidField {
                field: "priority",
                reason: "must be between 1 and 5".into(),
            })
        }
    }

    pub fn get(self) -> i64 {
        i64::from(self.0)
    }
}

impl Default for Priority {
    fn default() -> Self {
        Priority::NORMAL
    }
}

impl TryFrom<i64> for Priority {
    type Error = DomainError;
    fn try_from(v: i64) -> Result<Self, Self::Error> {
        Priority::new(v)
    }
}

impl From<Priority> for i64 {
    fn from(p: Priority) -> i64 {
        p.get()
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The human appeal number the citizen is told (R6): year and a per-year counter, e.g.
/// `2026-000123`.
pub fn appeal_number(year: i32, counter: i64) -> String {
    format!("{year}-{counter:06}")
}

impl FromStr for Priority {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let v: i64 = s.parse().map_err(|_| DomainError::InvalidField {
            field: "priority",
            reason: "must be a number".into(),
        })?;
        Priority::new(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AppealStatus::*;

    #[test]
    fn legal_moves_are_allowed() {
        assert!(New.transition(InProgress).is_ok());
        assert!(InProgress
            .transition(Answered)
            .is_ok_and(|t| t.needs_resolution));
        assert!(Answered
            .transition(InProgress)
            .is_ok_and(|t| !t.needs_resolution));
        assert!(Redirected.transition(Answered).is_ok());
    }

    #[test]
    fn illegal_moves_are_errors() {
        assert_eq!(
            Closed.transition(InProgress),
            Err(DomainError::IllegalTransition {
                from: Closed,
                to: InProgress
            })
        );
        assert!(New.transition(New).is_err());
        // Redirection needs a body: only the redirect verb moves there.
        for from in AppealStatus::ALL {
            assert!(from.transition(Redirected).is_err());
        }
    }

    #[test]
    fn closed_is_terminal() {
        for to in AppealStatus::ALL {
            assert!(Closed.transition(*to).is_err());
        }
        assert!(!Closed.can_redirect());
        assert!(!Answered.can_redirect());
    }

    #[test]
    fn every_status_but_closed_has_a_way_out() {
        for from in AppealStatus::ALL {
            let exits = AppealStatus::ALL
                .iter()
                .filter(|to| from.transition(**to).is_ok())
                .count();
            assert_eq!(exits == 0, *from == Closed, "{from}");
        }
    }

    #[test]
    fn priority_bounds() {
        assert!(Priority::new(0).is_err());
        assert!(Priority::new(6).is_err());
        assert_eq!(Priority::new(5).map(Priority::get), Ok(5));
    }

    #[test]
    fn numbers() {
        assert_eq!(appeal_number(2026, 123), "2026-000123");
    }
}
