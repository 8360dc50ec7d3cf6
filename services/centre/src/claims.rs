//! What a person says about themselves on a channel — a name, a phone, an e-mail, an IIN. A
//! claim is not an identity (R11, DESIGN principle 11): it fills the record the operator then
//! verifies, and is checked before anything is stored.

use baylanys_domain::{BoundedText, DomainError, Iin};

/// The identifiers a visitor claims, as typed.
#[derive(Debug, Clone, Default)]
pub struct Claims {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub iin: Option<String>,
}

/// Claims that passed their checks, normalised.
#[derive(Debug, Clone, Default)]
pub(crate) struct Checked {
    pub name: Option<String>,
    /// Digits with an optional leading `+`.
    pub phone: Option<String>,
    /// Lower-cased.
    pub email: Option<String>,
    pub iin: Option<Iin>,
}

fn invalid(field: &'static str, reason: &str) -> DomainError {
    DomainError::InvalidField {
        field,
        reason: reason.into(),
    }
}

impl Claims {
    /// Refuses bad claims, e.g. before a channel resumes a conversation it would not store them
    /// in: the visitor must not believe they were taken.
    pub fn validate(&self) -> Result<(), DomainError> {
        self.clone().check().map(|_| ())
    }

    /// Refuses bad input before anything is stored.
    pub(crate) fn check(self) -> Result<Checked, DomainError> {
        let name = BoundedText::optional("name", self.name, 200)?;
        let phone = BoundedText::optional("phone", self.phone, 32)?
            .map(|p| normalise_phone(&p).ok_or_else(|| invalid("phone", PHONE_RULE)))
            .transpose()?;
        let email = BoundedText::optional("email", self.email, 320)?
            .map(|e| normalise_email(&e).ok_or_else(|| invalid("email", "not an e-mail address")))
            .transpose()?;
        let iin = BoundedText::optional("iin", self.iin, 12)?
            .map(|i| Iin::parse(&i))
            .transpose()?;
        Ok(Checked {
            name,
            phone,
            email,
            iin,
        })
    }
}

const PHONE_RULE: &str = "10–15 digits, optionally starting with +";

/// A client's address on a channel as it is stored and compared: identities match exactly, so
/// what differs only in spelling is normalised — an e-mail lower-cased, a phone without spaces,
/// dashes and brackets. Every channel and the staff API go through here.
pub fn channel_address(
    channel: baylanys_domain::Channel,
    address: &str,
) -> Result<String, DomainError> {
    let address = BoundedText::new("address", address, 320)?.into_inner();
    Ok(match channel {
        baylanys_domain::Channel::Email => address.to_lowercase(),
        baylanys_domain::Channel::Voice => address
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '(' | ')'))
            .collect(),
        _ => address,
    })
}

/// A phone number as digits with an optional leading `+`; spaces, dashes and brackets dropped.
pub fn normalise_phone(p: &str) -> Option<String> {
    let digits: String = p
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '(' | ')'))
        .collect();
    let body = digits.strip_prefix('+').unwrap_or(&digits);
    ((10..=15).contains(&body.len()) && body.chars().all(|c| c.is_ascii_digit())).then_some(digits)
}

/// An e-mail address lower-cased, with a local part and a dotted domain.
pub fn normalise_email(e: &str) -> Option<String> {
    let e = e.trim().to_lowercase();
    match e.split_once('@') {
        Some((user, host))
            if !user.is_empty() && host.contains('.') && !e.contains(char::is_whitespace) =>
        {
            Some(e)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_and_addresses_are_normalised_or_refused() {
        assert_eq!(
            normalise_phone("+7 (701) 123-45-67").as_deref(),
            Some("+77011234567")
        );
        assert_eq!(normalise_phone("12"), None);
        assert_eq!(normalise_phone("+7701abc4567"), None);
        assert_eq!(
            normalise_email(" Aizhan@Example.KZ ").as_deref(),
            Some("aizhan@example.kz")
        );
        assert_eq!(normalise_email("aizhan@localhost"), None);
        assert_eq!(normalise_email("@example.kz"), None);
    }

    #[test]
    fn a_bad_iin_is_refused_before_anything_is_stored() {
        let claims = Claims {
            iin: Some("900101300008".into()),
            ..Claims::default()
        };
        assert!(claims.check().is_err());
    }
}
