//! One filing as an officer sees it: the latest decision with its explanation, the stored versions,
//! exam results, list hits, assignment and overrides. Also the store's counts.

use crate::Result;
use crate::exams::LatestExams;
use clearway_core::{Decision, Filing, Finding};
use clearway_store::exams::ExamResult;
use clearway_store::{Assignment, Override, Stats, Store, VersionInfo};

/// A filing's view.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FilingView {
    /// The latest decision, with every finding and its evidence.
    pub decision: Decision,
    /// The filing version that decision is on.
    pub filing: Option<Filing>,
    /// Stored versions, oldest first.
    pub versions: Vec<VersionInfo>,
    /// The latest exam result per examined version.
    pub exams: Vec<ExamResult>,
    /// The party-screening findings of the latest decision (list hits).
    pub list_hits: Vec<Finding>,
    /// The officer the filing is assigned to.
    pub assignment: Option<Assignment>,
    /// Supervisors' overrides, oldest first (the decision above stays as it was made).
    pub overrides: Vec<Override>,
}

/// The view of a stored filing; `None` when it is not stored.
pub fn view(store: &mut dyn Store, filing_id: &str) -> Result<Option<FilingView>> {
    let Some(decision) = store.latest_decision(filing_id)? else {
        return Ok(None);
    };
    let versions = store.history(filing_id)?.versions;
    let filing = store.filing(filing_id, decision.version)?;
    let latest = LatestExams::load_for(store, filing_id)?;
    let exams = latest.iter().map(|(_, e)| e.clone()).collect();
    let list_hits = decision
        .findings
        .iter()
        .filter(|f| f.layer == "party-screening")
        .cloned()
        .collect();
    let assignment = store.assignment(filing_id)?;
    let overrides = store.overrides(filing_id)?;
    Ok(Some(FilingView {
        decision,
        filing,
        versions,
        exams,
        list_hits,
        assignment,
        overrides,
    }))
}

/// Counts of filings, versions, decisions per lane, rejects and memberships.
pub fn stats(store: &mut dyn Store) -> Result<Stats> {
    Ok(store.stats()?)
}
