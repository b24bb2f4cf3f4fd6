//! `<service> outbox status | dead | redrive [--id N]`: operating the outbox
//! from the command line, the same in every service binary.

use diesel_async::AsyncConnection as _;
use diesel_async::AsyncPgConnection;

#[derive(Debug, Clone, clap::Subcommand)]
pub enum OutboxCommand {
    /// Events waiting for delivery and events parked as dead.
    Status,
    /// List dead events with their last error.
    Dead,
    /// Put dead events back in the queue (all of them, or one with --id).
    Redrive {
        #[arg(long)]
        id: Option<i64>,
    },
}

/// Runs the command against `database_url`, printing to stdout.
pub async fn run(command: &OutboxCommand, database_url: &str) -> Result<(), diesel::result::Error> {
    let mut conn = AsyncPgConnection::establish(database_url)
        .await
        .map_err(|err| diesel::result::Error::QueryBuilderError(err.to_string().into()))?;
    match command {
        OutboxCommand::Status => {
            let pending = crate::pending_count(&mut conn).await?;
            let dead = crate::dead_events(&mut conn).await?.len();
            println!("pending: {pending}\ndead: {dead}");
        }
        OutboxCommand::Dead => {
            for letter in crate::dead_letters(&mut conn).await? {
                println!(
                    "{}\t{}\t{}\tattempts={}\tdead_at={}\t{}",
                    letter.envelope.id,
                    letter.envelope.event_id,
                    letter.envelope.kind,
                    letter.envelope.attempts,
                    letter.dead_at,
                    letter.last_error.unwrap_or_default()
                );
            }
        }
        OutboxCommand::Redrive { id } => {
            let count = crate::redrive(&mut conn, *id).await?;
            println!("re-queued {count} event(s)");
        }
    }
    Ok(())
}
