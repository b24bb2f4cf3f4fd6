//! Two-factor sign-in with TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30 s
//! steps, one step of skew either way), by the `totp-rs` crate.
//!
//! - Enrollment: [`start_totp_enrollment`](AuthService::start_totp_enrollment)
//!   hands out a new 160-bit secret (and its `otpauth://` URI) kept as a
//!   pending credential; [`confirm_totp_enrollment`](AuthService::confirm_totp_enrollment)
//!   turns it on with a first code and returns ten single-use recovery
//!   codes (80 bits each, only their SHA-256 kept).
//! - Sign-in: a right password (or provider sign-in) of an account with
//!   TOTP opens no session but a *challenge* ([`MFA_REQUIRED`](ErrorCode::MfaRequired)
//!   with `challengeId`): 256 random bits, SHA-256 kept, five minutes,
//!   single use, dead after [`MAX_CHALLENGE_FAILURES`] wrong codes, bound
//!   to the account and to the client (address and user agent) that signed
//!   in. [`complete_login`](AuthService::complete_login) trades it and a
//!   code (TOTP or recovery) for the session.
//! - Each TOTP code works once: the step of the last code accepted is kept
//!   and codes of that step or earlier are refused, under the account's row
//!   lock (every code check locks it first).
//! - Throttling: each code given counts as a sign-in attempt
//!   (`login:ip:…`, `login:account:…` or `login:device:…`), and wrong codes
//!   count in `mfa:account:<id>` (`mfa:device:…` for a sign-in from a known
//!   device), which is looked at before any code is checked.
//! - A session remembers when it last passed a second factor (`mfa_at`):
//!   a sign-in with one, turning TOTP on, or a code given to a sensitive
//!   change. Refresh keeps it. `changePassword`, `unlinkIdentity` (and
//!   `disableTotp`, which takes a code itself) of an account with TOTP need
//!   one within [`RECENT_SECOND_FACTOR`].

use api_errors::{ApiError, ApiResult, ErrorCode};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use diesel_async::AsyncConnection as _;
use rand::RngCore as _;
use sha2::{Digest as _, Sha256};
use totp_rs::{Algorithm, Builder, Secret, Totp};
use uuid::Uuid;

use super::security::{EventKind, record, record_via};
use super::{
    AuthService, ClientInfo, DEVICE_TOKEN_TTL, IssuedTokens, hash_token, is_token_shaped,
    new_token, remember_device,
};
use crate::db::mfa_challenges::{self as challenges, NewChallenge};
use crate::db::totp::{self as db, Credential};
use crate::db::{Conn, accounts, device_tokens, sessions};
use crate::secrets::{DeviceToken, RecoveryCode, SecondFactorCode, TotpSecret};

/// Seconds per time step.
pub const STEP_SECS: u64 = 30;
/// Digits of a code.
pub const DIGITS: u8 = 6;
/// Steps accepted before and after the current one.
pub const SKEW: u64 = 1;
/// 160 bits, as RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;
/// How long a sign-in waits for its second factor.
pub const CHALLENGE_TTL: TimeDelta = TimeDelta::minutes(5);
/// Wrong codes after which a challenge is dead.
pub const MAX_CHALLENGE_FAILURES: i32 = 5;
/// How recent a session's second factor must be for a sensitive change.
pub const RECENT_SECOND_FACTOR: TimeDelta = TimeDelta::minutes(10);
/// How recently a session must have signed in to start an enrollment.
pub const ENROLL_WITHIN: TimeDelta = TimeDelta::minutes(10);
/// Recovery codes made when TOTP is turned on.
pub const RECOVERY_CODES: usize = 10;
/// Characters of a recovery code (5 bits each: 80 bits).
const RECOVERY_CODE_CHARS: usize = 16;
/// Crockford's base32: no I, L, O or U to misread.
const RECOVERY_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// What `startTotpEnrollment` hands out.
#[derive(Debug, Clone)]
pub struct Enrollment {
    /// The secret in base32 (RFC 4648, no padding), to type into an app.
    pub secret: TotpSecret,
    /// `otpauth://totp/<issuer>:<email>?secret=…&issuer=…`, for a QR code.
    pub uri: TotpSecret,
}

/// A sign-in waiting for its second factor.
#[derive(Debug, Clone)]
pub struct Challenge {
    pub id: String,
    pub expires_at: DateTime<Utc>,
}

/// The answer to a right password (or provider sign-in) of an account
/// with TOTP: `MFA_REQUIRED` with the challenge to complete.
pub fn mfa_required(challenge: &Challenge) -> ApiError {
    ApiError::new(
        ErrorCode::MfaRequired,
        "this account asks for a second factor: send the code of your authenticator app (or a recovery code) with extensions.challengeId to completeLogin",
    )
    .with_extension("challengeId", serde_json::Value::from(challenge.id.clone()))
    .with_extension(
        "expiresAt",
        serde_json::Value::from(challenge.expires_at.to_rfc3339()),
    )
}

fn challenge_refused(reason: &'static str) -> ApiError {
    let message = match reason {
        "EXPIRED" => "this sign-in took too long: sign in again",
        "USED" => "this sign-in is already complete: sign in again",
        "TOO_MANY_FAILURES" => "too many wrong codes for this sign-in: sign in again",
        _ => "not a sign-in waiting for its second factor: sign in again",
    };
    ApiError::unauthenticated(message).with_extension("reason", serde_json::Value::from(reason))
}

fn wrong_code_at_sign_in(attempts_left: i32) -> ApiError {
    ApiError::unauthenticated("the code is not right")
        .with_extension("reason", serde_json::Value::from("WRONG_CODE"))
        .with_extension("field", serde_json::Value::from("code"))
        .with_extension(
            "attemptsLeft",
            serde_json::Value::from(attempts_left.max(0)),
        )
}

fn wrong_code(field: &'static str) -> ApiError {
    ApiError::invalid_field(field, "the code is not right")
        .with_extension("reason", serde_json::Value::from("WRONG_CODE"))
}

fn totp_not_enabled() -> ApiError {
    ApiError::conflict("this account does not use TOTP")
        .with_extension("reason", serde_json::Value::from("TOTP_NOT_ENABLED"))
}

fn totp_already_enabled() -> ApiError {
    ApiError::conflict("this account uses TOTP already: disableTotp first to change the secret")
        .with_extension("reason", serde_json::Value::from("TOTP_ALREADY_ENABLED"))
}

/// FORBIDDEN for a sensitive change of an account with TOTP from a session
/// whose last second factor is not recent.
pub fn second_factor_required_recently() -> ApiError {
    ApiError::forbidden(
        "confirm with a code of your authenticator app first (totpCode), or sign in again",
    )
    .with_extension("reason", serde_json::Value::from("MFA_REQUIRED_RECENTLY"))
}

fn totp_of(secret: Vec<u8>, skew: u64) -> ApiResult<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_skew(skew as u16)
        .with_step_duration(STEP_SECS)
        .with_secret(secret)
        .build()
        .map_err(ApiError::internal)
}

fn unix_secs(at: DateTime<Utc>) -> u64 {
    u64::try_from(at.timestamp()).unwrap_or(0)
}

/// The step of `code` if it is the code of a step within the skew of `now`
/// and later than `last_step`; `None` otherwise.
fn matching_step(
    secret: &[u8],
    code: &str,
    now: DateTime<Utc>,
    last_step: Option<i64>,
) -> ApiResult<Option<i64>> {
    // Skew 0: each candidate step is checked on its own, so a step already
    // used is never matched, whatever the codes of its neighbours.
    let exact = totp_of(secret.to_vec(), 0)?;
    let current = unix_secs(now) / STEP_SECS;
    for step in current.saturating_sub(SKEW)..=current + SKEW {
        let Ok(step_i64) = i64::try_from(step) else {
            continue;
        };
        if last_step.is_some_and(|last| step_i64 <= last) {
            continue;
        }
        if exact.check(code, step * STEP_SECS).is_some() {
            return Ok(Some(step_i64));
        }
    }
    Ok(None)
}

/// A second-factor code as typed.
enum Code {
    /// Six digits (spaces dropped).
    Totp(String),
    /// A recovery code, normalised (upper case, no separators).
    Recovery(String),
    Junk,
}

fn parse_code(code: &str) -> Code {
    let compact: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if compact.len() == usize::from(DIGITS) && compact.bytes().all(|b| b.is_ascii_digit()) {
        return Code::Totp(compact);
    }
    if compact.chars().count() != RECOVERY_CODE_CHARS {
        return Code::Junk;
    }
    // Crockford's reading: O is 0, I and L are 1.
    let normal: String = compact
        .chars()
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    if normal.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)) {
        Code::Recovery(normal)
    } else {
        Code::Junk
    }
}

fn hash_recovery_code(normal: &str) -> Vec<u8> {
    Sha256::digest(normal.as_bytes()).to_vec()
}

/// Ten new recovery codes, `XXXX-XXXX-XXXX-XXXX`, and their hashes.
fn new_recovery_codes() -> (Vec<RecoveryCode>, Vec<Vec<u8>>) {
    let mut rng = rand::rngs::OsRng;
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; RECOVERY_CODE_CHARS];
            rng.fill_bytes(&mut bytes);
            // 32 symbols: the low 5 bits of a random byte are uniform.
            let normal: String = bytes
                .iter()
                .map(|b| char::from(RECOVERY_ALPHABET[usize::from(b & 31)]))
                .collect();
            let shown = normal
                .as_bytes()
                .chunks(4)
                .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
                .collect::<Vec<_>>()
                .join("-");
            (RecoveryCode::new(shown), hash_recovery_code(&normal))
        })
        .unzip()
}

/// What a second factor that was accepted was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Factor {
    Totp,
    Recovery,
}

/// Checks `code` against the account's enabled credential (TOTP) or its
/// recovery codes, and spends it when right. The caller holds the
/// account's row lock.
async fn spend_second_factor(
    conn: &mut Conn,
    credential: &Credential,
    code: &str,
) -> ApiResult<Option<Factor>> {
    match parse_code(code) {
        Code::Totp(digits) => {
            let step = matching_step(
                &credential.secret,
                &digits,
                Utc::now(),
                credential.last_step,
            )?;
            match step {
                Some(step) => {
                    db::set_last_step(conn, credential.account_id, step).await?;
                    Ok(Some(Factor::Totp))
                }
                None => Ok(None),
            }
        }
        Code::Recovery(normal) => {
            let hash = hash_recovery_code(&normal);
            let spent = db::spend_recovery_code(conn, credential.account_id, &hash).await?;
            Ok(spent.then_some(Factor::Recovery))
        }
        Code::Junk => Ok(None),
    }
}

/// [`spend_second_factor`] by a signed-in session (`disableTotp`, a step-up),
/// recording the outcome in its account's security events: a wrong code
/// as `MFA_CHALLENGE_FAILED`, a recovery code as `RECOVERY_CODE_USED`.
/// True if the code was right.
async fn spend_for_session(
    conn: &mut Conn,
    credential: &Credential,
    code: &str,
    session_id: Uuid,
    client: &ClientInfo,
) -> ApiResult<bool> {
    let account_id = Some(credential.account_id);
    let (kind, right) = match spend_second_factor(conn, credential, code).await? {
        None => (EventKind::MfaChallengeFailed, false),
        Some(Factor::Recovery) => (EventKind::RecoveryCodeUsed, true),
        Some(Factor::Totp) => return Ok(true),
    };
    record(conn, kind, account_id, Some(session_id), client).await?;
    Ok(right)
}

/// The rate-limit key of wrong codes: per device for a sign-in from one of
/// the account's known devices, per account otherwise.
fn failures_key(account_id: Uuid, device_hash: Option<&[u8]>) -> String {
    match device_hash {
        Some(device) => format!("mfa:device:{}", URL_SAFE_NO_PAD.encode(device)),
        None => format!("mfa:account:{account_id}"),
    }
}

/// The label of the `otpauth://` URI: neither part may contain a colon.
fn label_part(text: &str) -> String {
    text.replace(':', " ").trim().to_owned()
}

/// The outcome of a code given with a challenge.
enum Completion {
    SignedIn {
        session: super::PendingSession,
        refresh_token: String,
        device: String,
        email_verified: bool,
    },
    WrongCode {
        attempts_left: i32,
    },
    Refused(ApiError),
}

/// The outcome of a code given to a change.
enum Checked<T> {
    Done(T),
    WrongCode,
}

impl AuthService {
    /// Whether the account uses TOTP, and how many recovery codes it has
    /// left (for `User.totpEnabled` and `User.recoveryCodesLeft`).
    pub async fn totp_status(&self, account_id: Uuid) -> ApiResult<(bool, i64)> {
        let mut conn = self.pool.get().await?;
        if !db::is_enabled(&mut conn, account_id).await? {
            return Ok((false, 0));
        }
        Ok((true, db::recovery_codes_left(&mut conn, account_id).await?))
    }

    /// Starts turning TOTP on: a new secret, pending until a code of it
    /// confirms it (a new start replaces a pending one). Only from a
    /// session signed in (or through a second factor) within
    /// [`ENROLL_WITHIN`]: an access token taken from an older session
    /// cannot put a second factor of its own on the account and lock its
    /// owner out.
    pub async fn start_totp_enrollment(
        &self,
        account_id: Uuid,
        session_id: Uuid,
        client: &ClientInfo,
    ) -> ApiResult<Enrollment> {
        let mut conn = self.pool.get().await?;
        let account = accounts::by_id(&mut conn, account_id)
            .await?
            .ok_or_else(|| ApiError::unauthenticated("the account no longer exists"))?;
        if !account.email_verified {
            // Only a proven mailbox may add a second factor: a squatter who
            // registered someone else's unconfirmed address must not be able
            // to lock its owner out (a password reset by email, which
            // confirms the address, would then stop at MFA_REQUIRED).
            return Err(ApiError::forbidden(
                "confirm your email address before turning on two-factor sign-in",
            )
            .with_extension("reason", serde_json::Value::from("EMAIL_NOT_VERIFIED")));
        }
        let session = sessions::active_for(&mut conn, account_id)
            .await?
            .into_iter()
            .find(|session| session.id == session_id)
            .ok_or_else(|| ApiError::unauthenticated("this session has ended"))?;
        let mfa_at = sessions::mfa_at(&mut conn, account_id, session_id).await?;
        let fresh = session.created_at.max(mfa_at.unwrap_or(session.created_at));
        if Utc::now() - fresh > ENROLL_WITHIN {
            return Err(ApiError::forbidden(
                "sign in again just before turning on two-factor sign-in",
            )
            .with_extension(
                "reason",
                serde_json::Value::from("REAUTHENTICATION_REQUIRED"),
            ));
        }
        let mut secret = vec![0u8; SECRET_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut secret);
        let issuer = label_part(&self.totp_issuer);
        let totp = Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(DIGITS)
            .with_skew(SKEW as u16)
            .with_step_duration(STEP_SECS)
            .with_secret(secret.clone())
            .with_issuer((!issuer.is_empty()).then_some(issuer))
            .with_account_name(label_part(&account.email))
            .build()
            .map_err(ApiError::internal)?;
        let uri = totp.to_url().map_err(ApiError::internal)?;
        conn.transaction::<_, ApiError, _>(async |conn| {
            accounts::lock(conn, account_id).await?;
            if !db::start(conn, account_id, &secret).await? {
                return Err(totp_already_enabled());
            }
            record(
                conn,
                EventKind::TotpEnrollmentStarted,
                Some(account_id),
                Some(session_id),
                client,
            )
            .await
        })
        .await?;
        Ok(Enrollment {
            secret: TotpSecret::new(Secret::from(secret).to_base32()),
            uri: TotpSecret::new(uri),
        })
    }

    /// Turns TOTP on with a code of the pending secret; returns the new
    /// recovery codes (their only showing). The session counts as having
    /// passed a second factor now.
    pub async fn confirm_totp_enrollment(
        &self,
        account_id: Uuid,
        session_id: Uuid,
        code: &SecondFactorCode,
        client: &ClientInfo,
    ) -> ApiResult<Vec<RecoveryCode>> {
        let key = failures_key(account_id, None);
        self.limiter.peek(&key, self.limits.mfa_failures).await?;
        let (codes, hashes) = new_recovery_codes();
        let mut conn = self.pool.get().await?;
        let checked = conn
            .transaction::<_, ApiError, _>(async |conn| {
                accounts::lock(conn, account_id)
                    .await?
                    .ok_or_else(|| ApiError::unauthenticated("the account no longer exists"))?;
                let credential = db::of(conn, account_id).await?.ok_or_else(|| {
                    ApiError::not_found("no enrollment was started: startTotpEnrollment first")
                })?;
                if credential.is_enabled() {
                    return Err(totp_already_enabled());
                }
                let Code::Totp(digits) = parse_code(code.expose()) else {
                    return Ok(Checked::WrongCode);
                };
                let Some(step) = matching_step(&credential.secret, &digits, Utc::now(), None)?
                else {
                    return Ok(Checked::WrongCode);
                };
                db::enable(conn, account_id, step).await?;
                db::replace_recovery_codes(conn, account_id, &hashes).await?;
                sessions::set_mfa_at(conn, session_id).await?;
                record(
                    conn,
                    EventKind::TotpEnabled,
                    Some(account_id),
                    Some(session_id),
                    client,
                )
                .await?;
                Ok(Checked::Done(()))
            })
            .await?;
        match checked {
            Checked::Done(()) => {
                tracing::info!(%account_id, "TOTP turned on");
                Ok(codes)
            }
            Checked::WrongCode => {
                self.count_wrong_code(&key).await;
                Err(wrong_code("code"))
            }
        }
    }

    /// Turns TOTP off with a code (TOTP or recovery): that code is the
    /// second factor the change needs. Pending sign-in challenges end.
    pub async fn disable_totp(
        &self,
        account_id: Uuid,
        session_id: Uuid,
        code: &SecondFactorCode,
        client: &ClientInfo,
    ) -> ApiResult<()> {
        let key = failures_key(account_id, None);
        self.limiter.peek(&key, self.limits.mfa_failures).await?;
        let mut conn = self.pool.get().await?;
        let checked = conn
            .transaction::<_, ApiError, _>(async |conn| {
                accounts::lock(conn, account_id)
                    .await?
                    .ok_or_else(|| ApiError::unauthenticated("the account no longer exists"))?;
                let credential = db::of(conn, account_id)
                    .await?
                    .filter(Credential::is_enabled)
                    .ok_or_else(totp_not_enabled)?;
                if !spend_for_session(conn, &credential, code.expose(), session_id, client).await? {
                    return Ok(Checked::WrongCode);
                }
                db::delete(conn, account_id).await?;
                challenges::end_unused(conn, account_id).await?;
                record(
                    conn,
                    EventKind::TotpDisabled,
                    Some(account_id),
                    Some(session_id),
                    client,
                )
                .await?;
                Ok(Checked::Done(()))
            })
            .await?;
        match checked {
            Checked::Done(()) => {
                tracing::info!(%account_id, "TOTP turned off");
                Ok(())
            }
            Checked::WrongCode => {
                self.count_wrong_code(&key).await;
                Err(wrong_code("code"))
            }
        }
    }

    /// For a sensitive change (`changePassword`, `unlinkIdentity`): when
    /// the account uses TOTP, the session must have passed a second factor
    /// within [`RECENT_SECOND_FACTOR`], or `code` (the `totpCode` argument)
    /// must be one now — then the session counts as having passed it.
    /// FORBIDDEN (`MFA_REQUIRED_RECENTLY`) without either; BAD_USER_INPUT
    /// (field `totpCode`) for a wrong code.
    pub async fn require_recent_second_factor(
        &self,
        account_id: Uuid,
        session_id: Uuid,
        code: Option<&SecondFactorCode>,
        client: &ClientInfo,
    ) -> ApiResult<()> {
        {
            let mut conn = self.pool.get().await?;
            if !db::is_enabled(&mut conn, account_id).await? {
                return Ok(());
            }
            let mfa_at = sessions::mfa_at(&mut conn, account_id, session_id).await?;
            if mfa_at.is_some_and(|at| Utc::now() - at <= RECENT_SECOND_FACTOR) {
                return Ok(());
            }
        }
        let Some(code) = code else {
            return Err(second_factor_required_recently());
        };
        let key = failures_key(account_id, None);
        self.limiter.peek(&key, self.limits.mfa_failures).await?;
        let mut conn = self.pool.get().await?;
        let checked = conn
            .transaction::<_, ApiError, _>(async |conn| {
                accounts::lock(conn, account_id).await?;
                // Turned off meanwhile: nothing to ask for any more.
                let Some(credential) = db::of(conn, account_id)
                    .await?
                    .filter(Credential::is_enabled)
                else {
                    return Ok(Checked::Done(()));
                };
                if !spend_for_session(conn, &credential, code.expose(), session_id, client).await? {
                    return Ok(Checked::WrongCode);
                }
                sessions::set_mfa_at(conn, session_id).await?;
                record(
                    conn,
                    EventKind::MfaChallengePassed,
                    Some(account_id),
                    Some(session_id),
                    client,
                )
                .await?;
                Ok(Checked::Done(()))
            })
            .await?;
        match checked {
            Checked::Done(()) => Ok(()),
            Checked::WrongCode => {
                self.count_wrong_code(&key).await;
                Err(wrong_code("totpCode"))
            }
        }
    }

    /// Deletes sign-in challenges a day past their end (until then a late
    /// code is told EXPIRED or USED rather than INVALID); returns how many.
    pub async fn prune_mfa_challenges(&self) -> ApiResult<usize> {
        let mut conn = self.pool.get().await?;
        Ok(challenges::prune(&mut conn, Utc::now() - TimeDelta::days(1)).await?)
    }

    /// Counts a wrong code (after the transaction that recorded it).
    async fn count_wrong_code(&self, key: &str) {
        // Over the limit is fine here: the next attempt's peek refuses.
        if let Err(err) = self.limiter.decide(key, self.limits.mfa_failures).await {
            tracing::error!(code = %err.code(), "counting a wrong second-factor code");
        }
    }

    /// Finishes a sign-in that answered `MFA_REQUIRED`: the challenge and
    /// a code (TOTP or recovery) for a session.
    pub async fn complete_login(
        &self,
        challenge_id: &str,
        code: &SecondFactorCode,
        device_token: Option<&str>,
        client: &ClientInfo,
    ) -> ApiResult<IssuedTokens> {
        let challenge_id = challenge_id.trim();
        let found = if is_token_shaped(challenge_id) {
            let mut conn = self.pool.get().await?;
            let hash = hash_token(challenge_id);
            match challenges::by_hash(&mut conn, &hash).await? {
                Some(challenge) => accounts::by_id(&mut conn, challenge.account_id)
                    .await?
                    .map(|account| (hash, challenge, account)),
                None => None,
            }
        } else {
            None
        };
        let Some((hash, challenge, account)) = found else {
            // Guessing challenge ids costs like guessing passwords.
            self.throttle_login_from(None, None, client).await?;
            return Err(challenge_refused("INVALID"));
        };
        let device_hash = challenge.device_hash.clone();
        // Each code is an attempt to sign in, counted like a password.
        self.throttle_login_from(Some(&account.email), device_hash.as_deref(), client)
            .await?;
        let key = failures_key(account.id, device_hash.as_deref());
        self.limiter.peek(&key, self.limits.mfa_failures).await?;
        let presented = device_token
            .map(str::trim)
            .filter(|token| is_token_shaped(token));
        let account_id = account.id;
        let mut conn = self.pool.get().await?;
        let completion = conn
            .transaction::<_, ApiError, _>(async |conn| {
                // The account first, then the challenge: the order every
                // change of the account's second factor takes.
                let Some(account) = accounts::lock(conn, account_id).await? else {
                    return Ok(Completion::Refused(challenge_refused("INVALID")));
                };
                let Some(challenge) = challenges::lock(conn, &hash).await? else {
                    return Ok(Completion::Refused(challenge_refused("INVALID")));
                };
                // Someone else's client holding the id is told nothing more,
                // and cannot use up the owner's attempts.
                if challenge.ip.as_deref() != client.ip.as_deref()
                    || challenge.user_agent.as_deref() != client.user_agent.as_deref()
                {
                    return Ok(Completion::Refused(challenge_refused("INVALID")));
                }
                if challenge.used_at.is_some() {
                    return Ok(Completion::Refused(challenge_refused("USED")));
                }
                if challenge.failures >= MAX_CHALLENGE_FAILURES {
                    return Ok(Completion::Refused(challenge_refused("TOO_MANY_FAILURES")));
                }
                if challenge.expires_at <= Utc::now() {
                    return Ok(Completion::Refused(challenge_refused("EXPIRED")));
                }
                let Some(credential) = db::of(conn, account_id)
                    .await?
                    .filter(Credential::is_enabled)
                else {
                    return Ok(Completion::Refused(challenge_refused("INVALID")));
                };
                let provider = challenge.provider.as_deref();
                let Some(factor) = spend_second_factor(conn, &credential, code.expose()).await?
                else {
                    let failures = challenges::add_failure(conn, &hash).await?;
                    record_via(
                        conn,
                        EventKind::MfaChallengeFailed,
                        Some(account_id),
                        None,
                        client,
                        provider,
                    )
                    .await?;
                    return Ok(Completion::WrongCode {
                        attempts_left: MAX_CHALLENGE_FAILURES - failures,
                    });
                };
                challenges::mark_used(conn, &hash).await?;
                let session = self.new_session(account_id, client);
                let (refresh_token, refresh_hash) = new_token();
                sessions::insert(conn, &session.as_new(client)).await?;
                sessions::set_mfa_at(conn, session.id).await?;
                sessions::insert_refresh_token(conn, &refresh_hash, session.id, session.expires_at)
                    .await?;
                let mut kinds = vec![];
                if factor == Factor::Recovery {
                    kinds.push(EventKind::RecoveryCodeUsed);
                }
                kinds.extend([EventKind::MfaChallengePassed, EventKind::LoggedIn]);
                for kind in kinds {
                    record_via(
                        conn,
                        kind,
                        Some(account_id),
                        Some(session.id),
                        client,
                        provider,
                    )
                    .await?;
                }
                // The device that signed in keeps its credential when it
                // presents it again; any other gets a new one.
                let known = presented.filter(|token| {
                    challenge
                        .device_hash
                        .as_deref()
                        .is_some_and(|hash| hash == hash_token(token).as_slice())
                });
                let device = match known {
                    Some(token) => {
                        device_tokens::touch(
                            conn,
                            &hash_token(token),
                            Utc::now() + DEVICE_TOKEN_TTL,
                        )
                        .await?;
                        token.to_owned()
                    }
                    None => remember_device(conn, account_id).await?,
                };
                Ok(Completion::SignedIn {
                    session,
                    refresh_token,
                    device,
                    email_verified: account.email_verified,
                })
            })
            .await?;
        match completion {
            Completion::SignedIn {
                session,
                refresh_token,
                device,
                email_verified,
            } => {
                tracing::info!(%account_id, "signed in with a second factor");
                let mut tokens = self.tokens(
                    account_id,
                    session.id,
                    self.ev_claim(email_verified),
                    refresh_token,
                    session.expires_at,
                )?;
                tokens.device_token = Some(DeviceToken::new(device));
                Ok(tokens)
            }
            Completion::WrongCode { attempts_left } => {
                self.count_wrong_code(&key).await;
                Err(wrong_code_at_sign_in(attempts_left))
            }
            Completion::Refused(err) => Err(err),
        }
    }
}

/// Whether the account uses TOTP (in the caller's transaction, under the
/// account's row lock when it is deciding a sign-in).
pub(crate) async fn is_enabled(conn: &mut Conn, account_id: Uuid) -> ApiResult<bool> {
    Ok(db::is_enabled(conn, account_id).await?)
}

/// Opens a challenge for a sign-in whose first factor was right (in the
/// sign-in's transaction) and records `MFA_CHALLENGE_ISSUED`.
pub(crate) async fn issue_challenge(
    conn: &mut Conn,
    account_id: Uuid,
    client: &ClientInfo,
    device_hash: Option<&[u8]>,
    provider: Option<&str>,
) -> ApiResult<Challenge> {
    let (id, id_hash) = new_token();
    let expires_at = Utc::now() + CHALLENGE_TTL;
    challenges::insert(
        conn,
        &NewChallenge {
            id_hash: &id_hash,
            account_id,
            expires_at,
            user_agent: client.user_agent.as_deref(),
            ip: client.ip.as_deref(),
            device_hash,
            provider,
        },
    )
    .await?;
    record_via(
        conn,
        EventKind::MfaChallengeIssued,
        Some(account_id),
        None,
        client,
        provider,
    )
    .await?;
    Ok(Challenge { id, expires_at })
}

/// Removes the account's TOTP and ends its pending challenges (a claim of
/// an account whose address nobody had proved: whoever set TOTP up loses
/// it); returns whether it was on.
pub(crate) async fn remove(conn: &mut Conn, account_id: Uuid) -> ApiResult<bool> {
    challenges::end_unused(conn, account_id).await?;
    Ok(db::delete(conn, account_id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"12345678901234567890";

    fn code_at(secs: u64) -> String {
        totp_of(SECRET.to_vec(), 0)
            .unwrap()
            .generate(secs)
            .to_string()
    }

    fn at(secs: u64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs as i64, 0).unwrap()
    }

    #[test]
    fn rfc_6238_vectors() {
        // RFC 6238 appendix B, SHA-1, the last six digits.
        for (secs, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at(secs), code, "{secs}");
        }
    }

    #[test]
    fn one_step_either_way_and_each_step_once() {
        let now = 1_700_000_010;
        let step = (now / STEP_SECS) as i64;
        for (offset, accepted) in [(-2i64, false), (-1, true), (0, true), (1, true), (2, false)] {
            let code = code_at((step + offset) as u64 * STEP_SECS);
            let got = matching_step(SECRET, &code, at(now), None).unwrap();
            assert_eq!(got.is_some(), accepted, "offset {offset}");
        }
        let code = code_at(now);
        assert_eq!(
            matching_step(SECRET, &code, at(now), Some(step)).unwrap(),
            None
        );
        assert_eq!(
            matching_step(SECRET, &code, at(now), Some(step - 1)).unwrap(),
            Some(step)
        );
        let next = code_at(now + STEP_SECS);
        assert_eq!(
            matching_step(SECRET, &next, at(now), Some(step)).unwrap(),
            Some(step + 1)
        );
    }

    #[test]
    fn codes_are_told_apart() {
        assert!(matches!(parse_code(" 123 456 "), Code::Totp(c) if c == "123456"));
        assert!(matches!(parse_code("12345"), Code::Junk));
        assert!(matches!(parse_code("+12345"), Code::Junk));
        assert!(
            matches!(parse_code("abcd-efgh-ijkl-mnop"), Code::Recovery(c) if c == "ABCDEFGH1JK1MN0P")
        );
        assert!(matches!(parse_code("ABCD-EFGH-JKMN-PQRU"), Code::Junk));
        assert!(matches!(parse_code("é".repeat(16).as_str()), Code::Junk));
    }

    #[test]
    fn recovery_codes_are_many_distinct_and_read_back() {
        let (codes, hashes) = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = hashes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        for (code, hash) in codes.iter().zip(&hashes) {
            assert_eq!(code.expose().len(), 19, "{}", code.expose());
            let Code::Recovery(normal) = parse_code(&code.expose().to_lowercase()) else {
                panic!("not read back: {}", code.expose());
            };
            assert_eq!(&hash_recovery_code(&normal), hash);
        }
    }
}
