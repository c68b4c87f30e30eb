//! An in-process backend for benchmarks and tests. Principal type: [`MemoryStore`].
//!
//! Same semantics as the SQL backends (atomic batches, first decision stands, rejects unique by content
//! hash); nothing survives the process.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use clearway_core::{Decision, Diagnostic, Filing, Membership};

use crate::codec::check_accepted;
use crate::{BatchItem, History, InputRef, Outcome, RejectRecord, Result, Stats, Store, VersionInfo, content_hash};

/// One stored filing version.
#[derive(Debug, Clone)]
struct StoredVersion {
    #[allow(dead_code)] // kept like the SQL backends keep it; not read through the trait
    input: InputRef,
    raw: Vec<u8>,
    filing: Filing,
    #[allow(dead_code)]
    diagnostics: Vec<Diagnostic>,
    decision: Decision,
    stored_at: DateTime<Utc>,
}

/// The in-memory store.
#[derive(Debug, Default)]
pub struct MemoryStore {
    /// Filing id → version → stored version.
    filings: HashMap<String, BTreeMap<u32, StoredVersion>>,
    versions: u64,
    /// Oldest first.
    rejects: Vec<RejectRecord>,
    reject_hashes: HashSet<String>,
    /// (program, member id) → membership.
    memberships: BTreeMap<(String, String), Membership>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn stored(&self, filing_id: &str, version: u32) -> Option<&StoredVersion> {
        self.filings.get(filing_id).and_then(|vs| vs.get(&version))
    }
}

impl Store for MemoryStore {
    fn write_batch(&mut self, items: &[BatchItem]) -> Result<Vec<Outcome>> {
        // Check everything first: applying cannot fail, so a batch is all or nothing.
        for item in items {
            if let BatchItem::Accepted(a) = item {
                check_accepted(a)?;
            }
        }
        let now = Utc::now();
        let mut outcomes = Vec::with_capacity(items.len());
        for item in items {
            match item {
                BatchItem::Accepted(a) => {
                    let versions = self.filings.entry(a.filing.id.clone()).or_default();
                    if let Some(existing) = versions.get(&a.filing.version) {
                        outcomes.push(Outcome::Duplicate(Box::new(existing.decision.clone())));
                        continue;
                    }
                    versions.insert(
                        a.filing.version,
                        StoredVersion {
                            input: a.input.clone(),
                            raw: a.raw.clone(),
                            filing: a.filing.clone(),
                            diagnostics: a.diagnostics.clone(),
                            decision: a.decision.clone(),
                            stored_at: now,
                        },
                    );
                    self.versions += 1;
                    outcomes.push(Outcome::Stored);
                }
                BatchItem::Rejected(r) => {
                    let hash = content_hash(&r.raw);
                    let new = self.reject_hashes.insert(hash.clone());
                    if new {
                        self.rejects.push(RejectRecord {
                            source: r.input.source.clone(),
                            line: r.input.line,
                            hash,
                            raw: r.raw.clone(),
                            diagnostics: r.diagnostics.clone(),
                            stored_at: now,
                        });
                    }
                    outcomes.push(Outcome::Rejected { new });
                }
            }
        }
        Ok(outcomes)
    }

    fn history(&mut self, filing_id: &str) -> Result<History> {
        let versions = self
            .filings
            .get(filing_id)
            .map(|vs| {
                vs.values()
                    .map(|s| VersionInfo {
                        version: s.filing.version,
                        status: s.filing.status,
                        filed_at: s.filing.times.filed_at,
                        lane: Some(s.decision.lane),
                        score: Some(s.decision.score),
                        stored_at: s.stored_at,
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok(History { versions })
    }

    fn filing(&mut self, filing_id: &str, version: u32) -> Result<Option<Filing>> {
        Ok(self.stored(filing_id, version).map(|s| s.filing.clone()))
    }

    fn decision(&mut self, filing_id: &str, version: u32) -> Result<Option<Decision>> {
        Ok(self.stored(filing_id, version).map(|s| s.decision.clone()))
    }

    fn latest_decision(&mut self, filing_id: &str) -> Result<Option<Decision>> {
        Ok(self.filings.get(filing_id).and_then(|vs| vs.values().next_back()).map(|s| s.decision.clone()))
    }

    fn raw_input(&mut self, filing_id: &str, version: u32) -> Result<Option<Vec<u8>>> {
        Ok(self.stored(filing_id, version).map(|s| s.raw.clone()))
    }

    fn rejects(&mut self, limit: usize) -> Result<Vec<RejectRecord>> {
        Ok(self.rejects.iter().rev().take(limit).cloned().collect())
    }

    fn upsert_memberships(&mut self, memberships: &[Membership]) -> Result<usize> {
        for m in memberships {
            self.memberships.insert((m.program.as_str().to_owned(), m.member_id.clone()), m.clone());
        }
        Ok(memberships.len())
    }

    fn memberships(&mut self) -> Result<Vec<Membership>> {
        Ok(self.memberships.values().cloned().collect())
    }

    fn stats(&mut self) -> Result<Stats> {
        let mut lanes = BTreeMap::new();
        let mut filings = 0u64;
        for latest in self.filings.values().filter_map(|vs| vs.values().next_back()) {
            filings += 1;
            *lanes.entry(latest.decision.lane.as_str().to_owned()).or_insert(0) += 1;
        }
        Ok(Stats {
            filings,
            versions: self.versions,
            decisions: self.versions,
            lanes,
            rejected: self.rejects.len() as u64,
            memberships: self.memberships.len() as u64,
        })
    }
}
