//! Readers for Clearway's native filing formats.

use clearway_core::{Diagnostic, Filing};

/// A filing that was understood, with warnings about what was repaired or ignored.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub filing: Filing,
    pub diagnostics: Vec<Diagnostic>,
}

/// One input record (a JSON line, an array element, a CSV row) and what became of it.
#[derive(Debug, Clone)]
pub struct Record {
    /// 1-based line where the record starts.
    pub line: u64,
    /// The record's raw bytes, as received.
    pub raw: Vec<u8>,
    /// The filing, or the errors (with at least one `Severity::Error`) that rejected it.
    pub outcome: Result<Parsed, Vec<Diagnostic>>,
}
