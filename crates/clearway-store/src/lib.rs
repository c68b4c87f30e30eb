//! The store seam. Principal types: [`Store`] (the union of the capability traits below, which every
//! backend implements in full), [`BatchItem`] (one accepted or rejected input of a batch), [`Outcome`]
//! (what the store did with it) and [`History`] (the stored versions of a filing, for the deadline clock
//! and amendments).
//!
//! Capabilities: [`FilingStore`] (filings, decisions, rejects, memberships), [`ExamStore`],
//! [`SelectionStore`], [`ListAccess`] (sanctions lists, [`lists`]), [`UserStore`] (accounts, token
//! hashes, failed sign-ins, [`users`]), [`AuditStore`] (the hash-chained audit log and
//! [`audit::verify`]) and [`CaseStore`] (assignments, overrides, the queue, [`cases`]) and [`LicenceStore`] (export licences and
//! their balances, drawn atomically with the batch that stores the decision, [`licences`]). Workflows take
//! `&mut dyn Store`; a method on a concrete backend needs its capability trait in scope.
//!
//! Implementations: [`sqlite::SqliteStore`] (embedded default: one file, WAL) and
//! [`postgres::PgStore`]; [`memory::MemoryStore`] for benchmarks and tests. All pass the same suite.
//! Blocking: every call is synchronous; an async caller runs it on a blocking pool.
//!
//! Invariants: a batch is written atomically (all or nothing); `(filing_id, version)` is stored once and
//! its first decision stands; raw input bytes are kept for every accepted and rejected input; rejected
//! inputs are deduplicated by content hash; the audit log is only appended to, with gapless seqs; an
//! override never changes the decision it overrides; the store never sees a password or token secret.

use chrono::{DateTime, Utc};
use clearway_core::{Decision, Diagnostic, Filing, FilingStatus, Lane, Membership};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub mod audit;
pub mod cases;
mod codec;
pub mod exams;
pub mod licences;
pub mod lists;
pub mod memory;
pub mod postgres;
pub mod sqlite;
pub mod users;

pub use audit::{AuditEntry, AuditEvent, AuditFilter, AuditStore, AuditVerify, Broken};
pub use cases::{Assignment, CaseStore, Override, QueueFilter, QueueItem, QueuePage};
pub use licences::{DrawRecord, LicenceImport, LicenceStore, StoredLicence};
pub use lists::{ListAccess, ListStore};
pub use users::{Role, TokenRecord, User, UserStore};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("postgres: {0}")]
    Postgres(#[from] ::postgres::Error),
    #[error("stored JSON is corrupt: {0}")]
    Json(#[from] serde_json::Error),
    /// A write refused because it conflicts with what is stored (a user or token that already
    /// exists, an unknown user for a token); the message names the record.
    #[error("{0}")]
    Conflict(String),
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

/// Filings, their decisions, rejected inputs and trusted-trader memberships: what a screening run
/// writes and reads.
pub trait FilingStore: Send {
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
    /// Stored decisions with their filings, for filings filed in `[from, to)` (all when `None`).
    fn decisions_filed(&mut self, from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Result<Vec<exams::StoredDecision>>;
    /// Visit every stored filing version once (the filings [`FilingStore::decisions_filed`] returns
    /// without a window: each `(filing_id, version)`, amendments included), streamed: decisions are not
    /// read and the filings are not collected. Returns how many were visited. SQLite visits them in
    /// storage order; PostgreSQL in no particular order; memory by filing id and version.
    fn scan_filings(&mut self, f: &mut dyn FnMut(&Filing)) -> Result<usize>;
}

/// Examination results (feedback for profiles and the learned model).
pub trait ExamStore: Send {
    /// Append examination results (all or none of them).
    fn record_exams(&mut self, exams: &[exams::ExamResult]) -> Result<usize>;
    /// Every recorded examination result, oldest first.
    fn exam_results(&mut self) -> Result<Vec<exams::ExamResult>>;
}

/// Top-up selections.
pub trait SelectionStore: Send {
    /// Record top-up selections (a selection already recorded for the same filing version and lane
    /// stays). Returns how many were new.
    fn record_selections(&mut self, sel: &[exams::SelectionRecord]) -> Result<usize>;
    /// Every recorded top-up selection, oldest first.
    fn selections(&mut self) -> Result<Vec<exams::SelectionRecord>>;
}

/// The store seam: every capability. Every backend implements all of them, so `&mut dyn Store` is what
/// workflows take; a function that needs one capability may take that trait alone.
pub trait Store:
    FilingStore + ExamStore + SelectionStore + lists::ListAccess + users::UserStore + audit::AuditStore + cases::CaseStore + licences::LicenceStore + Send
{
}

impl<T> Store for T where
    T: FilingStore + ExamStore + SelectionStore + lists::ListAccess + users::UserStore + audit::AuditStore + cases::CaseStore + licences::LicenceStore + Send
{
}

/// Hex BLAKE3 hash of raw input bytes (how rejected inputs are deduplicated).
pub fn content_hash(raw: &[u8]) -> String {
    blake3::hash(raw).to_hex().to_string()
}
