//! `<service> reports list | resolve`: reports of abuse for operators, the
//! same in every service that takes them (users, messaging).

use diesel_async::AsyncConnection as _;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

/// The longest resolution note.
pub const NOTE_MAX_CHARS: usize = 2000;

#[derive(Debug, Clone, clap::Subcommand)]
pub enum ReportsCommand {
    /// The open reports, oldest first: one tab-separated line each (id,
    /// filed at, reason, target kind, target id, reporter, details as a JSON
    /// string, the target as it was as JSON), or a JSON array with --json.
    List {
        /// Print a JSON array of objects instead of lines.
        #[arg(long)]
        json: bool,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Close an open report, saying what was done.
    Resolve {
        /// The report's id (as `list` prints it).
        id: Uuid,
        /// What was done about it (kept with the report).
        #[arg(long)]
        note: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("connecting to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    #[error("no open report {0} (unknown, or resolved already)")]
    NoOpenReport(Uuid),
    #[error("the note must say what was done: 1 to {NOTE_MAX_CHARS} characters")]
    BadNote,
}

/// One line of `list`: tab-separated, details and snapshot as JSON so that
/// any text stays on its line.
fn line(report: &super::Report) -> Result<String, serde_json::Error> {
    Ok(format!(
        "{}\t{}\t{}\t{}\t{}\treporter={}\t{}\t{}",
        report.id,
        report.created_at.to_rfc3339(),
        report.reason,
        report.target_kind,
        report.target_id,
        report.reporter_id,
        serde_json::to_string(&report.details)?,
        serde_json::to_string(&report.snapshot)?,
    ))
}

/// Runs `command` against the service database at `database_url`,
/// printing to stdout.
pub async fn run(command: &ReportsCommand, database_url: &str) -> Result<(), AdminError> {
    let mut conn = AsyncPgConnection::establish(database_url).await?;
    match command {
        ReportsCommand::List { json, limit } => {
            let reports = super::list_open(&mut conn, i64::from(*limit)).await?;
            if *json {
                println!("{}", serde_json::to_string(&reports)?);
            } else {
                for report in &reports {
                    println!("{}", line(report)?);
                }
            }
        }
        ReportsCommand::Resolve { id, note } => {
            let note = note.trim();
            if note.is_empty() || note.chars().count() > NOTE_MAX_CHARS {
                return Err(AdminError::BadNote);
            }
            if !super::resolve(&mut conn, *id, note).await? {
                return Err(AdminError::NoOpenReport(*id));
            }
            println!("resolved {id}");
        }
    }
    Ok(())
}
