//! IIN (individual identification number) and BIN (business identification number) of the
//! Republic of Kazakhstan. Both are 12 digits ending in a check digit computed the same way; the
//! first digits differ: an IIN starts with the date of birth and a century/sex digit, a BIN with
//! the year and month of registration and a legal-entity type digit.

use std::fmt;

use chrono::NaiveDate;
use serde::{Serialize, Serializer};

use crate::DomainError;

const FIRST_PASS: [u32; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const SECOND_PASS: [u32; 11] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

/// The official check digit: weights 1..11 over the first 11 digits, sum mod 11; when that is
/// 10, weights 3..11,1,2 and mod 11 again; when that is 10 too, no number with these 11 digits
/// is valid.
fn check_digit(digits: &[u32; 12]) -> Option<u32> {
    for weights in [FIRST_PASS, SECOND_PASS] {
        let sum: u32 = weights.iter().zip(digits).map(|(w, d)| w * d).sum();
        let rem = sum % 11;
        if rem != 10 {
            return Some(rem);
        }
    }
    None
}

fn digits(input: &str) -> Result<[u32; 12], &'static str> {
    if input.len() != 12 {
        return Err("must be exactly 12 digits");
    }
    let mut out = [0u32; 12];
    for (slot, ch) in out.iter_mut().zip(input.chars()) {
        *slot = ch.to_digit(10).ok_or("must contain digits only")?;
    }
    Ok(out)
}

fn verify_check_digit(d: &[u32; 12]) -> Result<(), &'static str> {
    match check_digit(d) {
        Some(c) if c == d[11] => Ok(()),
        Some(_) => Err("check digit does not match"),
        None => Err("no valid check digit exists for these digits"),
    }
}

/// A validated IIN. Personal data (R11): its `Debug` hides all but the last two digits so it
/// never reaches a log by accident.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Iin(String);

impl Iin {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let d = digits(input).map_err(DomainError::InvalidIin)?;
        let century = match d[6] {
            1 | 2 => 1800,
            3 | 4 => 1900,
            5 | 6 => 2000,
            _ => return Err(DomainError::InvalidIin("century/sex digit must be 1–6")),
        };
        let year = century + (d[0] * 10 + d[1]) as i32;
        let month = d[2] * 10 + d[3];
        let day = d[4] * 10 + d[5];
        if NaiveDate::from_ymd_opt(year, month, day).is_none() {
            return Err(DomainError::InvalidIin(
                "does not start with a valid date of birth",
            ));
        }
        verify_check_digit(&d).map_err(DomainError::InvalidIin)?;
        Ok(Iin(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The date of birth encoded in the first seven digits; used to verify a caller's identity
    /// (IIN plus date of birth, R11).
    pub fn birth_date(&self) -> Option<NaiveDate> {
        let d = digits(&self.0).ok()?;
        let century = match d[6] {
            1 | 2 => 1800,
            3 | 4 => 1900,
            _ => 2000,
        };
        NaiveDate::from_ymd_opt(
            century + (d[0] * 10 + d[1]) as i32,
            d[2] * 10 + d[3],
            d[4] * 10 + d[5],
        )
    }
}

impl fmt::Debug for Iin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Iin(**********{})", &self.0[10..])
    }
}

impl Serialize for Iin {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// A validated BIN of a legal entity (an administrative body or a company client).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bin(String);

impl Bin {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let d = digits(input).map_err(DomainError::InvalidBin)?;
        let month = d[2] * 10 + d[3];
        if !(1..=12).contains(&month) {
            return Err(DomainError::InvalidBin("digits 3–4 must be a month"));
        }
        if !(4..=6).contains(&d[4]) {
            return Err(DomainError::InvalidBin(
                "fifth digit must be a legal-entity type (4, 5 or 6)",
            ));
        }
        verify_check_digit(&d).map_err(DomainError::InvalidBin)?;
        Ok(Bin(input.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Serialize for Bin {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a valid IIN from its first 11 digits, or None when none exists.
    fn complete(prefix: &str) -> Option<String> {
        let mut d = [0u32; 12];
        for (slot, ch) in d.iter_mut().zip(prefix.chars()) {
            *slot = ch.to_digit(10)?;
        }
        check_digit(&d).map(|c| format!("{prefix}{c}"))
    }

    #[test]
    fn second_pass_case_from_design() {
        // Weights 1..11 give 87 mod 11 = 10, so the second pass decides: 112 mod 11 = 2.
        let iin = Iin::parse("061211600012");
        assert!(iin.is_ok(), "{iin:?}");
        assert_eq!(
            iin.ok().and_then(|i| i.birth_date()),
            NaiveDate::from_ymd_opt(2006, 12, 11)
        );
    }

    #[test]
    fn first_pass_valid() {
        // 900101300000 → 9+0+0+4+0+6+21+0+0+0+0 = 40 mod 11 = 7.
        assert!(Iin::parse("900101300007").is_ok());
        assert_eq!(complete("90010130000").as_deref(), Some("900101300007"));
    }

    #[test]
    fn wrong_check_digit() {
        assert_eq!(
            Iin::parse("900101300008"),
            Err(DomainError::InvalidIin("check digit does not match"))
        );
        assert!(Iin::parse("061211600013").is_err());
    }

    #[test]
    fn wrong_length_and_non_digits() {
        assert!(matches!(
            Iin::parse("90010130000"),
            Err(DomainError::InvalidIin(_))
        ));
        assert!(matches!(
            Iin::parse("9001013000071"),
            Err(DomainError::InvalidIin(_))
        ));
        assert!(matches!(
            Iin::parse("90010130000a"),
            Err(DomainError::InvalidIin(_))
        ));
        assert!(matches!(
            Iin::parse("９00101300007"),
            Err(DomainError::InvalidIin(_))
        ));
        assert!(matches!(Iin::parse(""), Err(DomainError::InvalidIin(_))));
    }

    #[test]
    fn impossible_date_or_century() {
        let feb30 = complete("90023030000").unwrap_or_default();
        assert!(Iin::parse(&feb30).is_err());
        let century7 = complete("90010170000").unwrap_or_default();
        assert!(Iin::parse(&century7).is_err());
    }

    #[test]
    fn no_valid_check_digit_exists() {
        // Search the serials of one birth date for a prefix whose both passes give 10.
        let found = (0..10000)
            .map(|n| format!("9001013{n:04}"))
            .find(|p| complete(p).is_none());
        let prefix = found.unwrap_or_default();
        assert!(!prefix.is_empty());
        for last in 0..10 {
            assert!(Iin::parse(&format!("{prefix}{last}")).is_err());
        }
    }

    #[test]
    fn debug_hides_the_number() {
        let iin = Iin::parse("061211600012").map(|i| format!("{i:?}"));
        assert_eq!(iin.as_deref(), Ok("Iin(**********12)"));
    }

    #[test]
    fn bin_rules() {
        let bin = complete("05014000000").unwrap_or_default();
        assert!(Bin::parse(&bin).is_ok(), "{bin}");
        let last = bin.chars().last().and_then(|c| c.to_digit(10)).unwrap_or(0);
        let wrong = format!("{}{}", &bin[..11], (last + 1) % 10);
        assert_eq!(
            Bin::parse(&wrong),
            Err(DomainError::InvalidBin("check digit does not match"))
        );
        let bad_type = complete("05011000000").unwrap_or_default();
        assert!(Bin::parse(&bad_type).is_err());
        assert!(Bin::parse("12345").is_err());
    }
}
