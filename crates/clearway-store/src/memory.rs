//! An in-process backend for benchmarks and tests. Principal type: [`MemoryStore`].
//!
//! Every capability, with the same semantics as the SQL backends (atomic batches, first decision stands,
//! rejects unique by content hash, exams and selections, lists, users and tokens, the audit chain, cases);
//! nothing survives the process.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use clearway_core::{Decision, Diagnostic, Filing, Membership};

use crate::audit::{AuditEntry, AuditEvent, AuditFilter, AuditStore, GENESIS, next_entry};
use crate::cases::{Assignment, CaseStore, Candidate, Override, QueueFilter, QueuePage, assemble, check_override};
use crate::codec::check_accepted;
use crate::exams::{ExamResult, SelectionRecord, StoredDecision};
use crate::lists::{Disposition, ListAccess, ListStore, ListVersion, StoredEntity, StoredParty, parties_of};
use crate::users::{TokenRecord, User, UserStore};
use crate::{
    BatchItem, ExamStore, FilingStore, History, InputRef, Outcome, RejectRecord, Result, SelectionStore, Stats, StoreError,
    VersionInfo, content_hash,
};

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
    /// Oldest first.
    exams: Vec<ExamResult>,
    /// Oldest first; unique by (filing id, version, lane).
    selections: Vec<SelectionRecord>,
    lists: MemoryLists,
    users: BTreeMap<String, User>,
    /// Oldest first.
    tokens: Vec<TokenRecord>,
    /// (name, at) of each failed sign-in.
    failed_signins: Vec<(String, DateTime<Utc>)>,
    /// Oldest first: `audit[i].seq == i + 1`.
    audit: Vec<AuditEntry>,
    assignments: BTreeMap<String, Assignment>,
    /// Oldest first.
    overrides: Vec<Override>,
    pub(crate) licences: crate::licences::MemoryLicences,
}

/// The list storage of a [`MemoryStore`].
#[derive(Debug, Default)]
struct MemoryLists {
    /// By list, then version.
    versions: BTreeMap<(String, u32), ListVersion>,
    /// (list, version) → entities by id.
    entities: HashMap<(String, u32), BTreeMap<String, StoredEntity>>,
    dispositions: Vec<Disposition>,
    /// Parties of the latest version of every filing, refreshed on each call of `stored_parties`.
    parties: Vec<StoredParty>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn stored(&self, filing_id: &str, version: u32) -> Option<&StoredVersion> {
        self.filings.get(filing_id).and_then(|vs| vs.get(&version))
    }
}

impl FilingStore for MemoryStore {
    fn write_batch(&mut self, items: &[BatchItem]) -> Result<Vec<Outcome>> {
        // Check everything first: applying cannot fail, so a batch is all or nothing.
        for item in items {
            if let BatchItem::Accepted(a) = item {
                check_accepted(a)?;
            }
        }
        // Licence draws of the decisions this batch stores (licences.rs), checked the same way.
        if crate::licences::batch_draws(items) {
            let mut pending = clearway_core::licence::Balances::new();
            let mut seen = HashSet::new();
            for item in items {
                if let BatchItem::Accepted(a) = item
                    && seen.insert((a.filing.id.as_str(), a.filing.version))
                    && !self.filings.get(&a.filing.id).is_some_and(|v| v.contains_key(&a.filing.version))
                {
                    let draws = crate::licences::decision_draws(&a.decision);
                    self.licences.check(&a.filing.id, a.filing.version, &draws, &mut pending)?;
                }
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
                    let draws = crate::licences::decision_draws(&a.decision);
                    if !draws.is_empty() {
                        self.licences.apply(&a.filing.id, a.filing.version, &draws, now);
                    }
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

    fn decisions_filed(&mut self, from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Result<Vec<StoredDecision>> {
        let mut out = Vec::new();
        for s in self.sorted_versions() {
            let filed = s.filing.times.filed_at;
            let inside = from.is_none_or(|lo| filed.is_some_and(|t| t >= lo)) && to.is_none_or(|hi| filed.is_some_and(|t| t < hi));
            if inside {
                out.push(StoredDecision { filing: s.filing.clone(), decision: s.decision.clone() });
            }
        }
        Ok(out)
    }

    fn scan_filings(&mut self, f: &mut dyn FnMut(&Filing)) -> Result<usize> {
        let mut n = 0;
        for s in self.sorted_versions() {
            f(&s.filing);
            n += 1;
        }
        Ok(n)
    }
}

impl MemoryStore {
    /// Every stored version, by filing id and version.
    fn sorted_versions(&self) -> Vec<&StoredVersion> {
        let mut ids: Vec<&String> = self.filings.keys().collect();
        ids.sort();
        ids.into_iter().flat_map(|id| self.filings[id].values()).collect()
    }
}

impl ExamStore for MemoryStore {
    fn record_exams(&mut self, exams: &[ExamResult]) -> Result<usize> {
        if let Some(e) = exams.iter().find(|e| e.revenue.is_some_and(|r| !r.is_finite())) {
            return Err(StoreError::Other(format!("exam result for {}: revenue is not a number", e.filing_id)));
        }
        self.exams.extend_from_slice(exams);
        Ok(exams.len())
    }

    fn exam_results(&mut self) -> Result<Vec<ExamResult>> {
        Ok(self.exams.clone())
    }
}

impl SelectionStore for MemoryStore {
    fn record_selections(&mut self, sel: &[SelectionRecord]) -> Result<usize> {
        let mut n = 0;
        for s in sel {
            let taken = self.selections.iter().any(|t| t.filing_id == s.filing_id && t.version == s.version && t.lane == s.lane);
            if !taken {
                self.selections.push(s.clone());
                n += 1;
            }
        }
        Ok(n)
    }

    fn selections(&mut self) -> Result<Vec<SelectionRecord>> {
        Ok(self.selections.clone())
    }
}

impl ListAccess for MemoryStore {
    fn lists(&mut self) -> Result<&mut dyn ListStore> {
        // The parties re-screening reads come from the filings, which `MemoryLists` cannot see.
        let mut parties = Vec::new();
        for (id, vs) in &self.filings {
            if let Some(latest) = vs.values().next_back() {
                parties.extend(parties_of(id, latest.filing.version, &latest.filing));
            }
        }
        parties.sort_by(|a, b| a.filing_id.cmp(&b.filing_id));
        self.lists.parties = parties;
        Ok(&mut self.lists)
    }
}

impl ListStore for MemoryLists {
    fn import_list(&mut self, list: &str, hash: &str, source: &str, names: u64, entities: &[(String, String, String)]) -> Result<Option<u32>> {
        let latest = self.versions.range((list.to_owned(), 0)..=(list.to_owned(), u32::MAX)).next_back().map(|(_, v)| v);
        if latest.is_some_and(|v| v.hash == hash) {
            return Ok(None);
        }
        let version = latest.map_or(1, |v| v.version + 1);
        let mut by_id = BTreeMap::new();
        for (id, fp, body) in entities {
            let e = StoredEntity { list: list.to_owned(), version, entity_id: id.clone(), fingerprint: fp.clone(), body: body.clone() };
            if by_id.insert(id.clone(), e).is_some() {
                return Err(StoreError::Other(format!("{list}: duplicated entity id {id}")));
            }
        }
        let v = ListVersion {
            list: list.to_owned(),
            version,
            hash: hash.to_owned(),
            source: source.to_owned(),
            entities: entities.len() as u64,
            names,
            imported_at: Utc::now(),
        };
        self.versions.insert((list.to_owned(), version), v);
        self.entities.insert((list.to_owned(), version), by_id);
        Ok(Some(version))
    }

    fn list_versions(&mut self) -> Result<Vec<ListVersion>> {
        Ok(self.versions.values().cloned().collect())
    }

    fn list_entities(&mut self, list: &str, version: u32) -> Result<Vec<StoredEntity>> {
        Ok(self.entities.get(&(list.to_owned(), version)).map(|m| m.values().cloned().collect()).unwrap_or_default())
    }

    fn latest_entities(&mut self) -> Result<Vec<StoredEntity>> {
        let mut latest: BTreeMap<&str, u32> = BTreeMap::new();
        for (list, version) in self.versions.keys() {
            latest.insert(list, *version);
        }
        let mut out = Vec::new();
        for (list, version) in latest {
            out.extend(self.entities[&(list.to_owned(), version)].values().cloned());
        }
        Ok(out)
    }

    fn add_disposition(&mut self, d: &Disposition) -> Result<()> {
        self.dispositions.push(d.clone());
        Ok(())
    }

    fn dispositions(&mut self) -> Result<Vec<Disposition>> {
        Ok(self.dispositions.clone())
    }

    fn stored_parties(&mut self) -> Result<Vec<StoredParty>> {
        Ok(self.parties.clone())
    }
}

impl UserStore for MemoryStore {
    fn add_user(&mut self, user: &User) -> Result<()> {
        if self.users.contains_key(&user.name) {
            return Err(StoreError::Conflict(format!("user {} already exists", user.name)));
        }
        self.users.insert(user.name.clone(), user.clone());
        Ok(())
    }

    fn user(&mut self, name: &str) -> Result<Option<User>> {
        Ok(self.users.get(name).cloned())
    }

    fn users(&mut self) -> Result<Vec<User>> {
        Ok(self.users.values().cloned().collect())
    }

    fn set_user_disabled(&mut self, name: &str, disabled: bool) -> Result<bool> {
        Ok(self.users.get_mut(name).map(|u| u.disabled = disabled).is_some())
    }

    fn set_password_hash(&mut self, name: &str, hash: Option<&str>) -> Result<bool> {
        Ok(self.users.get_mut(name).map(|u| u.password_hash = hash.map(str::to_owned)).is_some())
    }

    fn add_token(&mut self, token: &TokenRecord) -> Result<()> {
        if !self.users.contains_key(&token.user) {
            return Err(StoreError::Conflict(format!("token {}: no user {}", token.id, token.user)));
        }
        if self.tokens.iter().any(|t| t.id == token.id || t.hash == token.hash) {
            return Err(StoreError::Conflict(format!("token {} already exists", token.id)));
        }
        self.tokens.push(token.clone());
        Ok(())
    }

    fn token_by_hash(&mut self, hash: &str) -> Result<Option<TokenRecord>> {
        Ok(self.tokens.iter().find(|t| t.hash == hash).cloned())
    }

    fn revoke_token(&mut self, id: &str, at: DateTime<Utc>) -> Result<bool> {
        match self.tokens.iter_mut().find(|t| t.id == id && t.revoked_at.is_none()) {
            Some(t) => {
                t.revoked_at = Some(at);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    fn tokens(&mut self, user: &str) -> Result<Vec<TokenRecord>> {
        let mut out: Vec<TokenRecord> = self.tokens.iter().filter(|t| t.user == user).cloned().collect();
        out.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(out)
    }

    fn record_failed_signin(&mut self, name: &str, at: DateTime<Utc>, _from: Option<&str>) -> Result<()> {
        self.failed_signins.push((name.to_owned(), at));
        Ok(())
    }

    fn failed_signins_since(&mut self, name: &str, since: DateTime<Utc>) -> Result<u64> {
        Ok(self.failed_signins.iter().filter(|(n, at)| n == name && *at >= since).count() as u64)
    }
}

impl AuditStore for MemoryStore {
    fn append_audit(&mut self, event: &AuditEvent) -> Result<AuditEntry> {
        let (seq, hash) = self.audit.last().map_or((0, GENESIS), |e| (e.seq, e.hash.as_str()));
        let entry = next_entry(seq, hash, event);
        self.audit.push(entry.clone());
        Ok(entry)
    }

    fn audit(&mut self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let limit = filter.limit.unwrap_or(usize::MAX);
        Ok(self.audit.iter().rev().filter(|e| filter.matches(e)).take(limit).cloned().collect())
    }

    fn scan_audit(&mut self, f: &mut dyn FnMut(&AuditEntry)) -> Result<usize> {
        self.audit.iter().for_each(&mut *f);
        Ok(self.audit.len())
    }
}

impl CaseStore for MemoryStore {
    fn assign(&mut self, filing_id: &str, officer: Option<&str>, by: &str, at: DateTime<Utc>) -> Result<()> {
        match officer {
            Some(officer) => {
                let a = Assignment { filing_id: filing_id.to_owned(), officer: officer.to_owned(), by: by.to_owned(), at };
                self.assignments.insert(filing_id.to_owned(), a);
            }
            None => {
                self.assignments.remove(filing_id);
            }
        }
        Ok(())
    }

    fn assignment(&mut self, filing_id: &str) -> Result<Option<Assignment>> {
        Ok(self.assignments.get(filing_id).cloned())
    }

    fn assignments(&mut self) -> Result<Vec<Assignment>> {
        Ok(self.assignments.values().cloned().collect())
    }

    fn add_override(&mut self, o: &Override) -> Result<()> {
        check_override(o)?;
        self.overrides.push(o.clone());
        Ok(())
    }

    fn overrides(&mut self, filing_id: &str) -> Result<Vec<Override>> {
        Ok(self.overrides.iter().filter(|o| o.filing_id == filing_id).cloned().collect())
    }

    fn queue(&mut self, filter: &QueueFilter) -> Result<QueuePage> {
        let lanes = filter.effective_lanes();
        let overridden: std::collections::HashSet<&str> = self.overrides.iter().map(|o| o.filing_id.as_str()).collect();
        let candidates = self
            .filings
            .iter()
            .filter_map(|(id, vs)| vs.values().next_back().filter(|s| lanes.contains(&s.decision.lane) || overridden.contains(id.as_str())))
            .map(|s| Candidate { filing: s.filing.clone(), decision: s.decision.clone(), stored_at: s.stored_at })
            .collect();
        let assignments: Vec<Assignment> = self.assignments.values().cloned().collect();
        assemble(candidates, &self.exams, &self.overrides, &assignments, filter)
    }
}
