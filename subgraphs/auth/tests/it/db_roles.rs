//! Least privilege in the database: a database set up by
//! `migrations/bootstrap.sql` (as compose and `cargo xtask up` do) is
//! migrated and used by the service's own role, which is no superuser and
//! cannot erase or silence the audit log, although it owns the table.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::Url;

const BOOTSTRAP: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../migrations/bootstrap.sql"
);

/// psql: on PATH, else beside the newest installed server binaries.
fn psql() -> Command {
    let on_path = Command::new("psql")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if on_path {
        return Command::new("psql");
    }
    let mut installed: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| {
            dirs.filter_map(Result::ok)
                .map(|d| d.path().join("bin/psql"))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    installed.sort();
    Command::new(installed.pop().expect("psql is not installed"))
}

/// A role and its database made by the bootstrap file, dropped at the end.
struct Bootstrapped {
    admin_url: String,
    role: String,
    database: String,
    /// The role's URL for its database.
    url: String,
}

impl Bootstrapped {
    /// A fresh role and database; `audited`: install auth's audit guard.
    async fn new(audited: bool) -> Bootstrapped {
        let admin_url = testkit::server_url().await;
        let suffix = uuid::Uuid::new_v4().simple().to_string();
        let role = format!("auth_lp_{}", &suffix[..12]);
        let database = format!("{role}_db");
        let password = uuid::Uuid::new_v4().simple().to_string();
        let mut url = Url::parse(&admin_url).unwrap();
        url.set_username(&role).unwrap();
        url.set_password(Some(&password)).unwrap();
        url.set_path(&database);
        let this = Bootstrapped {
            admin_url,
            role,
            database,
            url: url.to_string(),
        };
        this.bootstrap(&password, audited);
        this
    }

    /// Runs the bootstrap file as the superuser (again: it is idempotent).
    fn bootstrap(&self, password: &str, audited: bool) {
        let mut psql = psql();
        psql.arg(&self.admin_url)
            .args(["-q", "-X", "-v", "ON_ERROR_STOP=1"])
            .args(["-v", &format!("service={}", self.role)])
            .args(["-v", &format!("database={}", self.database)])
            .args(["-v", &format!("password={password}")]);
        if audited {
            psql.args(["-v", "audited=true"]);
        }
        let out = psql.arg("-f").arg(Path::new(BOOTSTRAP)).output().unwrap();
        assert!(
            out.status.success(),
            "bootstrap.sql failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Bootstrapped {
    fn drop(&mut self) {
        let _ = psql()
            .arg(&self.admin_url)
            .args(["-q", "-X"])
            .args([
                "-c",
                &format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.database),
            ])
            .args(["-c", &format!("DROP ROLE IF EXISTS \"{}\"", self.role)])
            .output();
    }
}

/// The SQLSTATE of a refused statement (panics if it was not refused).
async fn refused(client: &tokio_postgres::Client, sql: &str) -> String {
    match client.batch_execute(sql).await {
        Ok(()) => panic!("{sql}: allowed"),
        Err(e) => e
            .as_db_error()
            .map(|db| db.code().code().to_owned())
            .unwrap_or_else(|| panic!("{sql}: {e}")),
    }
}

async fn count_events(client: &tokio_postgres::Client) -> i64 {
    client
        .query_one("SELECT count(*) FROM security_events", &[])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn the_service_role_migrates_but_cannot_erase_the_audit_log() {
    let db = Bootstrapped::new(true).await;
    // `auth migrate`, as the role.
    let applied = service_runtime::db::migrate(&db.url, auth::MIGRATIONS)
        .await
        .unwrap();
    assert!(!applied.is_empty());
    // Compose runs the bootstrap at every start: on a migrated database too.
    db.bootstrap("another-password-is-fine", true);
    let mut url = Url::parse(&db.url).unwrap();
    url.set_password(Some("another-password-is-fine")).unwrap();
    let client = testkit::connect_pg(url.as_str()).await;

    let row = client
        .query_one(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname = current_user",
            &[],
        )
        .await
        .unwrap();
    for i in 0..4 {
        assert!(!row.get::<_, bool>(i), "attribute {i} of the role");
    }

    // What the service does: append and read.
    client
        .batch_execute(
            "INSERT INTO security_events (kind, ip) VALUES ('LOGIN_FAILED', '198.51.100.7'), ('LOGGED_IN', '198.51.100.7')",
        )
        .await
        .unwrap();
    assert_eq!(count_events(&client).await, 2);

    // What an intruder with the service's credentials would try.
    for attack in [
        "DROP TRIGGER security_events_no_update_or_delete ON security_events",
        "DROP TRIGGER security_events_no_truncate ON security_events",
        "ALTER TABLE security_events DISABLE TRIGGER ALL",
        "ALTER TABLE security_events DISABLE TRIGGER USER",
        "ALTER TABLE security_events DISABLE TRIGGER security_events_no_update_or_delete",
        "ALTER TABLE security_events ENABLE REPLICA TRIGGER security_events_no_update_or_delete",
        "ALTER TRIGGER security_events_no_truncate ON security_events RENAME TO renamed",
        "DELETE FROM security_events",
        "UPDATE security_events SET ip = NULL",
        "TRUNCATE security_events",
        "DROP TABLE security_events",
        "DROP SCHEMA public CASCADE",
        "DROP OWNED BY CURRENT_USER",
        "SET session_replication_role = replica",
        "ALTER TABLE security_events RENAME TO old_events",
        "ALTER TABLE security_events DROP COLUMN ip",
        "ALTER TABLE security_events ALTER COLUMN ip TYPE varchar(1) USING NULL",
        "ALTER TABLE security_events SET UNLOGGED",
        "CREATE OR REPLACE FUNCTION security_events_append_only() RETURNS trigger \
         LANGUAGE plpgsql AS 'BEGIN RETURN OLD; END'",
        "DROP FUNCTION security_events_append_only() CASCADE",
        "CREATE RULE keep_quiet AS ON INSERT TO security_events DO INSTEAD NOTHING",
        "CREATE FUNCTION swallow() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END'; \
         CREATE TRIGGER swallow BEFORE INSERT ON security_events FOR EACH ROW EXECUTE FUNCTION swallow()",
        "ALTER EVENT TRIGGER audit_guard_sql_drop DISABLE",
        "DROP EVENT TRIGGER audit_guard_ddl_command_end",
        "CREATE OR REPLACE FUNCTION audit_guard.on_sql_drop() RETURNS event_trigger \
         LANGUAGE plpgsql AS 'BEGIN END'",
        &format!("DROP DATABASE \"{}\"", db.database),
        &format!("ALTER ROLE \"{}\" SUPERUSER", db.role),
    ] {
        assert_eq!(refused(&client, attack).await, "42501", "{attack}");
    }
    assert_eq!(count_events(&client).await, 2);
    let disabled: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'security_events'::regclass AND tgenabled <> 'O'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(disabled, 0);

    // Later migrations may still add columns, and the rest of the schema
    // is the role's own.
    client
        .batch_execute(
            "ALTER TABLE security_events ADD COLUMN note TEXT; \
             CREATE TABLE scratch (id int); DROP TABLE scratch; \
             DELETE FROM rate_limits",
        )
        .await
        .unwrap();
    client
        .batch_execute(
            "INSERT INTO security_events (kind, note) VALUES ('LOGGED_IN', 'still appends')",
        )
        .await
        .unwrap();
    assert_eq!(count_events(&client).await, 3);
}

#[tokio::test]
async fn other_services_get_a_plain_role_that_owns_its_schema() {
    let db = Bootstrapped::new(false).await;
    let applied = service_runtime::db::migrate(&db.url, users::MIGRATIONS)
        .await
        .unwrap();
    assert!(!applied.is_empty());
    let client = testkit::connect_pg(&db.url).await;
    let owner: String = client
        .query_one(
            "SELECT pg_get_userbyid(nspowner)::text FROM pg_namespace WHERE nspname = 'public'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(owner, db.role);
    // No guard here: the role may do what it likes in its own schema…
    client
        .batch_execute("CREATE TABLE scratch (id int); DROP TABLE scratch")
        .await
        .unwrap();
    // …and nothing beyond it.
    assert_eq!(
        refused(&client, &format!("DROP DATABASE \"{}\"", db.database)).await,
        "42501"
    );
    assert_eq!(refused(&client, "CREATE SCHEMA elsewhere").await, "42501");
}
