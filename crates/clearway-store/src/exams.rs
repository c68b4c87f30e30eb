//! Examination results and top-up selections (feedback for profiles and the learned model). Principal
//! types: [`ExamResult`], [`ExamOutcome`], [`StoredDecision`], [`SelectionRecord`].
//!
//! Tables, created on first use (`CREATE TABLE IF NOT EXISTS`, independent of the main schema version;
//! once per store object, which then remembers they exist), in SQLite and PostgreSQL alike: `exam_results` (one row per recorded result, append-only; the latest
//! per filing counts) and `selections` (top-up selections per office and day, with the draw that ordered
//! ties).

use chrono::{DateTime, NaiveDate, Utc};
use clearway_core::{Decision, Filing, Lane};
use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};

use crate::codec::{fmt_time, parse_lane, parse_time, to_version};
use crate::sqlite::SqliteStore;
use crate::{Result, StoreError};

/// What an examination found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExamOutcome {
    NoFinding,
    Finding,
    Seizure,
}

impl ExamOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ExamOutcome::NoFinding => "no-finding",
            ExamOutcome::Finding => "finding",
            ExamOutcome::Seizure => "seizure",
        }
    }
    pub fn parse(s: &str) -> Option<ExamOutcome> {
        [ExamOutcome::NoFinding, ExamOutcome::Finding, ExamOutcome::Seizure].into_iter().find(|o| o.as_str() == s.trim())
    }
    /// A finding or a seizure.
    pub fn found(self) -> bool {
        self != ExamOutcome::NoFinding
    }
}

/// One recorded examination result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExamResult {
    pub filing_id: String,
    /// The version examined; `None` means the latest at the time.
    pub version: Option<u32>,
    pub result: ExamOutcome,
    pub severity: Option<u8>,
    /// Revenue recovered (duty, penalties).
    pub revenue: Option<f64>,
    pub note: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

/// A stored decision with its filing.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDecision {
    pub filing: Filing,
    pub decision: Decision,
}

/// A top-up selection, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectionRecord {
    pub filing_id: String,
    pub version: u32,
    pub office: String,
    pub day: NaiveDate,
    pub lane: Lane,
    pub score: f64,
    pub seed: u64,
    pub draw: f64,
    pub recorded_at: DateTime<Utc>,
}

pub(crate) const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS exam_results (
        seq         INTEGER PRIMARY KEY,
        filing_id   TEXT    NOT NULL,
        version     INTEGER,
        result      TEXT    NOT NULL,
        severity    INTEGER,
        revenue     REAL,
        note        TEXT,
        recorded_at TEXT    NOT NULL
    );
    CREATE INDEX IF NOT EXISTS exam_results_filing ON exam_results (filing_id);
    CREATE TABLE IF NOT EXISTS selections (
        seq         INTEGER PRIMARY KEY,
        filing_id   TEXT    NOT NULL,
        version     INTEGER NOT NULL,
        office      TEXT    NOT NULL,
        day         TEXT    NOT NULL,
        lane        TEXT    NOT NULL,
        score       REAL    NOT NULL,
        seed        TEXT    NOT NULL,
        draw        REAL    NOT NULL,
        recorded_at TEXT    NOT NULL,
        UNIQUE (filing_id, version, lane)
    );";

impl SqliteStore {
    /// Create the exam tables if this store object has not yet done so.
    fn exams_init(&mut self) -> Result<()> {
        if !self.exams_ready {
            self.conn.execute_batch(SCHEMA)?;
            self.exams_ready = true;
        }
        Ok(())
    }
}

pub(crate) fn sqlite_record(s: &mut SqliteStore, exams: &[ExamResult]) -> Result<usize> {
    s.exams_init()?;
    let tx = s.conn.transaction()?;
    {
        let mut st = tx.prepare_cached(
            "INSERT INTO exam_results (filing_id, version, result, severity, revenue, note, recorded_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?;
        for e in exams {
            if e.revenue.is_some_and(|r| !r.is_finite()) {
                return Err(StoreError::Other(format!("exam result for {}: revenue is not a number", e.filing_id)));
            }
            st.execute(params![e.filing_id, e.version, e.result.as_str(), e.severity, e.revenue, e.note, fmt_time(e.recorded_at)])?;
        }
    }
    tx.commit()?;
    Ok(exams.len())
}

pub(crate) fn sqlite_exams(s: &mut SqliteStore) -> Result<Vec<ExamResult>> {
    s.exams_init()?;
    let mut st = s.conn.prepare_cached(
        "SELECT filing_id, version, result, severity, revenue, note, recorded_at FROM exam_results ORDER BY seq",
    )?;
    let mut rows = st.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let result: String = r.get(2)?;
        let recorded: String = r.get(6)?;
        let version: Option<i64> = r.get(1)?;
        out.push(ExamResult {
            filing_id: r.get(0)?,
            version: version.map(to_version).transpose()?,
            result: ExamOutcome::parse(&result)
                .ok_or_else(|| StoreError::Other(format!("stored data is corrupt: exam result {result:?}")))?,
            severity: r.get(3)?,
            revenue: r.get(4)?,
            note: r.get(5)?,
            recorded_at: parse_time(&recorded)?,
        });
    }
    Ok(out)
}

/// Decisions on filings filed in `[from, to)` (all when `None`), in storage order.
pub(crate) fn sqlite_decisions(
    conn: &mut Connection,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> Result<Vec<StoredDecision>> {
    let (lo, hi) = (from.map(fmt_time).unwrap_or_default(), to.map(fmt_time).unwrap_or_else(|| "~".into()));
    let mut st = conn.prepare_cached(
        "SELECT filing_json, raw, decision_json FROM filings \
         WHERE (?1 = '' OR (filed_at IS NOT NULL AND filed_at >= ?1)) AND (?2 = '~' OR (filed_at IS NOT NULL AND filed_at < ?2)) ORDER BY row",
    )?;
    let mut rows = st.query(params![lo, hi])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let filing: Filing = match row.get_ref(0)?.as_str_or_null().map_err(rusqlite::Error::from)? {
            Some(json) => serde_json::from_str(json)?,
            None => serde_json::from_slice(row.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?)?,
        };
        let d: String = row.get(2)?;
        out.push(StoredDecision { filing, decision: serde_json::from_str(&d)? });
    }
    Ok(out)
}

pub(crate) fn sqlite_record_selections(s: &mut SqliteStore, sel: &[SelectionRecord]) -> Result<usize> {
    s.exams_init()?;
    let tx = s.conn.transaction()?;
    let mut n = 0;
    {
        let mut st = tx.prepare_cached(
            "INSERT INTO selections (filing_id, version, office, day, lane, score, seed, draw, recorded_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (filing_id, version, lane) DO NOTHING",
        )?;
        for s in sel {
            n += st.execute(params![
                s.filing_id,
                s.version,
                s.office,
                s.day.to_string(),
                s.lane.as_str(),
                s.score,
                s.seed.to_string(),
                s.draw,
                fmt_time(s.recorded_at)
            ])?;
        }
    }
    tx.commit()?;
    Ok(n)
}

pub(crate) fn sqlite_selections(s: &mut SqliteStore) -> Result<Vec<SelectionRecord>> {
    s.exams_init()?;
    let mut st = s.conn.prepare_cached(
        "SELECT filing_id, version, office, day, lane, score, seed, draw, recorded_at FROM selections ORDER BY seq",
    )?;
    let mut rows = st.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let day: String = r.get(3)?;
        let lane: String = r.get(4)?;
        let seed: String = r.get(6)?;
        let rec: String = r.get(8)?;
        out.push(SelectionRecord {
            filing_id: r.get(0)?,
            version: to_version(r.get(1)?)?,
            office: r.get(2)?,
            day: day.parse().map_err(|_| StoreError::Other(format!("stored data is corrupt: day {day:?}")))?,
            lane: parse_lane(&lane)?,
            score: r.get(5)?,
            seed: seed.parse().map_err(|_| StoreError::Other(format!("stored data is corrupt: seed {seed:?}")))?,
            draw: r.get(7)?,
            recorded_at: parse_time(&rec)?,
        });
    }
    Ok(out)
}

/// The PostgreSQL tables: the same columns, native types.
const PG_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS exam_results (
        seq         BIGSERIAL        PRIMARY KEY,
        filing_id   TEXT             NOT NULL,
        version     BIGINT,
        result      TEXT             NOT NULL,
        severity    INTEGER,
        revenue     DOUBLE PRECISION,
        note        TEXT,
        recorded_at TIMESTAMPTZ      NOT NULL
    );
    CREATE INDEX IF NOT EXISTS exam_results_filing ON exam_results (filing_id);
    CREATE TABLE IF NOT EXISTS selections (
        seq         BIGSERIAL        PRIMARY KEY,
        filing_id   TEXT             NOT NULL,
        version     BIGINT           NOT NULL,
        office      TEXT             NOT NULL,
        day         DATE             NOT NULL,
        lane        TEXT             NOT NULL,
        score       DOUBLE PRECISION NOT NULL,
        seed        TEXT             NOT NULL,
        draw        DOUBLE PRECISION NOT NULL,
        recorded_at TIMESTAMPTZ      NOT NULL,
        UNIQUE (filing_id, version, lane)
    );";

/// Serialises concurrent first uses of the exam tables; "cwexams" in ASCII.
const PG_EXAMS_LOCK: i64 = 0x0063_7765_7861_6d73;

impl crate::postgres::PgStore {
    /// Create the exam tables if this connection has not yet done so (under the lock, so concurrent first
    /// uses do not race).
    fn exams_init(&mut self) -> Result<()> {
        crate::postgres::create_once(&mut self.client, &mut self.exams_ready, PG_EXAMS_LOCK, PG_SCHEMA)
    }

    pub(crate) fn pg_record_exams(&mut self, exams: &[ExamResult]) -> Result<usize> {
        self.exams_init()?;
        let mut tx = self.client.transaction()?;
        let st = tx.prepare(
            "INSERT INTO exam_results (filing_id, version, result, severity, revenue, note, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )?;
        for e in exams {
            if e.revenue.is_some_and(|r| !r.is_finite()) {
                return Err(StoreError::Other(format!("exam result for {}: revenue is not a number", e.filing_id)));
            }
            let (version, severity) = (e.version.map(i64::from), e.severity.map(i32::from));
            tx.execute(&st, &[&e.filing_id, &version, &e.result.as_str(), &severity, &e.revenue, &e.note, &e.recorded_at])?;
        }
        tx.commit()?;
        Ok(exams.len())
    }

    pub(crate) fn pg_exams(&mut self) -> Result<Vec<ExamResult>> {
        self.exams_init()?;
        let rows = self.client.query(
            "SELECT filing_id, version, result, severity, revenue, note, recorded_at FROM exam_results ORDER BY seq",
            &[],
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let result: &str = r.try_get(2)?;
            let severity: Option<i32> = r.try_get(3)?;
            out.push(ExamResult {
                filing_id: r.try_get(0)?,
                version: r.try_get::<_, Option<i64>>(1)?.map(to_version).transpose()?,
                result: ExamOutcome::parse(result)
                    .ok_or_else(|| StoreError::Other(format!("stored data is corrupt: exam result {result:?}")))?,
                severity: severity
                    .map(|v| u8::try_from(v).map_err(|_| StoreError::Other(format!("stored data is corrupt: severity {v}"))))
                    .transpose()?,
                revenue: r.try_get(4)?,
                note: r.try_get(5)?,
                recorded_at: r.try_get(6)?,
            });
        }
        Ok(out)
    }

    /// Decisions on filings filed in `[from, to)` (all when `None`), in storage order.
    pub(crate) fn pg_decisions(&mut self, from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Result<Vec<StoredDecision>> {
        let rows = self.client.query(
            "SELECT f.filing_json, f.raw, d.decision_json FROM filings f \
             JOIN decisions d ON d.filing_id = f.filing_id AND d.version = f.version \
             WHERE ($1::timestamptz IS NULL OR f.filed_at >= $1) AND ($2::timestamptz IS NULL OR f.filed_at < $2) \
             ORDER BY f.stored_at, f.filing_id, f.version",
            &[&from, &to],
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let filing: Filing = match row.try_get::<_, Option<&str>>(0)? {
                Some(json) => serde_json::from_str(json)?,
                None => serde_json::from_slice(row.try_get::<_, &[u8]>(1)?)?,
            };
            out.push(StoredDecision { filing, decision: serde_json::from_str(row.try_get(2)?)? });
        }
        Ok(out)
    }

    pub(crate) fn pg_record_selections(&mut self, sel: &[SelectionRecord]) -> Result<usize> {
        self.exams_init()?;
        let mut tx = self.client.transaction()?;
        let st = tx.prepare(
            "INSERT INTO selections (filing_id, version, office, day, lane, score, seed, draw, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (filing_id, version, lane) DO NOTHING",
        )?;
        let mut n = 0;
        for s in sel {
            n += tx.execute(&st, &[
                &s.filing_id,
                &i64::from(s.version),
                &s.office,
                &s.day,
                &s.lane.as_str(),
                &s.score,
                &s.seed.to_string(),
                &s.draw,
                &s.recorded_at,
            ])? as usize;
        }
        tx.commit()?;
        Ok(n)
    }

    pub(crate) fn pg_selections(&mut self) -> Result<Vec<SelectionRecord>> {
        self.exams_init()?;
        let rows = self.client.query(
            "SELECT filing_id, version, office, day, lane, score, seed, draw, recorded_at FROM selections ORDER BY seq",
            &[],
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let seed: &str = r.try_get(6)?;
            out.push(SelectionRecord {
                filing_id: r.try_get(0)?,
                version: to_version(r.try_get(1)?)?,
                office: r.try_get(2)?,
                day: r.try_get(3)?,
                lane: parse_lane(r.try_get(4)?)?,
                score: r.try_get(5)?,
                seed: seed.parse().map_err(|_| StoreError::Other(format!("stored data is corrupt: seed {seed:?}")))?,
                draw: r.try_get(7)?,
                recorded_at: r.try_get(8)?,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::SqliteStore;
    use crate::{ExamStore, FilingStore, SelectionStore};

    #[test]
    fn exam_results_round_trip() {
        let mut s = SqliteStore::open_in_memory().unwrap();
        assert!(s.exam_results().unwrap().is_empty());
        let e = ExamResult {
            filing_id: "F1".into(),
            version: Some(2),
            result: ExamOutcome::Seizure,
            severity: Some(4),
            revenue: Some(1250.5),
            note: Some("undeclared".into()),
            recorded_at: "2026-11-28T10:00:00Z".parse().unwrap(),
        };
        assert_eq!(s.record_exams(std::slice::from_ref(&e)).unwrap(), 1);
        assert_eq!(s.exam_results().unwrap(), vec![e]);
        let sel = SelectionRecord {
            filing_id: "F1".into(),
            version: 1,
            office: "USLAX".into(),
            day: "2026-11-02".parse().unwrap(),
            lane: Lane::Red,
            score: 12.0,
            seed: u64::MAX,
            draw: 0.25,
            recorded_at: "2026-11-28T10:00:00Z".parse().unwrap(),
        };
        assert_eq!(s.record_selections(&[sel.clone(), sel.clone()]).unwrap(), 1);
        assert_eq!(s.selections().unwrap(), vec![sel]);
        assert!(s.decisions_filed(None, None).unwrap().is_empty());
    }
}
