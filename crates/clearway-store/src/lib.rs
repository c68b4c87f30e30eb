//! The store seam. Principal types: [`Store`] (the trait every backend implements), [`BatchItem`]
//! (one accepted or rejected input of a batch), [`Outcome`] (what the store did with it) and
//! [`History`] (the stored versions of a filing, for the deadline clock and amendments).
//!
//! Implementations: [`sqlite::SqliteStore`] (embedded default: one file, WAL) and
//! [`postgres::PgStore`]; [`memory::MemoryStore`] for benchmarks and tests. All pass the same suite.
//!
//! Invariants: a batch is written atomically (all or nothing); `(filing_id, version)` is stored once and
//! its first decision stands; raw input bytes are kept for every accepted and rejected input; rejected
//! inputs are deduplicated by content hash.

use chrono::{DateTime, Utc};
use clearway_core::{Decision, Diagnostic, Filing, FilingStatus, Lane, Membership};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod codec;
pub mod exams;
pub mod lists;
pub mod memory;
pub mod postgres;
pub mod sqlite;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("postgres: {0}")]
    Postgres(#[from] ::postgres::Error),
    #[error("stored JSON is corrupt: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Other(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Where an input came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputRef {
    /// File name (or `-` for stdin).
    pub source: String,
    /// 1-based line (JSON Lines, CSV) or record number.
    pub line: u64,
}

/// An accepted filing with its decision.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub input: InputRef,
    pub raw: Vec<u8>,
    pub filing: Filing,
    /// Diagnostics (warnings) the reader produced while accepting it.
    pub diagnostics: Vec<Diagnostic>,
    pub decision: Decision,
}

/// A rejected input with its reasons.
#[derive(Debug, Clone)]
pub struct Rejected {
    pub input: InputRef,
    pub raw: Vec<u8>,
    pub diagnostics: Vec<Diagnostic>,
}

// Items are built once per input and held in a batch `Vec`; boxing the common variant would only add
// an allocation per item.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum BatchItem {
    Accepted(Accepted),
    Rejected(Rejected),
}

/// What the store did with one batch item, in batch order.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A new filing version; its decision is stored.
    Stored,
    /// This `(filing_id, version)` was already stored: the decision that stands is returned.
    Duplicate(Box<Decision>),
    /// A rejected input, stored (or already stored: `new == false`).
    Rejected { new: bool },
}

/// One stored version of a filing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionInfo {
    pub version: u32,
    pub status: FilingStatus,
    pub filed_at: Option<DateTime<Utc>>,
    pub lane: Option<Lane>,
    pub score: Option<f64>,
    pub stored_at: DateTime<Utc>,
}

/// The stored versions of one filing, oldest first.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct History {
    pub versions: Vec<VersionInfo>,
}

impl History {
    /// The filing time of the earliest stored version.
    pub fn first_filed_at(&self) -> Option<DateTime<Utc>> {
        self.versions.first().and_then(|v| v.filed_at)
    }
}

/// A stored rejected input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectRecord {
    pub source: String,
    pub line: u64,
    pub hash: String,
    pub raw: Vec<u8>,
    pub diagnostics: Vec<Diagnostic>,
    pub stored_at: DateTime<Utc>,
}

/// Counts for `clearway stats`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Stats {
    /// Distinct filing ids.
    pub filings: u64,
    /// Stored filing versions.
    pub versions: u64,
    pub decisions: u64,
    /// Decisions on the latest version of each filing, per lane.
    pub lanes: BTreeMap<String, u64>,
    pub rejected: u64,
    pub memberships: u64,
}

/// The store seam.
pub trait Store: Send {
    /// Write a batch atomically. Returns one outcome per item, in order.
    fn write_batch(&mut self, items: &[BatchItem]) -> Result<Vec<Outcome>>;
    /// Stored versions of a filing, oldest first (empty when unknown).
    fn history(&mut self, filing_id: &str) -> Result<History>;
    /// One stored filing version.
    fn filing(&mut self, filing_id: &str, version: u32) -> Result<Option<Filing>>;
    /// The decision on one version.
    fn decision(&mut self, filing_id: &str, version: u32) -> Result<Option<Decision>>;
    /// The decision on the latest stored version.
    fn latest_decision(&mut self, filing_id: &str) -> Result<Option<Decision>>;
    /// Raw input bytes of one stored version.
    fn raw_input(&mut self, filing_id: &str, version: u32) -> Result<Option<Vec<u8>>>;
    /// Rejected inputs, most recent first.
    fn rejects(&mut self, limit: usize) -> Result<Vec<RejectRecord>>;
    /// Insert or replace memberships (keyed by program and member id).
    fn upsert_memberships(&mut self, memberships: &[Membership]) -> Result<usize>;
    /// All memberships.
    fn memberships(&mut self) -> Result<Vec<Membership>>;
    fn stats(&mut self) -> Result<Stats>;
    /// Sanctions-list storage (list versions, dispositions); an error when the backend has none.
    fn lists(&mut self) -> Result<&mut dyn lists::ListStore> {
        Err(StoreError::Other("list storage is not supported by this store".into()))
    }

    // Examination results and top-up selections (exams.rs). Defaults: not supported by this store.
    /// Append examination results.
    fn record_exams(&mut self, _exams: &[exams::ExamResult]) -> Result<usize> {
        Err(StoreError::Other("exam results are not supported by this store".into()))
    }
    /// Every recorded examination result, oldest first: (filing_id, version?, result, severity, revenue,
    /// note, recorded_at).
    fn exam_results(&mut self) -> Result<Vec<exams::ExamResult>> {
        Err(StoreError::Other("exam results are not supported by this store".into()))
    }
    /// Stored decisions with their filings, for filings filed in `[from, to)` (all when `None`).
    fn decisions_filed(&mut self, _from: Option<DateTime<Utc>>, _to: Option<DateTime<Utc>>) -> Result<Vec<exams::StoredDecision>> {
        Err(StoreError::Other("scanning decisions is not supported by this store".into()))
    }
    /// Visit every stored filing version once (the filings [`Store::decisions_filed`] returns without a
    /// window: each `(filing_id, version)`, amendments included), streamed: decisions are not read and the
    /// filings are not collected. Returns how many were visited. SQLite visits them in storage order;
    /// PostgreSQL in no particular order.
    fn scan_filings(&mut self, _f: &mut dyn FnMut(&Filing)) -> Result<usize> {
        Err(StoreError::Other("scanning filings is not supported by this store".into()))
    }
    /// Record top-up selections (a selection already recorded for the same filing version and lane stays).
    fn record_selections(&mut self, _sel: &[exams::SelectionRecord]) -> Result<usize> {
        Err(StoreError::Other("selections are not supported by this store".into()))
    }
    /// Every recorded top-up selection.
    fn selections(&mut self) -> Result<Vec<exams::SelectionRecord>> {
        Err(StoreError::Other("selections are not supported by this store".into()))
    }
}

/// Hex BLAKE3 hash of raw input bytes (how rejected inputs are deduplicated).
pub fn content_hash(raw: &[u8]) -> String {
    blake3::hash(raw).to_hex().to_string()
}
