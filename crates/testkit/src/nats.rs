//! A private NATS server with JetStream (`nats-server -js`) that a fault
//! test may stop and start again: same port, same store directory, so
//! streams and their messages survive the restart.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::sys;

/// A `nats-server -js` owned by the test; killed when dropped.
pub struct PrivateNats {
    binary: PathBuf,
    port: u16,
    store: PathBuf,
    server: Mutex<Option<Child>>,
}

impl PrivateNats {
    /// Starts one on a free port (`nats-server` from PATH or /usr/sbin).
    ///
    /// # Panics
    /// If there is no `nats-server`, or it does not listen within 10 s.
    pub fn start() -> PrivateNats {
        let binary = find_binary().unwrap_or_else(|| {
            panic!(
                "testkit: no nats-server on PATH (or /usr/sbin, /usr/local/bin); \
                 install it (apt-get install nats-server) for the broker fault tests"
            )
        });
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap_or_else(|e| panic!("testkit: no free port: {e}"))
            .port();
        let store = std::env::temp_dir().join(format!(
            "messenger-testkit-nats-{}-{port}",
            std::process::id()
        ));
        let nats = PrivateNats {
            binary,
            port,
            store,
            server: Mutex::new(None),
        };
        nats.start_again();
        nats
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Stops the server (SIGKILL: nothing is flushed on the way out, as in
    /// a crash). No-op if it is not running.
    pub fn stop(&self) {
        if let Some(mut child) = self.lock().take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it (again) on the same port and store; blocks until it listens.
    ///
    /// # Panics
    /// If it does not listen within 10 s.
    pub fn start_again(&self) {
        let mut server = self.lock();
        if server.is_some() {
            return;
        }
        let mut cmd = Command::new(&self.binary);
        cmd.args(["-js", "-a", "127.0.0.1", "-p"])
            .arg(self.port.to_string())
            .arg("-sd")
            .arg(&self.store)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // Dies with the test process, whichever thread asked for it.
        sys::quit_when_parent_thread_dies(&mut cmd);
        let child = crate::cluster::spawn_from_immortal_thread(cmd)
            .unwrap_or_else(|e| panic!("testkit: starting nats-server: {e}"));
        *server = Some(child);
        drop(server);
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "testkit: nats-server did not listen on {} within 10 s",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Child>> {
        self.server.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for PrivateNats {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.store);
    }
}

fn find_binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/usr/local/bin".into()])
        .map(|dir| dir.join("nats-server"))
        .find(|bin| bin.is_file())
}
