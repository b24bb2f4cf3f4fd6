//! `auth keys list | rotate | retire`: signing-key rotation for operators.

use std::time::Duration;

use chrono::Utc;

use super::KeyError;
use crate::db::keys as db;

#[derive(Debug, Clone, clap::Subcommand)]
pub enum KeysCommand {
    /// List every signing key, newest (signing) first.
    List,
    /// Add a new signing key. It signs every new access token from now on,
    /// on every replica; older keys keep verifying until retired.
    Rotate,
    /// Retire keys that stopped signing more than OLDER_THAN ago: their
    /// tokens are no longer accepted and they leave the JWKS. OLDER_THAN
    /// (e.g. `20m`, `1h`) must cover the access-token lifetime plus leeway,
    /// or tokens still in use would be refused (override with --force).
    Retire {
        #[arg(long, value_parser = humantime::parse_duration)]
        older_than: Duration,
        #[arg(long)]
        force: bool,
        /// Access-token lifetime in seconds (as the service is configured).
        #[arg(long, env = "ACCESS_TOKEN_TTL_SECS", default_value_t = 900)]
        access_token_ttl_secs: u64,
        /// Clock-skew leeway in seconds (as the service is configured).
        #[arg(long, env = "JWT_LEEWAY_SECS", default_value_t = 30)]
        jwt_leeway_secs: u64,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(transparent)]
    Keys(#[from] KeyError),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
    #[error(transparent)]
    Pool(#[from] service_runtime::db::DbError),
    #[error(
        "--older-than {given} is shorter than the access-token lifetime plus leeway ({needed}): tokens signed by those keys may still be in use (--force to retire anyway)"
    )]
    TooSoon { given: String, needed: String },
}

/// Adds a new signing key; returns its kid.
pub async fn rotate(pool: &service_runtime::db::PgPool) -> Result<String, KeyError> {
    let key = super::generate()?;
    let mut conn = pool.get().await?;
    db::insert(&mut conn, &key).await?;
    Ok(key.kid)
}

/// Retires keys that stopped signing more than `older_than` ago; returns their kids.
pub async fn retire(
    pool: &service_runtime::db::PgPool,
    older_than: Duration,
) -> Result<Vec<String>, KeyError> {
    let cutoff =
        Utc::now() - chrono::Duration::from_std(older_than).unwrap_or(chrono::Duration::MAX);
    let mut conn = pool.get().await?;
    Ok(db::retire_replaced_before(&mut conn, cutoff).await?)
}

/// Runs one command against the auth database at `database_url`, printing
/// what it did.
pub async fn run(command: &KeysCommand, database_url: &str) -> Result<(), AdminError> {
    let pool = service_runtime::db::pool(database_url, 1)?;
    match command {
        KeysCommand::List => {
            let mut conn = pool.get().await.map_err(KeyError::from)?;
            let rows = db::all(&mut conn).await?;
            let signing = rows.iter().find(|(_, _, retired)| retired.is_none());
            let signing = signing.map(|(kid, _, _)| kid.clone());
            for (kid, created, retired) in rows {
                let state = match retired {
                    Some(at) => format!("retired {}", at.to_rfc3339()),
                    None if Some(&kid) == signing.as_ref() => "signing".to_owned(),
                    None => "verifying".to_owned(),
                };
                println!("{kid}  created {}  {state}", created.to_rfc3339());
            }
        }
        KeysCommand::Rotate => {
            let kid = rotate(&pool).await?;
            println!("{kid}");
        }
        KeysCommand::Retire {
            older_than,
            force,
            access_token_ttl_secs,
            jwt_leeway_secs,
        } => {
            let needed = Duration::from_secs(access_token_ttl_secs + jwt_leeway_secs);
            if *older_than < needed && !force {
                return Err(AdminError::TooSoon {
                    given: humantime::format_duration(*older_than).to_string(),
                    needed: humantime::format_duration(needed).to_string(),
                });
            }
            for kid in retire(&pool, *older_than).await? {
                println!("{kid}");
            }
        }
    }
    Ok(())
}
