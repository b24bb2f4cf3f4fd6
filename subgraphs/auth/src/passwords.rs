//! Password hashing with argon2id, at OWASP parameters by default (m = 19 MiB,
//! t = 2, p = 1; configurable). Hashes are PHC strings that carry their own
//! parameters, so a hash made with older ones still verifies — and
//! [`Hasher::needs_rehash`] says when to replace it (at the next successful
//! sign-in, when the password is at hand).
//!
//! Hashing takes tens of milliseconds of CPU and 19 MiB of memory, so it runs
//! on a few threads of its own (`HASH_CONCURRENCY`), at a lower CPU priority
//! than the rest of the process: a burst of logins queues here instead of
//! exhausting memory, and while hashes are computed the threads that answer
//! requests (token checks, queries) still get the CPU first. Measured by
//! `cargo xtask bench token` (a cheap query's p99 under 50 logins/s): on the
//! blocking pool at normal priority it was 4–10× its idle p99.

use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};

use api_errors::ApiError;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::{OnceCell, oneshot};

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
    pool: Pool,
    params: HashParams,
    /// A real hash of a random password: unknown emails are verified against
    /// it so they cost the same time as known ones.
    dummy: Arc<OnceCell<String>>,
}

impl Hasher {
    pub fn new(concurrency: usize, params: HashParams) -> Self {
        Self {
            pool: Pool::new(concurrency.max(1)),
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
        let (tx, rx) = oneshot::channel();
        self.pool.run(Box::new(move || {
            // The caller may have gone (request cancelled): nothing to do.
            let _ = tx.send(work());
        }))?;
        rx.await
            .map_err(|_| ApiError::internal("password hashing thread ended"))?
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// Nice value of the hashing threads (0 is normal, 19 the lowest): high
/// enough that the scheduler prefers request threads, low enough that
/// hashes still finish promptly on a busy machine.
const HASHING_NICE: i32 = 10;

/// Threads that only hash, fed by one queue. They end when the last
/// [`Hasher`] clone is dropped (the queue's sender with it).
#[derive(Clone)]
struct Pool {
    jobs: mpsc::Sender<Job>,
}

impl Pool {
    fn new(threads: usize) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads {
            let queue = Arc::clone(&queue);
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    lower_priority();
                    loop {
                        // Only the wait for a job holds the lock.
                        let job = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
                        match job {
                            Ok(job) => job(),
                            Err(mpsc::RecvError) => return,
                        }
                    }
                });
            if let Err(err) = spawned {
                // Fewer threads than asked still hash; none at all fails
                // each hash with INTERNAL (the queue's receiver is gone).
                tracing::error!(%err, "could not start a password hashing thread");
            }
        }
        Self { jobs }
    }

    fn run(&self, job: Job) -> Result<(), ApiError> {
        self.jobs
            .send(job)
            .map_err(|_| ApiError::internal("no password hashing thread"))
    }
}

/// Lowers the calling thread's CPU priority (on Linux a nice value is per
/// thread). Best effort: a refusal leaves the thread at normal priority.
#[allow(unsafe_code)] // one libc call; std has no API for thread priority
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: setpriority reads only its integer arguments; `who` 0 is
        // the calling thread.
        let rc = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, HASHING_NICE) };
        if rc != 0 {
            tracing::debug!(
                err = %std::io::Error::last_os_error(),
                "could not lower the priority of a password hashing thread"
            );
        }
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
