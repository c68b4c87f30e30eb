//! The one helper through which tests find the shared test data: `$CLEARWAY_DATA`, defaulting to
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
