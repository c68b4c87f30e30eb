//! Case work on screened filings: assignment to an officer, a supervisor's override (the original
//! decision is never changed), and the queue of filings awaiting action.

use crate::{Result, ServiceError};
use chrono::{DateTime, Utc};
use clearway_core::{Action, Lane};
use clearway_store::{Assignment, Override, QueueFilter, QueuePage, Store};

/// Assign a stored filing to an officer (`None` unassigns); returns the assignment in force.
pub fn assign(
    store: &mut dyn Store,
    filing_id: &str,
    officer: Option<&str>,
    by: &str,
    at: DateTime<Utc>,
) -> Result<Option<Assignment>> {
    if store.latest_decision(filing_id)?.is_none() {
        return Err(ServiceError::NotFound(format!(
            "no stored filing {filing_id:?}"
        )));
    }
    store.assign(filing_id, officer, by, at)?;
    Ok(store.assignment(filing_id)?)
}

/// A supervisor's override to record.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct OverrideRequest {
    /// The version overridden; the latest decided when absent.
    pub version: Option<u32>,
    pub lane: Lane,
    #[serde(default)]
    pub actions: Vec<Action>,
    /// Required (not blank).
    pub reason: String,
}

/// Record an override of the decision on a stored filing version. The reason is required; the
/// decision itself stays as it was.
pub fn override_(
    store: &mut dyn Store,
    filing_id: &str,
    r: OverrideRequest,
    by: &str,
    at: DateTime<Utc>,
) -> Result<Override> {
    if r.reason.trim().is_empty() {
        return Err(ServiceError::Invalid(
            "reason: an override needs a reason".into(),
        ));
    }
    let Some(latest) = store.latest_decision(filing_id)? else {
        return Err(ServiceError::NotFound(format!(
            "no stored filing {filing_id:?}"
        )));
    };
    let version = r.version.unwrap_or(latest.version);
    if store.decision(filing_id, version)?.is_none() {
        return Err(ServiceError::NotFound(format!(
            "filing {filing_id:?} has no decided version {version}"
        )));
    }
    let o = Override {
        filing_id: filing_id.to_owned(),
        version,
        lane: r.lane,
        actions: r.actions,
        reason: r.reason,
        by: by.to_owned(),
        at,
    };
    store.add_override(&o)?;
    Ok(o)
}

/// Filings awaiting action (see [`QueueFilter`]).
pub fn queue(store: &mut dyn Store, filter: &QueueFilter) -> Result<QueuePage> {
    Ok(store.queue(filter)?)
}
