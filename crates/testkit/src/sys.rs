//! The handful of libc calls the private cluster needs.
//!
//! The workspace denies `unsafe_code`; this module is the one place in the
//! test kit that allows it, because there is no safe std API for: the
//! effective uid (initdb/postgres refuse to run as root, so we must know),
//! user lookup (to run them as `postgres` instead), the parent-death signal
//! (so a crashed or finished test process never leaves a postmaster behind)
//! and sending signals to a pid.
#![allow(unsafe_code)]

use std::ffi::CString;
use std::io;
use std::process::Command;

/// Whether this process runs with effective uid 0.
pub(crate) fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// `(uid, gid)` of a system user, via the thread-safe `getpwnam_r`.
pub(crate) fn lookup_user(name: &str) -> Option<(u32, u32)> {
    let cname = CString::new(name).ok()?;
    // SAFETY: `passwd` is plain old data; all-zero is a valid (empty) value.
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut buf: Vec<libc::c_char> = vec![0; 16 * 1024];
    let mut result: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the duration of the call and `buf.len()`
    // is the real size of `buf`; the strings in `pwd` point into `buf`, which we
    // do not read after it is dropped (we only copy the two integers out).
    let rc = unsafe {
        libc::getpwnam_r(
            cname.as_ptr(),
            &raw mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &raw mut result,
        )
    };
    if rc != 0 || result.is_null() {
        return None;
    }
    Some((pwd.pw_uid, pwd.pw_gid))
}

/// Make the child get `SIGQUIT` (postgres' "immediate shutdown") when the
/// thread that spawned it dies. The spawning thread must therefore live as
/// long as the process (see `cluster::spawn_from_immortal_thread`).
pub(crate) fn quit_when_parent_thread_dies(cmd: &mut Command) {
    use std::os::unix::process::CommandExt as _;
    // SAFETY: the closure runs between fork and exec; it only calls prctl,
    // which is async-signal-safe, and allocates nothing.
    unsafe {
        cmd.pre_exec(|| {
            #[cfg(target_os = "linux")]
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGQUIT) == -1 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Send `signal` to `pid`. Returns false if the process does not exist.
pub(crate) fn send_signal(pid: u32, signal: libc::c_int) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: kill has no memory-safety preconditions.
    unsafe { libc::kill(pid, signal) == 0 }
}

/// Whether a process with this pid exists (possibly owned by another user).
pub(crate) fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks for existence and permission.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

pub(crate) use libc::{SIGINT, SIGQUIT};
