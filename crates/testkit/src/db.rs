//! A fresh PostgreSQL database per test, cloned from a migrated template.
//!
//! Why a template: running every migration for every test is slow, and
//! sharing one database makes tests depend on each other. Instead each
//! migrations directory is migrated once into `tmpl_<dirname>_<hash>` (the hash
//! covers every file, so editing a migration yields a new template), and every
//! test gets `CREATE DATABASE test_<uuid> TEMPLATE tmpl_...`, which is a cheap
//! copy.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use diesel::Connection as _;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{FileBasedMigrations, MigrationHarness as _};
use sha2::{Digest as _, Sha256};
use tokio::sync::OnceCell;
use tokio_postgres::NoTls;
use tokio_postgres::error::SqlState;

use crate::cluster::{PgBinaries, PrivateCluster};
use crate::pg::pg_error;

/// Used when `DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// How long to wait for the configured server before falling back to a
/// private cluster.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// A database of its own for one test, dropped (forcefully) when this value
/// is dropped.
///
/// ```no_run
/// # async fn demo() {
/// let db = testkit::TestDatabase::new(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations")).await;
/// // connect your pool / service to db.url()
/// # }
/// ```
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
    url: String,
    template: String,
    /// Maintenance-database URL of the same server, used to drop it.
    admin_url: String,
}

impl TestDatabase {
    /// Create a new database with every migration in `migrations_dir`
    /// applied (a diesel migrations directory; pass an absolute path, e.g.
    /// `concat!(env!("CARGO_MANIFEST_DIR"), "/migrations")`).
    ///
    /// Uses the server at `DATABASE_URL` (default [`DEFAULT_DATABASE_URL`]),
    /// or a private cluster if nothing answers there (see [`server_url`]).
    ///
    /// # Panics
    /// On any failure, with a message saying what went wrong: it is test code.
    pub async fn new(migrations_dir: impl AsRef<Path>) -> TestDatabase {
        let dir = migrations_dir.as_ref();
        let dir = dir.canonicalize().unwrap_or_else(|e| {
            panic!(
                "testkit: migrations directory {} not found: {e}",
                dir.display()
            )
        });
        let admin_url = server_url().await;
        let name = format!("test_{}", uuid::Uuid::new_v4().simple());
        let admin = connect_pg(&admin_url).await;

        let mut in_use_retries = 0u32;
        let mut rebuilt = false;
        let template = loop {
            let template = template_for(&dir, &admin_url).await;
            let sql = format!(r#"CREATE DATABASE "{name}" TEMPLATE "{template}""#);
            match admin.batch_execute(&sql).await {
                Ok(()) => break template,
                // Cloning fails while anything is connected to the template
                // (e.g. a builder in another process whose backend has not
                // exited yet).
                Err(e) if e.code() == Some(&SqlState::OBJECT_IN_USE) && in_use_retries < 20 => {
                    in_use_retries += 1;
                    let pause = 50 * u64::from(in_use_retries.min(5));
                    tokio::time::sleep(Duration::from_millis(pause)).await;
                }
                // Someone dropped the cached template (manual clean-up while
                // tests run): build it again, once.
                Err(e) if e.code() == Some(&SqlState::UNDEFINED_DATABASE) && !rebuilt => {
                    rebuilt = true;
                    forget_template(&dir, &template);
                }
                Err(e) => panic!(
                    "testkit: creating database {name} from template {template}: {}",
                    pg_error(&e)
                ),
            }
        };

        TestDatabase {
            url: with_database(&admin_url, &name),
            name,
            template,
            admin_url,
        }
    }

    /// Full `postgres://` URL of this test's database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database name (`test_<uuid>`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The template it was cloned from (`tmpl_<dirname>_<hash>`).
    pub fn template(&self) -> &str {
        &self.template
    }
}

impl Drop for TestDatabase {
    /// Drops the database. `Drop` is synchronous and may run inside (or while
    /// unwinding out of) a tokio runtime, where blocking on another runtime is
    /// not allowed; so the work happens on a fresh thread with its own runtime.
    /// Failures are reported on stderr, never panicked on.
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        let worker = std::thread::Builder::new()
            .name("testkit-drop-db".into())
            .spawn(move || -> Result<(), String> {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| e.to_string())?;
                runtime.block_on(async {
                    let work = async {
                        let (client, connection) = tokio_postgres::connect(&admin_url, NoTls)
                            .await
                            .map_err(|e| pg_error(&e))?;
                        tokio::spawn(connection);
                        client
                            .batch_execute(&format!(
                                r#"DROP DATABASE IF EXISTS "{name}" WITH (FORCE)"#
                            ))
                            .await
                            .map_err(|e| pg_error(&e))
                    };
                    tokio::time::timeout(Duration::from_secs(30), work)
                        .await
                        .unwrap_or_else(|_| Err("timed out after 30 s".to_owned()))
                })
            });
        let outcome = match worker {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|_| Err("drop thread panicked".to_owned())),
            Err(e) => Err(format!("cannot spawn drop thread: {e}")),
        };
        if let Err(e) = outcome {
            eprintln!("testkit: could not drop test database {}: {e}", self.name);
        }
    }
}

/// The admin URL (maintenance database `postgres`) of the server the test
/// kit uses in this process.
///
/// Decided once per process: the server at `DATABASE_URL` (default
/// [`DEFAULT_DATABASE_URL`]) if it answers within ~2 s; if nothing listens
/// there, a [`PrivateCluster`] started from the local PostgreSQL binaries and
/// kept for the rest of the process. A server that answers but rejects us
/// (bad password, ...) is a configuration error and panics rather than being
/// silently replaced.
pub async fn server_url() -> String {
    static URL: OnceCell<String> = OnceCell::const_new();
    URL.get_or_init(resolve_server_url).await.clone()
}

async fn resolve_server_url() -> String {
    let configured = std::env::var("DATABASE_URL")
        .ok()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
    let admin_url = with_database(&configured, "postgres");

    let unreachable_reason = match tokio::time::timeout(
        PROBE_TIMEOUT,
        tokio_postgres::connect(&admin_url, NoTls),
    )
    .await
    {
        Ok(Ok((client, connection))) => {
            // Close politely (Terminate message) rather than resetting the
            // socket, which the server would log as an error.
            drop(client);
            let _ = tokio::time::timeout(PROBE_TIMEOUT, connection).await;
            return admin_url;
        }
        Err(_) => format!("no answer within {PROBE_TIMEOUT:?}"),
        Ok(Err(e)) if is_unreachable(&e) => pg_error(&e),
        // Something answered (or the URL is unusable): a configuration
        // problem to report, not a reason to silently use another server.
        Ok(Err(e)) => panic!(
            "testkit: cannot connect to PostgreSQL at {admin_url} (from DATABASE_URL or the default): {}",
            pg_error(&e)
        ),
    };

    let binaries = PgBinaries::find().unwrap_or_else(|| {
        panic!(
            "testkit: no PostgreSQL server at {admin_url} ({unreachable_reason}) and no PostgreSQL binaries found; \
             install them (Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL"
        )
    });
    eprintln!(
        "testkit: no PostgreSQL server at {admin_url} ({unreachable_reason}); starting a private cluster"
    );

    static FALLBACK: OnceLock<PrivateCluster> = OnceLock::new();
    let cluster = tokio::task::spawn_blocking(move || {
        FALLBACK
            .get_or_init(|| PrivateCluster::start_with(binaries))
            .url()
            .to_owned()
    })
    .await;
    cluster.unwrap_or_else(|e| match e.try_into_panic() {
        Ok(panic) => std::panic::resume_unwind(panic),
        Err(e) => panic!("testkit: starting private cluster: {e}"),
    })
}

/// Whether a connect error means "nobody is listening" (as opposed to a
/// server that answered and said no).
fn is_unreachable(e: &tokio_postgres::Error) -> bool {
    if e.as_db_error().is_some() {
        return false;
    }
    let mut source = std::error::Error::source(e);
    while let Some(err) = source {
        if let Some(io) = err.downcast_ref::<io::Error>() {
            return matches!(
                io.kind(),
                io::ErrorKind::ConnectionRefused
                    | io::ErrorKind::NotFound
                    | io::ErrorKind::TimedOut
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::AddrNotAvailable
                    | io::ErrorKind::HostUnreachable
                    | io::ErrorKind::NetworkUnreachable
            );
        }
        source = err.source();
    }
    false
}

/// Connect with tokio-postgres (no TLS) and drive the connection on the
/// current runtime. Handy for assertions in tests.
///
/// # Panics
/// If the connection fails.
pub async fn connect_pg(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|e| panic!("testkit: cannot connect to {url}: {}", pg_error(&e)));
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "testkit: postgres connection ended");
        }
    });
    client
}

/// Replace the database part of a `postgres://` URL, keeping any `?params`.
pub(crate) fn with_database(url: &str, database: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        panic!("testkit: DATABASE_URL must be a postgres:// URL, got {url:?}");
    };
    let authority_start = scheme_end + 3;
    let path_start = url[authority_start..]
        .find(['/', '?'])
        .map_or(url.len(), |i| authority_start + i);
    let query = url[path_start..]
        .find('?')
        .map_or("", |i| &url[path_start + i..]);
    format!("{}/{database}{query}", &url[..path_start])
}

/// Per-process cache: migrations dir -> template name, built at most once.
type TemplateCache = Mutex<BTreeMap<PathBuf, Arc<OnceCell<String>>>>;

static TEMPLATES: TemplateCache = Mutex::new(BTreeMap::new());

/// The template for the (canonical) migrations `dir`, built at most once per
/// process unless [`forget_template`] is called.
async fn template_for(dir: &Path, admin_url: &str) -> String {
    let cell = TEMPLATES
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(dir.to_path_buf())
        .or_default()
        .clone();
    cell.get_or_init(|| ensure_template(dir.to_path_buf(), admin_url.to_owned()))
        .await
        .clone()
}

/// Drop the cached template name for `dir` if it is still `name`, so the
/// next [`template_for`] checks the server (and rebuilds) again.
fn forget_template(dir: &Path, name: &str) {
    let mut cache = TEMPLATES.lock().unwrap_or_else(PoisonError::into_inner);
    if cache
        .get(dir)
        .and_then(|cell| cell.get())
        .is_some_and(|n| n == name)
    {
        cache.remove(dir);
    }
}

/// Make sure the migrated template for `dir` exists on the server (built by
/// us or by another test process) and return its name.
async fn ensure_template(dir: PathBuf, admin_url: String) -> String {
    let fingerprint = fingerprint_dir(&dir);
    let name = template_name(&dir, &fingerprint);
    let admin = connect_pg(&admin_url).await;
    if database_exists(&admin, &name).await {
        return name;
    }

    // Serialise builders of this template across processes. The lock is
    // session-scoped: it is released when `admin` goes away, even on panic.
    let name_hash = Sha256::digest(name.as_bytes());
    let mut key_bytes = [0u8; 8];
    key_bytes.copy_from_slice(&name_hash[..8]);
    let lock_key = i64::from_be_bytes(key_bytes);
    admin
        .execute("SELECT pg_advisory_lock($1)", &[&lock_key])
        .await
        .unwrap_or_else(|e| panic!("testkit: taking advisory lock for {name}: {}", pg_error(&e)));

    if !database_exists(&admin, &name).await {
        // Built under a temporary name and renamed when complete, so a
        // half-migrated template (crashed builder) is never cloned.
        let building = format!("tmpbuild_{}", &hex::encode(name_hash)[..16]);
        let exec = async |sql: String| {
            admin.batch_execute(&sql).await.unwrap_or_else(|e| {
                panic!(
                    "testkit: building template {name}: `{sql}`: {}",
                    pg_error(&e)
                )
            });
        };
        exec(format!(
            r#"DROP DATABASE IF EXISTS "{building}" WITH (FORCE)"#
        ))
        .await;
        exec(format!(
            r#"CREATE DATABASE "{building}" TEMPLATE template0"#
        ))
        .await;
        run_migrations(&dir, &with_database(&admin_url, &building)).await;
        // Nothing may connect to the template any more: cloning fails while
        // anyone is connected to it.
        exec(format!(
            r#"ALTER DATABASE "{building}" ALLOW_CONNECTIONS false"#
        ))
        .await;
        rename_when_idle(&admin, &building, &name).await;
    }

    let _ = admin
        .execute("SELECT pg_advisory_unlock($1)", &[&lock_key])
        .await;
    name
}

/// `ALTER DATABASE .. RENAME` fails while sessions are connected; the
/// migration connection's backend may take a moment to exit, so terminate
/// leftovers and retry.
async fn rename_when_idle(admin: &tokio_postgres::Client, from: &str, to: &str) {
    let sql = format!(r#"ALTER DATABASE "{from}" RENAME TO "{to}""#);
    for attempt in 0.. {
        match admin.batch_execute(&sql).await {
            Ok(()) => return,
            Err(e) if e.code() == Some(&SqlState::OBJECT_IN_USE) && attempt < 50 => {
                let _ = admin
                    .execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                         WHERE datname = $1 AND pid <> pg_backend_pid()",
                        &[&from],
                    )
                    .await;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("testkit: renaming {from} to {to}: {}", pg_error(&e)),
        }
    }
}

/// Apply every migration in `dir` to the database at `url`.
///
/// Diesel's migration harness is synchronous; `AsyncConnectionWrapper` adapts
/// the async connection by blocking on the runtime. Tests typically run on a
/// current-thread runtime where `block_in_place` is unavailable, so this runs
/// on a blocking-pool thread. The connection is closed before returning.
async fn run_migrations(dir: &Path, url: &str) {
    let dir = dir.to_path_buf();
    let url = url.to_owned();
    let result = tokio::task::spawn_blocking(move || -> Result<(), String> {
        let migrations = FileBasedMigrations::from_path(&dir)
            .map_err(|e| format!("reading migrations in {}: {e}", dir.display()))?;
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
            .map_err(|e| format!("connecting to {url}: {e}"))?;
        conn.run_pending_migrations(migrations)
            .map(|_| ())
            .map_err(|e| format!("running migrations from {}: {e}", dir.display()))
    })
    .await;
    match result {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("testkit: {e}"),
        Err(e) => match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(e) => panic!("testkit: migration task failed: {e}"),
        },
    }
}

async fn database_exists(admin: &tokio_postgres::Client, name: &str) -> bool {
    admin
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)",
            &[&name],
        )
        .await
        .unwrap_or_else(|e| panic!("testkit: querying pg_database: {}", pg_error(&e)))
        .get(0)
}

/// `tmpl_<dirname>_<fingerprint>`, lower-case, within PostgreSQL's 63-byte
/// identifier limit.
fn template_name(dir: &Path, fingerprint: &str) -> String {
    let dirname: String = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(40)
        .collect();
    format!("tmpl_{dirname}_{fingerprint}")
}

/// First 12 hex digits of SHA-256 over every file (relative path and
/// contents, sorted by path) under `dir`.
pub(crate) fn fingerprint_dir(dir: &Path) -> String {
    fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
        let entries =
            fs::read_dir(dir).unwrap_or_else(|e| panic!("testkit: reading {}: {e}", dir.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("testkit: reading {}: {e}", dir.display()))
                .path();
            if path.is_dir() {
                collect(root, &path, out);
            } else {
                let relative = path.strip_prefix(root).unwrap_or(&path);
                let components: Vec<_> = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect();
                out.push((components.join("/"), path));
            }
        }
    }
    let mut files = Vec::new();
    collect(dir, dir, &mut files);
    files.sort();

    let mut hasher = Sha256::new();
    for (relative, path) in files {
        let contents =
            fs::read(&path).unwrap_or_else(|e| panic!("testkit: reading {}: {e}", path.display()));
        hasher.update((relative.len() as u64).to_le_bytes());
        hasher.update(relative.as_bytes());
        hasher.update((contents.len() as u64).to_le_bytes());
        hasher.update(&contents);
    }
    hex::encode(hasher.finalize())[..12].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_database_replaces_only_the_path() {
        assert_eq!(
            with_database("postgres://u:p@h:5/db?sslmode=disable", "x"),
            "postgres://u:p@h:5/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
        assert_eq!(
            with_database("postgresql://h:1/", "x"),
            "postgresql://h:1/x"
        );
        assert_eq!(with_database("postgres://h?a=b", "x"), "postgres://h/x?a=b");
    }

    #[test]
    fn template_name_fits_identifier_limit() {
        let name = template_name(Path::new(&"m".repeat(100)), "0123456789ab");
        assert!(name.len() <= 63, "{name}");
        assert_eq!(
            template_name(Path::new("/x/My-Migrations"), "abc"),
            "tmpl_my_migrations_abc"
        );
    }

    #[test]
    fn fingerprint_is_stable_and_content_sensitive() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/migrations");
        let a = fingerprint_dir(&fixtures);
        assert_eq!(a, fingerprint_dir(&fixtures));
        assert_eq!(a.len(), 12);
        let other = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        assert_ne!(a, fingerprint_dir(&other));
    }
}
