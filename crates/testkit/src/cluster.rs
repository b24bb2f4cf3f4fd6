//! A private, throwaway PostgreSQL cluster built from the machine's own
//! binaries.
//!
//! Why: tests must run on a fresh checkout without anyone starting a database
//! first, and fault tests (database down, restarted mid-request) need a server
//! they are allowed to stop. The cluster lives in a temp directory, listens on
//! a free 127.0.0.1 port with trust auth, trades durability against OS
//! crashes for speed (`fsync=off`, ...; acknowledged commits do survive a
//! crash of the server itself) and dies with the test process.

use std::fmt;
use std::fs;
use std::io;
use std::net::TcpListener;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError, mpsc};
use std::time::{Duration, Instant};

use crate::sys;

/// Prefix of the data directories in `std::env::temp_dir()`; the full name is
/// `messenger-testkit-pg-<pid>-<n>`, so stale ones can be recognised by pid.
const DIR_PREFIX: &str = "messenger-testkit-pg-";
/// How long a freshly started server may take to accept connections.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a stop may take before the postmaster is killed outright.
const STOP_TIMEOUT: Duration = Duration::from_secs(15);

/// The PostgreSQL server binaries we need.
#[derive(Clone, Debug)]
pub(crate) struct PgBinaries {
    initdb: PathBuf,
    postgres: PathBuf,
}

impl PgBinaries {
    fn in_dir(dir: &Path) -> Option<Self> {
        let initdb = dir.join("initdb");
        let postgres = dir.join("postgres");
        (initdb.is_file() && postgres.is_file()).then_some(Self { initdb, postgres })
    }

    /// Look for `initdb` and `postgres`: `pg_config --bindir`, then the newest
    /// `/usr/lib/postgresql/*/bin` (Debian/Ubuntu keep them off PATH), then PATH.
    pub(crate) fn find() -> Option<Self> {
        static FOUND: OnceLock<Option<PgBinaries>> = OnceLock::new();
        FOUND
            .get_or_init(|| {
                Self::from_pg_config()
                    .or_else(Self::from_debian_layout)
                    .or_else(Self::from_path_env)
            })
            .clone()
    }

    fn from_pg_config() -> Option<Self> {
        let out = Command::new("pg_config")
            .arg("--bindir")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        let dir = String::from_utf8(out.stdout).ok()?;
        Self::in_dir(Path::new(dir.trim()))
    }

    fn from_debian_layout() -> Option<Self> {
        let mut versions: Vec<(Vec<u32>, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let name = entry.file_name().into_string().ok()?;
                let version = name
                    .split('.')
                    .map(str::parse::<u32>)
                    .collect::<Result<Vec<_>, _>>()
                    .ok()?;
                Some((version, entry.path().join("bin")))
            })
            .collect();
        versions.sort();
        versions.iter().rev().find_map(|(_, bin)| Self::in_dir(bin))
    }

    fn from_path_env() -> Option<Self> {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path).find_map(|dir| Self::in_dir(&dir))
    }
}

/// A throwaway PostgreSQL cluster owned by this process.
///
/// [`PrivateCluster::start`] runs `initdb` into a new temp directory and starts
/// `postgres` on a free port; the URL is
/// `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth). The server is
/// stopped and its directory removed when the value is dropped, and it is
/// killed with `SIGQUIT` if the test process ends first (even by a crash).
///
/// It works as root too: the directory is handed to the `postgres` system user
/// and the binaries run as that user, since PostgreSQL refuses to run as root.
///
/// All methods take `&self`, so a cluster can be shared (e.g. in an `Arc`)
/// between the code under test and the fault-injecting test.
pub struct PrivateCluster {
    base_dir: PathBuf,
    data_dir: PathBuf,
    log_file: PathBuf,
    port: u16,
    url: String,
    binaries: PgBinaries,
    /// `(uid, gid)` to run the binaries as when we are root.
    run_as: Option<(u32, u32)>,
    /// The running postmaster, if any.
    postmaster: Mutex<Option<Child>>,
}

impl fmt::Debug for PrivateCluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateCluster")
            .field("url", &self.url)
            .field("data_dir", &self.data_dir)
            .field("running", &self.is_running())
            .finish_non_exhaustive()
    }
}

impl PrivateCluster {
    /// Create and start a new cluster (a new one on every call).
    ///
    /// Takes a few seconds (initdb). Blocking; fine to call from async tests.
    ///
    /// # Panics
    /// If no PostgreSQL binaries are installed or the server does not start;
    /// the message includes the tail of the server log.
    pub fn start() -> PrivateCluster {
        let binaries = PgBinaries::find().unwrap_or_else(|| {
            panic!(
                "testkit: no PostgreSQL binaries found (pg_config --bindir, /usr/lib/postgresql/*/bin, PATH); \
                 install them (Debian/Ubuntu: apt-get install postgresql)"
            )
        });
        Self::start_with(binaries)
    }

    pub(crate) fn start_with(binaries: PgBinaries) -> PrivateCluster {
        remove_stale_dirs();

        static SEQ: AtomicU32 = AtomicU32::new(0);
        let seq = SEQ.fetch_add(1, Ordering::Relaxed);
        let base_dir =
            std::env::temp_dir().join(format!("{DIR_PREFIX}{}-{seq}", std::process::id()));
        let data_dir = base_dir.join("data");
        let log_file = base_dir.join("server.log");

        if base_dir.exists() {
            let _ = fs::remove_dir_all(&base_dir);
        }
        fs::create_dir_all(&base_dir)
            .unwrap_or_else(|e| panic!("testkit: cannot create {}: {e}", base_dir.display()));

        let run_as = if sys::is_root() {
            let ids = sys::lookup_user("postgres").unwrap_or_else(|| {
                panic!(
                    "testkit: running as root, but PostgreSQL refuses to run as root and there is no \
                     `postgres` system user to run it as; create one or run the tests as a normal user"
                )
            });
            std::os::unix::fs::chown(&base_dir, Some(ids.0), Some(ids.1)).unwrap_or_else(|e| {
                panic!(
                    "testkit: cannot chown {} to the postgres user: {e}",
                    base_dir.display()
                )
            });
            Some(ids)
        } else {
            None
        };

        let mut cluster = PrivateCluster {
            base_dir,
            data_dir,
            log_file,
            port: 0,
            url: String::new(),
            binaries,
            run_as,
            postmaster: Mutex::new(None),
        };
        cluster.initdb();

        // A free port can be taken by someone else before postgres binds it:
        // retry with a new one if the server exits during start-up.
        let mut last_error = String::new();
        for _ in 0..5 {
            let port = free_port();
            cluster.port = port;
            cluster.url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
            match cluster.launch() {
                Ok(()) => return cluster,
                Err(e) => last_error = e,
            }
        }
        panic!(
            "testkit: private PostgreSQL cluster in {} did not start: {last_error}\n{}",
            cluster.base_dir.display(),
            cluster.log_tail()
        );
    }

    /// Admin URL: `postgres://postgres@127.0.0.1:<port>/postgres`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The TCP port the server listens on (stays the same across restarts).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The cluster's data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Whether the postmaster is currently running.
    pub fn is_running(&self) -> bool {
        let mut guard = self.lock();
        match guard.as_mut().map(Child::try_wait) {
            Some(Ok(None)) => true,
            Some(Ok(Some(_)) | Err(_)) => {
                *guard = None;
                false
            }
            None => false,
        }
    }

    /// Stop the server ("fast" shutdown: clients are disconnected, data is
    /// kept). No-op if it is not running. Start it again with
    /// [`start_again`](Self::start_again).
    pub fn stop(&self) {
        if let Err(e) = self.stop_with(sys::SIGINT) {
            panic!("testkit: stopping private cluster: {e}");
        }
    }

    /// Stop the server like a crash ("immediate" shutdown, `SIGQUIT`): the
    /// next start runs crash recovery.
    pub fn stop_immediately(&self) {
        if let Err(e) = self.stop_with(sys::SIGQUIT) {
            panic!("testkit: stopping private cluster: {e}");
        }
    }

    /// Start a stopped server again on the same port and data. No-op if it
    /// is running. Blocks until it accepts connections.
    pub fn start_again(&self) {
        if self.is_running() {
            return;
        }
        if let Err(e) = self.launch() {
            panic!(
                "testkit: restarting private cluster on port {}: {e}\n{}",
                self.port,
                self.log_tail()
            );
        }
    }

    /// [`stop`](Self::stop) then [`start_again`](Self::start_again).
    pub fn restart(&self) {
        self.stop();
        self.start_again();
    }

    fn lock(&self) -> MutexGuard<'_, Option<Child>> {
        self.postmaster
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn command(&self, program: &Path) -> Command {
        let mut cmd = Command::new(program);
        // initdb wants to be able to chdir back to its cwd; as `postgres` it
        // might not be allowed into ours (e.g. /root).
        cmd.current_dir(&self.base_dir).stdin(Stdio::null());
        if let Some((uid, gid)) = self.run_as {
            cmd.uid(uid).gid(gid);
        }
        cmd
    }

    fn initdb(&self) {
        let out = self
            .command(&self.binaries.initdb)
            .arg("-D")
            .arg(&self.data_dir)
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ])
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "testkit: cannot run {}: {e}",
                    self.binaries.initdb.display()
                )
            });
        assert!(
            out.status.success(),
            "testkit: initdb failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Spawn the postmaster and wait until it accepts connections.
    fn launch(&self) -> Result<(), String> {
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_file)
            .map_err(|e| format!("cannot open {}: {e}", self.log_file.display()))?;
        let log2 = log.try_clone().map_err(|e| e.to_string())?;

        let mut cmd = self.command(&self.binaries.postgres);
        cmd.arg("-D")
            .arg(&self.data_dir)
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-k")
            .arg(&self.base_dir)
            .args([
                "-c",
                "listen_addresses=127.0.0.1",
                // No fsync: only an OS crash could lose data, and the
                // cluster does not outlive the test. But commits stay
                // synchronous (WAL written to the OS before the commit is
                // acknowledged): with `synchronous_commit=off` a crash-like
                // stop (`stop_immediately`) loses the last ~600 ms of
                // acknowledged commits, and a fault test then sees rows it
                // wrote vanish (a user's profile answered NOT_FOUND after
                // the restart). Costs one write(2) per commit.
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=on",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=300",
            ])
            .stdout(log)
            .stderr(log2);
        sys::quit_when_parent_thread_dies(&mut cmd);

        let mut child = spawn_from_immortal_thread(cmd)
            .map_err(|e| format!("cannot run {}: {e}", self.binaries.postgres.display()))?;
        match wait_until_ready(&self.url, &mut child) {
            Ok(()) => {
                *self.lock() = Some(child);
                Ok(())
            }
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                Err(e)
            }
        }
    }

    fn stop_with(&self, signal: libc::c_int) -> Result<(), String> {
        let Some(mut child) = self.lock().take() else {
            return Ok(());
        };
        if matches!(child.try_wait(), Ok(Some(_))) {
            return Ok(());
        }
        sys::send_signal(child.id(), signal);
        let deadline = Instant::now() + STOP_TIMEOUT;
        loop {
            match child.try_wait() {
                Ok(Some(_)) => return Ok(()),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Ok(None) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!(
                        "postgres did not stop within {STOP_TIMEOUT:?}; killed it"
                    ));
                }
                Err(e) => return Err(format!("waiting for postgres: {e}")),
            }
        }
    }

    fn log_tail(&self) -> String {
        let log = fs::read_to_string(&self.log_file).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(20)..].join("\n");
        format!("--- {} (last lines) ---\n{tail}", self.log_file.display())
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        if let Err(e) = self.stop_with(sys::SIGINT) {
            eprintln!("testkit: stopping private cluster: {e}");
        }
        let _ = fs::remove_dir_all(&self.base_dir);
    }
}

/// Ask the OS for a free port. Racy by nature; callers retry on failure.
fn free_port() -> u16 {
    let addr = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap_or_else(|e| panic!("testkit: cannot find a free TCP port: {e}"));
    addr.port()
}

type SpawnRequest = (Command, mpsc::Sender<io::Result<Child>>);

/// Spawn `cmd` from a dedicated thread that lives as long as the process.
///
/// `PR_SET_PDEATHSIG` fires when the *thread* that forked the child exits,
/// not the process; spawning from a short-lived test thread would kill the
/// server as soon as that test finished.
pub(crate) fn spawn_from_immortal_thread(cmd: Command) -> io::Result<Child> {
    static SPAWNER: OnceLock<mpsc::Sender<SpawnRequest>> = OnceLock::new();
    let spawner = SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnRequest>();
        std::thread::Builder::new()
            .name("testkit-pg-spawner".into())
            .spawn(move || {
                for (mut cmd, reply) in rx {
                    let _ = reply.send(cmd.spawn());
                }
                // The sender lives in a static, so this is never reached; if it
                // were, exiting would signal the children, so stay parked.
                loop {
                    std::thread::park();
                }
            })
            .unwrap_or_else(|e| panic!("testkit: cannot start spawner thread: {e}"));
        tx
    });
    let (reply_tx, reply_rx) = mpsc::channel();
    spawner
        .send((cmd, reply_tx))
        .map_err(|_| io::Error::other("spawner thread is gone"))?;
    reply_rx
        .recv()
        .map_err(|_| io::Error::other("spawner thread is gone"))?
}

/// Poll until the server at `url` runs a query, or `child` exits, or
/// [`READY_TIMEOUT`] passes. Runs its own runtime on a scoped thread, so it
/// works whether or not the caller is inside a tokio runtime.
fn wait_until_ready(url: &str, child: &mut Child) -> Result<(), String> {
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| format!("cannot build tokio runtime: {e}"))?;
                runtime.block_on(async {
                    let deadline = Instant::now() + READY_TIMEOUT;
                    let mut last_error = String::from("no attempt made");
                    while Instant::now() < deadline {
                        if let Ok(Some(status)) = child.try_wait() {
                            return Err(format!("postgres exited during start-up ({status})"));
                        }
                        match crate::pg::try_query_one(url, Duration::from_secs(2)).await {
                            Ok(()) => return Ok(()),
                            Err(e) => last_error = e,
                        }
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    Err(format!(
                        "postgres did not accept connections within {READY_TIMEOUT:?} (last error: {last_error})"
                    ))
                })
            })
            .join()
            .unwrap_or_else(|_| Err("readiness check panicked".to_owned()))
    })
}

/// Remove data directories left by test processes that no longer exist (a
/// killed process cannot clean up; its postmaster already died with it).
fn remove_stale_dirs() {
    let Ok(entries) = fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    let me = std::process::id();
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(DIR_PREFIX)) else {
            continue;
        };
        let Some(Ok(pid)) = rest.split('-').next().map(str::parse::<u32>) else {
            continue;
        };
        if pid == me || sys::process_alive(pid) {
            continue;
        }
        // Belt and braces (pid namespaces share /tmp): leave it alone if its
        // postmaster still runs.
        let postmaster_pid = fs::read_to_string(entry.path().join("data/postmaster.pid"))
            .ok()
            .and_then(|s| s.lines().next().and_then(|l| l.trim().parse::<u32>().ok()));
        if postmaster_pid.is_some_and(sys::process_alive) {
            continue;
        }
        let _ = fs::remove_dir_all(entry.path());
    }
}
