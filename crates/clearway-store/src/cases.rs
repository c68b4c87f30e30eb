//! Case work on screened filings: who is assigned, supervisors' overrides, and the officers' queue.
//! Principal types: [`Assignment`], [`Override`], [`QueueFilter`], [`QueuePage`] and the [`CaseStore`]
//! capability.
//!
//! An override never changes the decision it overrides: it is a separate, append-only row (the latest
//! per filing version stands). Tables (created on first use, once per store object): `assignments`
//! (the current assignment per filing; the audit log keeps the history) and `overrides`.
//!
//! The queue (one definition, [`assemble`], shared by the backends): the latest stored version of each
//! filing whose effective lane (the latest override's lane on that version, else the decision's) is in
//! the filter (default red and yellow), with no examination result recorded for that version yet (a
//! result naming the version, or naming none and recorded at or after the version was stored), sorted by
//! deadline (soonest first, none last), then score (highest first), then filing id; cursor pagination.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use clearway_core::{Action, Decision, Filing, Lane, Mode, Stage};
use serde::{Deserialize, Serialize};

use crate::exams::ExamResult;
use crate::{Result, StoreError};

/// The officer a filing is assigned to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    pub filing_id: String,
    pub officer: String,
    /// Who assigned it.
    pub by: String,
    pub at: DateTime<Utc>,
}

/// A supervisor's override of the decision on one filing version (the decision itself stays).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Override {
    pub filing_id: String,
    pub version: u32,
    pub lane: Lane,
    pub actions: Vec<Action>,
    /// Required (not blank).
    pub reason: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// Which queue entries to list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QueueFilter {
    /// Effective lanes to list; empty means red and yellow.
    #[serde(default)]
    pub lanes: Vec<Lane>,
    pub office: Option<String>,
    pub mode: Option<Mode>,
    /// Only filings assigned to this officer.
    pub assigned: Option<String>,
    /// Only filings assigned to nobody.
    #[serde(default)]
    pub unassigned: bool,
    /// From [`QueuePage::next_cursor`]: the page after it.
    pub cursor: Option<String>,
    /// Page size; [`QueueFilter::DEFAULT_LIMIT`] when `None`.
    pub limit: Option<usize>,
}

impl QueueFilter {
    pub const DEFAULT_LIMIT: usize = 100;

    /// The lanes listed: the filter's, or red and yellow.
    pub fn effective_lanes(&self) -> Vec<Lane> {
        if self.lanes.is_empty() { vec![Lane::Red, Lane::Yellow] } else { self.lanes.clone() }
    }
}

/// One filing awaiting action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueItem {
    pub filing_id: String,
    /// The latest stored version.
    pub version: u32,
    /// The effective lane: the override's if there is one, else the decision's.
    pub lane: Lane,
    /// The effective actions (likewise).
    pub actions: Vec<Action>,
    /// The decision's own lane (differs from `lane` when overridden).
    pub decision_lane: Lane,
    pub overridden: bool,
    pub score: f64,
    pub office: Option<String>,
    pub mode: Mode,
    /// See [`deadline`].
    pub deadline: Option<DateTime<Utc>>,
    pub filed_at: Option<DateTime<Utc>>,
    /// When the version (and its decision) was stored.
    pub decided_at: DateTime<Utc>,
    /// The assigned officer.
    pub assigned: Option<String>,
    /// The strongest finding's message, or "selected at random" when the lane came from the random
    /// draw alone.
    pub top_reason: Option<String>,
}

/// One page of the queue.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QueuePage {
    pub items: Vec<QueueItem>,
    /// Pass as [`QueueFilter::cursor`] for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
    /// Entries matching the filter on all pages (the queue depth).
    pub total: u64,
}

/// Assignments, overrides and the queue.
pub trait CaseStore: Send {
    /// Assign a filing to `officer`, or with `None` unassign it. `by` is who did it.
    fn assign(&mut self, filing_id: &str, officer: Option<&str>, by: &str, at: DateTime<Utc>) -> Result<()>;
    /// The current assignment of a filing.
    fn assignment(&mut self, filing_id: &str) -> Result<Option<Assignment>>;
    /// Every current assignment, by filing id.
    fn assignments(&mut self) -> Result<Vec<Assignment>>;
    /// Record an override (a blank reason is refused).
    fn add_override(&mut self, o: &Override) -> Result<()>;
    /// The overrides of a filing (all versions), oldest first.
    fn overrides(&mut self, filing_id: &str) -> Result<Vec<Override>>;
    /// One page of the queue (see the module docs).
    fn queue(&mut self, filter: &QueueFilter) -> Result<QueuePage>;
}

/// When action on a filing is due: the loading time before loading (pre-load), the departure time for
/// exports, otherwise the arrival time; the other times of the filing when that one is missing.
pub fn deadline(f: &Filing) -> Option<DateTime<Utc>> {
    let t = &f.times;
    match f.stage {
        Stage::PreLoad => t.loading.or(t.departure).or(t.arrival),
        Stage::Export => t.departure.or(t.loading).or(t.arrival),
        Stage::PreArrival | Stage::Arrival => t.arrival.or(t.departure).or(t.loading),
    }
}

/// The reason shown for a decision in the queue.
fn top_reason(d: &Decision) -> Option<String> {
    match d.top_reasons(1).first() {
        Some(r) => Some((*r).to_owned()),
        None if d.random.is_some() => Some("selected at random".to_owned()),
        None => None,
    }
}

pub(crate) fn check_override(o: &Override) -> Result<()> {
    if o.reason.trim().is_empty() {
        return Err(StoreError::Other(format!("override of {} version {}: a reason is required", o.filing_id, o.version)));
    }
    Ok(())
}

/// The latest stored version of a filing, as the queue reads it. For the backends.
pub(crate) struct Candidate {
    pub filing: Filing,
    pub decision: Decision,
    pub stored_at: DateTime<Utc>,
}

/// The sort key: deadline (none last), score (highest first), filing id.
#[derive(Debug, Clone, PartialEq)]
struct Key {
    deadline: Option<DateTime<Utc>>,
    score: f64,
    filing_id: String,
}

impl Key {
    fn of(i: &QueueItem) -> Key {
        Key { deadline: i.deadline, score: i.score, filing_id: i.filing_id.clone() }
    }

    fn cmp(&self, o: &Key) -> Ordering {
        let d = match (self.deadline, o.deadline) {
            (Some(a), Some(b)) => a.cmp(&b),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        d.then_with(|| o.score.total_cmp(&self.score)).then_with(|| self.filing_id.cmp(&o.filing_id))
    }

    /// Opaque to callers: `deadline nanos (or -)`, score bits in hex, filing id.
    fn encode(&self) -> String {
        let d = self.deadline.and_then(|d| d.timestamp_nanos_opt()).map_or("-".to_owned(), |n| n.to_string());
        format!("{d}~{:x}~{}", self.score.to_bits(), self.filing_id)
    }

    fn decode(s: &str) -> Result<Key> {
        let bad = || StoreError::Other(format!("invalid queue cursor {s:?}"));
        let mut parts = s.splitn(3, '~');
        let (d, sc, id) = (parts.next().ok_or_else(bad)?, parts.next().ok_or_else(bad)?, parts.next().ok_or_else(bad)?);
        let deadline = if d == "-" { None } else { Some(DateTime::from_timestamp_nanos(d.parse().map_err(|_| bad())?)) };
        let score = f64::from_bits(u64::from_str_radix(sc, 16).map_err(|_| bad())?);
        Ok(Key { deadline, score, filing_id: id.to_owned() })
    }
}

/// Build a queue page from the candidates (latest versions whose decision lane is in the filter's lanes,
/// plus those of filings with overrides), every exam result, every override and every assignment.
pub(crate) fn assemble(
    candidates: Vec<Candidate>,
    exams: &[ExamResult],
    overrides: &[Override],
    assignments: &[Assignment],
    filter: &QueueFilter,
) -> Result<QueuePage> {
    let lanes = filter.effective_lanes();
    let after = filter.cursor.as_deref().map(Key::decode).transpose()?;
    let limit = filter.limit.unwrap_or(QueueFilter::DEFAULT_LIMIT);
    // The latest override per filing version (later rows stand).
    let mut latest_override: HashMap<(&str, u32), &Override> = HashMap::new();
    for o in overrides {
        latest_override.insert((o.filing_id.as_str(), o.version), o);
    }
    let assigned: HashMap<&str, &str> = assignments.iter().map(|a| (a.filing_id.as_str(), a.officer.as_str())).collect();
    let mut examined_versions: HashSet<(&str, u32)> = HashSet::new();
    let mut unversioned: HashMap<&str, DateTime<Utc>> = HashMap::new(); // filing -> latest unversioned result
    for e in exams {
        match e.version {
            Some(v) => {
                examined_versions.insert((e.filing_id.as_str(), v));
            }
            None => {
                let t = unversioned.entry(e.filing_id.as_str()).or_insert(e.recorded_at);
                *t = (*t).max(e.recorded_at);
            }
        }
    }
    let mut items = Vec::new();
    for c in candidates {
        let (f, d) = (&c.filing, &c.decision);
        let key = (f.id.as_str(), f.version);
        if examined_versions.contains(&key) || unversioned.get(f.id.as_str()).is_some_and(|&t| t >= c.stored_at) {
            continue;
        }
        let o = latest_override.get(&key);
        let lane = o.map_or(d.lane, |o| o.lane);
        if !lanes.contains(&lane) {
            continue;
        }
        let office = f.office().map(str::to_owned);
        if filter.office.as_ref().is_some_and(|want| office.as_ref() != Some(want)) || filter.mode.is_some_and(|m| m != f.mode) {
            continue;
        }
        let officer = assigned.get(f.id.as_str()).map(|s| (*s).to_owned());
        if filter.unassigned && officer.is_some() || filter.assigned.as_ref().is_some_and(|a| officer.as_ref() != Some(a)) {
            continue;
        }
        items.push(QueueItem {
            filing_id: f.id.clone(),
            version: f.version,
            lane,
            actions: o.map_or_else(|| d.actions.clone(), |o| o.actions.clone()),
            decision_lane: d.lane,
            overridden: o.is_some(),
            score: d.score,
            office,
            mode: f.mode,
            deadline: deadline(f),
            filed_at: f.times.filed_at,
            decided_at: c.stored_at,
            assigned: officer,
            top_reason: top_reason(d),
        });
    }
    items.sort_by(|a, b| Key::of(a).cmp(&Key::of(b)));
    let total = items.len() as u64;
    let start = after.map_or(0, |k| items.partition_point(|i| Key::of(i).cmp(&k) != Ordering::Greater));
    let mut page: Vec<QueueItem> = items.into_iter().skip(start).collect();
    let next_cursor = if page.len() > limit {
        page.truncate(limit);
        page.last().map(|i| Key::of(i).encode())
    } else {
        None
    };
    Ok(QueuePage { items: page, next_cursor, total })
}

// ---- SQLite and PostgreSQL ----

use crate::codec::{parse_lane, parse_time, to_version};
use crate::postgres::{PgStore, create_once};
use crate::sqlite::SqliteStore;
use crate::{ExamStore, audit::fmt_at};

/// Times are RFC 3339 with nine fractional digits in SQLite, TIMESTAMPTZ in PostgreSQL.
const SQLITE_DDL: &str = "CREATE TABLE IF NOT EXISTS assignments (
        filing_id TEXT NOT NULL PRIMARY KEY,
        officer   TEXT NOT NULL,
        by_user   TEXT NOT NULL,
        at        TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS overrides (
        seq          INTEGER PRIMARY KEY,
        filing_id    TEXT    NOT NULL,
        version      INTEGER NOT NULL,
        lane         TEXT    NOT NULL,
        actions_json TEXT    NOT NULL,
        reason       TEXT    NOT NULL,
        by_user      TEXT    NOT NULL,
        at           TEXT    NOT NULL
    );
    CREATE INDEX IF NOT EXISTS overrides_filing ON overrides (filing_id);";

const PG_DDL: &str = "CREATE TABLE IF NOT EXISTS assignments (
        filing_id TEXT        NOT NULL PRIMARY KEY,
        officer   TEXT        NOT NULL,
        by_user   TEXT        NOT NULL,
        at        TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE IF NOT EXISTS overrides (
        seq          BIGSERIAL   PRIMARY KEY,
        filing_id    TEXT        NOT NULL,
        version      BIGINT      NOT NULL,
        lane         TEXT        NOT NULL,
        actions_json TEXT        NOT NULL,
        reason       TEXT        NOT NULL,
        by_user      TEXT        NOT NULL,
        at           TIMESTAMPTZ NOT NULL
    );
    CREATE INDEX IF NOT EXISTS overrides_filing ON overrides (filing_id);";

/// Serialises concurrent first uses of the case tables; "cwcases" in ASCII.
const PG_CASES_LOCK: i64 = 0x0063_7763_6173_6573;

const OVERRIDE_COLS: &str = "filing_id, version, lane, actions_json, reason, by_user, at";

fn lanes_json(lanes: &[Lane]) -> Vec<&'static str> {
    lanes.iter().map(|l| l.as_str()).collect()
}

impl SqliteStore {
    /// Create the case tables if this store object has not yet done so.
    fn cases_init(&mut self) -> Result<()> {
        if !self.cases_ready {
            self.conn.execute_batch(SQLITE_DDL)?;
            self.cases_ready = true;
        }
        Ok(())
    }

    fn sqlite_overrides(&mut self, filing_id: Option<&str>) -> Result<Vec<Override>> {
        self.cases_init()?;
        let mut st = self
            .conn
            .prepare_cached(&format!("SELECT {OVERRIDE_COLS} FROM overrides WHERE ?1 IS NULL OR filing_id = ?1 ORDER BY seq"))?;
        let mut rows = st.query(rusqlite::params![filing_id])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let (lane, actions, at): (String, String, String) = (r.get(2)?, r.get(3)?, r.get(6)?);
            out.push(Override {
                filing_id: r.get(0)?,
                version: to_version(r.get(1)?)?,
                lane: parse_lane(&lane)?,
                actions: serde_json::from_str(&actions)?,
                reason: r.get(4)?,
                by: r.get(5)?,
                at: parse_time(&at)?,
            });
        }
        Ok(out)
    }
}

impl CaseStore for SqliteStore {
    fn assign(&mut self, filing_id: &str, officer: Option<&str>, by: &str, at: DateTime<Utc>) -> Result<()> {
        self.cases_init()?;
        match officer {
            Some(o) => self.conn.execute(
                "INSERT INTO assignments (filing_id, officer, by_user, at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (filing_id) DO UPDATE SET officer = excluded.officer, by_user = excluded.by_user, at = excluded.at",
                rusqlite::params![filing_id, o, by, fmt_at(at)],
            )?,
            None => self.conn.execute("DELETE FROM assignments WHERE filing_id = ?1", rusqlite::params![filing_id])?,
        };
        Ok(())
    }

    fn assignment(&mut self, filing_id: &str) -> Result<Option<Assignment>> {
        Ok(self.sqlite_assignments(Some(filing_id))?.pop())
    }

    fn assignments(&mut self) -> Result<Vec<Assignment>> {
        self.sqlite_assignments(None)
    }

    fn add_override(&mut self, o: &Override) -> Result<()> {
        check_override(o)?;
        self.cases_init()?;
        self.conn.execute(
            &format!("INSERT INTO overrides ({OVERRIDE_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
            rusqlite::params![o.filing_id, o.version, o.lane.as_str(), serde_json::to_string(&o.actions)?, o.reason, o.by, fmt_at(o.at)],
        )?;
        Ok(())
    }

    fn overrides(&mut self, filing_id: &str) -> Result<Vec<Override>> {
        self.sqlite_overrides(Some(filing_id))
    }

    fn queue(&mut self, filter: &QueueFilter) -> Result<QueuePage> {
        self.cases_init()?;
        let lanes = serde_json::to_string(&lanes_json(&filter.effective_lanes()))?;
        let mut candidates = Vec::new();
        {
            // The latest version of each filing whose lane is listed or that has an override.
            let mut st = self.conn.prepare_cached(
                "SELECT f.filing_json, f.raw, f.decision_json, f.stored_at FROM versions v JOIN filings f ON f.row = v.row \
                 WHERE (v.lane IN (SELECT value FROM json_each(?1)) OR v.filing_id IN (SELECT filing_id FROM overrides)) \
                 AND NOT EXISTS (SELECT 1 FROM versions w WHERE w.filing_id = v.filing_id AND w.version > v.version)",
            )?;
            let mut rows = st.query(rusqlite::params![lanes])?;
            while let Some(r) = rows.next()? {
                let filing: Filing = match r.get_ref(0)?.as_str_or_null().map_err(rusqlite::Error::from)? {
                    Some(json) => serde_json::from_str(json)?,
                    None => serde_json::from_slice(r.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?)?,
                };
                let (decision, stored): (String, String) = (r.get(2)?, r.get(3)?);
                candidates.push(Candidate { filing, decision: serde_json::from_str(&decision)?, stored_at: parse_time(&stored)? });
            }
        }
        let exams = self.exam_results()?;
        let overrides = self.sqlite_overrides(None)?;
        let assignments = self.sqlite_assignments(None)?;
        assemble(candidates, &exams, &overrides, &assignments, filter)
    }
}

impl SqliteStore {
    fn sqlite_assignments(&mut self, filing_id: Option<&str>) -> Result<Vec<Assignment>> {
        self.cases_init()?;
        let mut st = self.conn.prepare_cached(
            "SELECT filing_id, officer, by_user, at FROM assignments WHERE ?1 IS NULL OR filing_id = ?1 ORDER BY filing_id",
        )?;
        let mut rows = st.query(rusqlite::params![filing_id])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let at: String = r.get(3)?;
            out.push(Assignment { filing_id: r.get(0)?, officer: r.get(1)?, by: r.get(2)?, at: parse_time(&at)? });
        }
        Ok(out)
    }
}

impl PgStore {
    /// Create the case tables if this connection has not yet done so.
    fn cases_init(&mut self) -> Result<()> {
        create_once(&mut self.client, &mut self.cases_ready, PG_CASES_LOCK, PG_DDL)
    }

    fn pg_overrides(&mut self, filing_id: Option<&str>) -> Result<Vec<Override>> {
        self.cases_init()?;
        let sql = format!("SELECT {OVERRIDE_COLS} FROM overrides WHERE $1::text IS NULL OR filing_id = $1 ORDER BY seq");
        let rows = self.client.query(sql.as_str(), &[&filing_id])?;
        rows.iter()
            .map(|r| {
                Ok(Override {
                    filing_id: r.try_get(0)?,
                    version: to_version(r.try_get(1)?)?,
                    lane: parse_lane(r.try_get(2)?)?,
                    actions: serde_json::from_str(r.try_get(3)?)?,
                    reason: r.try_get(4)?,
                    by: r.try_get(5)?,
                    at: r.try_get(6)?,
                })
            })
            .collect()
    }

    fn pg_assignments(&mut self, filing_id: Option<&str>) -> Result<Vec<Assignment>> {
        self.cases_init()?;
        let rows = self.client.query(
            "SELECT filing_id, officer, by_user, at FROM assignments WHERE $1::text IS NULL OR filing_id = $1 ORDER BY filing_id COLLATE \"C\"",
            &[&filing_id],
        )?;
        rows.iter()
            .map(|r| Ok(Assignment { filing_id: r.try_get(0)?, officer: r.try_get(1)?, by: r.try_get(2)?, at: r.try_get(3)? }))
            .collect()
    }
}

impl CaseStore for PgStore {
    fn assign(&mut self, filing_id: &str, officer: Option<&str>, by: &str, at: DateTime<Utc>) -> Result<()> {
        self.cases_init()?;
        match officer {
            Some(o) => self.client.execute(
                "INSERT INTO assignments (filing_id, officer, by_user, at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (filing_id) DO UPDATE SET officer = EXCLUDED.officer, by_user = EXCLUDED.by_user, at = EXCLUDED.at",
                &[&filing_id, &o, &by, &at],
            )?,
            None => self.client.execute("DELETE FROM assignments WHERE filing_id = $1", &[&filing_id])?,
        };
        Ok(())
    }

    fn assignment(&mut self, filing_id: &str) -> Result<Option<Assignment>> {
        Ok(self.pg_assignments(Some(filing_id))?.pop())
    }

    fn assignments(&mut self) -> Result<Vec<Assignment>> {
        self.pg_assignments(None)
    }

    fn add_override(&mut self, o: &Override) -> Result<()> {
        check_override(o)?;
        self.cases_init()?;
        let sql = format!("INSERT INTO overrides ({OVERRIDE_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7)");
        self.client.execute(
            sql.as_str(),
            &[&o.filing_id, &i64::from(o.version), &o.lane.as_str(), &serde_json::to_string(&o.actions)?, &o.reason, &o.by, &o.at],
        )?;
        Ok(())
    }

    fn overrides(&mut self, filing_id: &str) -> Result<Vec<Override>> {
        self.pg_overrides(Some(filing_id))
    }

    fn queue(&mut self, filter: &QueueFilter) -> Result<QueuePage> {
        self.cases_init()?;
        let lanes = lanes_json(&filter.effective_lanes());
        // `latest` holds the latest version and lane of each filing.
        let rows = self.client.query(
            "SELECT f.filing_json, f.raw, d.decision_json, f.stored_at FROM latest l \
             JOIN filings f ON f.filing_id = l.filing_id AND f.version = l.version \
             JOIN decisions d ON d.filing_id = l.filing_id AND d.version = l.version \
             WHERE l.lane = ANY($1) OR l.filing_id IN (SELECT filing_id FROM overrides)",
            &[&lanes],
        )?;
        let mut candidates = Vec::with_capacity(rows.len());
        for r in &rows {
            let filing: Filing = match r.try_get::<_, Option<&str>>(0)? {
                Some(json) => serde_json::from_str(json)?,
                None => serde_json::from_slice(r.try_get::<_, &[u8]>(1)?)?,
            };
            candidates.push(Candidate { filing, decision: serde_json::from_str(r.try_get(2)?)?, stored_at: r.try_get(3)? });
        }
        let exams = self.exam_results()?;
        let overrides = self.pg_overrides(None)?;
        let assignments = self.pg_assignments(None)?;
        assemble(candidates, &exams, &overrides, &assignments, filter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips() {
        for k in [
            Key { deadline: Some("2026-01-01T00:00:00.5Z".parse().unwrap()), score: 12.5, filing_id: "A~B".into() },
            Key { deadline: None, score: -0.0, filing_id: String::new() },
        ] {
            assert_eq!(Key::decode(&k.encode()).unwrap(), k);
        }
        assert!(Key::decode("nonsense").is_err());
    }
}
