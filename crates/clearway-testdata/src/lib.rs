//! Test and bench support. The one helper through which tests find the shared test data: `$CLEARWAY_DATA`, defaulting to
//! `../shared/data` beside the repository. Tests call [`data_dir`] (or [`file`]) and return early when it
//! gives `None`; the reason is printed so a skipped test says why.

use std::path::{Path, PathBuf};

/// The data directory, or `None` (with a printed reason) when it is absent.
pub fn data_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("CLEARWAY_DATA") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"),
    };
    if dir.is_dir() {
        Some(dir.canonicalize().unwrap_or(dir))
    } else {
        eprintln!("skipping: test data not found at {} (set CLEARWAY_DATA)", dir.display());
        None
    }
}

/// A file or folder under the data directory, or `None` (with a printed reason).
pub fn file(rel: &str) -> Option<PathBuf> {
    let p = data_dir()?.join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipping: {} not found in the test data", p.display());
        None
    }
}

/// CPU time this thread has run so far, from the scheduler's statistics (`/proc/thread-self/schedstat`,
/// Linux); `None` elsewhere. Benchmarks and examples report it beside wall time so that, on a shared and
/// loaded machine, time spent waiting for a core does not count. The kernel updates the counter at
/// scheduler ticks, so it suits spans of milliseconds or more.
pub fn thread_cpu() -> Option<std::time::Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(std::time::Duration::from_nanos(s.split_whitespace().next()?.parse().ok()?))
}
