//! Password hashing (argon2id) and bearer tokens. Tokens are random 256-bit values; only their
//! SHA-256 is stored, so the sessions table is useless to someone who copies it.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use rand::rngs::OsRng;
use rand::RngCore;

use crate::error::ApiError;

/// argon2id cost. The defaults follow OWASP's recommendation (19 MiB, 2 passes); tests lower them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashCost {
    pub memory_kib: u32,
    pub iterations: u32,
}

impl Default for HashCost {
    fn default() -> Self {
        HashCost {
            memory_kib: 19 * 1024,
            iterations: 2,
        }
    }
}

fn hasher(cost: HashCost) -> Result<Argon2<'static>, ApiError> {
    let params = Params::new(cost.memory_kib, cost.iterations, 1, None)
        .map_err(|e| ApiError::Internal(format!("argon2 params: {e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hashes on a blocking thread: argon2 is deliberately slow and would stall the runtime.
pub async fn hash_password(password: String, cost: HashCost) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher(cost)?
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| ApiError::Internal(format!("argon2 hash: {e}")))
    })
    .await
    .map_err(|e| ApiError::Internal(format!("hash task: {e}")))?
}

/// Verifies against the stored PHC string; its embedded parameters decide the cost, so hashes
/// made under an older cost setting keep working.
pub async fn verify_password(password: String, stored: String) -> Result<bool, ApiError> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| ApiError::Internal(format!("stored hash unreadable: {e}")))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(|e| ApiError::Internal(format!("verify task: {e}")))?
}

/// A hash to verify against when the login does not exist, so that a wrong login and a wrong
/// password take the same time and logins cannot be enumerated.
pub async fn dummy_hash(cost: HashCost) -> Result<String, ApiError> {
    hash_password("not a real password".into(), cost).await
}

pub use baylanys_centre::token::{hash_token, new_token};

/// A readable random password for the first admin when none was configured.
pub fn generate_password() -> String {
    let mut bytes = [0u8; 18];
    OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_and_verify() -> Result<(), ApiError> {
        let cost = HashCost {
            memory_kib: 1024,
            iterations: 1,
        };
        let h = hash_password("correct horse".into(), cost).await?;
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse".into(), h.clone()).await?);
        assert!(!verify_password("wrong".into(), h).await?);
        Ok(())
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = new_token();
        assert_ne!(a, new_token());
        assert_eq!(a.len(), 43);
        assert_eq!(hash_token(&a).len(), 64);
        assert_ne!(hash_token(&a), a);
    }
}
