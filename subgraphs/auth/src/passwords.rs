//! Password hashing with argon2id, at OWASP parameters by default (m = 19 MiB,
//! t = 2, p = 1; configurable). Hashes are PHC strings that carry their own
//! parameters, so a hash made with older ones still verifies — and
//! [`Hasher::needs_rehash`] says when to replace it (at the next successful
//! sign-in, when the password is at hand).
//!
//! Hashing takes tens of milliseconds of CPU and 19 MiB of memory, so it runs
//! on the blocking pool behind a semaphore: a burst of logins queues here
//! instead of starving the async runtime or exhausting memory.

use std::sync::Arc;

use api_errors::ApiError;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::{OnceCell, Semaphore};

use crate::secrets::Password;

/// argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl Default for HashParams {
    fn default() -> Self {
        Self {
            m_kib: 19 * 1024,
            t: 2,
            p: 1,
        }
    }
}

impl HashParams {
    fn argon2(self) -> Result<Argon2<'static>, ApiError> {
        let params = Params::new(self.m_kib, self.t, self.p, None)
            .map_err(|err| ApiError::internal(format!("argon2 parameters: {err}")))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    params: HashParams,
    /// A real hash of a random password: unknown emails are verified against
    /// it so they cost the same time as known ones.
    dummy: Arc<OnceCell<String>>,
}

impl Hasher {
    pub fn new(concurrency: usize, params: HashParams) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            params,
            dummy: Arc::new(OnceCell::new()),
        }
    }

    pub fn params(&self) -> HashParams {
        self.params
    }

    /// Hashes a password into a PHC string, with the current parameters.
    pub async fn hash(&self, password: Password) -> Result<String, ApiError> {
        let argon2 = self.params.argon2()?;
        self.blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon2
                .hash_password(password.expose().as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|err| ApiError::internal(err.to_string()))
        })
        .await
    }

    /// Checks a password against a stored PHC string (with the parameters
    /// it was made with); `None` (no such account, or no password) checks
    /// against a dummy hash and fails.
    pub async fn verify(&self, password: Password, phc: Option<String>) -> Result<bool, ApiError> {
        let (phc, real) = match phc {
            Some(phc) => (phc, true),
            None => (self.dummy_hash().await?, false),
        };
        let matches = self
            .blocking(move || {
                let parsed =
                    PasswordHash::new(&phc).map_err(|err| ApiError::internal(err.to_string()))?;
                Ok(Argon2::default()
                    .verify_password(password.expose().as_bytes(), &parsed)
                    .is_ok())
            })
            .await?;
        Ok(real && matches)
    }

    /// Whether a stored hash was made otherwise than [`hash`](Self::hash)
    /// would make it now (another algorithm, version or cost).
    pub fn needs_rehash(&self, phc: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(phc) else {
            return true;
        };
        let current = Params::try_from(&parsed).ok().map(|params| HashParams {
            m_kib: params.m_cost(),
            t: params.t_cost(),
            p: params.p_cost(),
        });
        parsed.algorithm != Algorithm::Argon2id.ident()
            || parsed.version != Some(Version::V0x13.into())
            || current != Some(self.params)
    }

    async fn dummy_hash(&self) -> Result<String, ApiError> {
        self.dummy
            .get_or_try_init(|| async {
                let random: [u8; 16] = rand::random();
                self.hash(Password::new(format!("{random:x?}"))).await
            })
            .await
            .cloned()
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
    ) -> Result<T, ApiError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|err| ApiError::internal(err.to_string()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|err| ApiError::internal(err.to_string()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pw(s: &str) -> Password {
        Password::new(s)
    }

    #[tokio::test]
    async fn hash_then_verify() {
        let hasher = Hasher::new(2, HashParams::default());
        let phc = hasher.hash(pw("correct horse")).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(
            hasher
                .verify(pw("correct horse"), Some(phc.clone()))
                .await
                .unwrap()
        );
        assert!(!hasher.verify(pw("wrong horse"), Some(phc)).await.unwrap());
        assert!(!hasher.verify(pw("anything"), None).await.unwrap());
    }

    #[tokio::test]
    async fn older_parameters_verify_and_ask_for_a_rehash() {
        let old = Hasher::new(
            1,
            HashParams {
                m_kib: 8 * 1024,
                t: 1,
                p: 1,
            },
        );
        let current = Hasher::new(1, HashParams::default());
        let phc = old.hash(pw("correct horse")).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=8192,t=1,p=1$"), "{phc}");
        assert!(
            current
                .verify(pw("correct horse"), Some(phc.clone()))
                .await
                .unwrap()
        );
        assert!(current.needs_rehash(&phc));
        assert!(!old.needs_rehash(&phc));
        let fresh = current.hash(pw("correct horse")).await.unwrap();
        assert!(!current.needs_rehash(&fresh));
        // Other algorithms and junk are replaced too.
        let argon2i =
            "$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$iWh06vD8Fy27wf9npn6FXWiCX4K6pW6Ue1Bnzz07Z8A";
        assert!(current.needs_rehash(argon2i));
        assert!(current.needs_rehash("not a phc string"));
    }
}
