//! Examination results: recording one, importing a CSV, and the one definition of "the latest exam
//! result per filing version" ([`LatestExams`]) that profile statistics, entity history, backtests and
//! the training join all read.

use crate::{Result, ServiceError};
use chrono::{DateTime, Utc};
use clearway_store::Store;
use clearway_store::exams::{ExamOutcome, ExamResult};
use std::collections::{BTreeMap, HashMap};

/// The latest exam result per filing version. A result recorded without a version applies to the
/// version that was the latest stored when it was recorded (the latest stored at all when every
/// version is younger); of several results for one version, the last recorded stands.
#[derive(Debug, Clone, Default)]
pub struct LatestExams {
    by: BTreeMap<(String, u32), ExamResult>,
}

impl LatestExams {
    /// Read every stored exam result (oldest first) and keep the latest per filing version.
    pub fn load(store: &mut dyn Store) -> Result<Self> {
        let exams = store.exam_results()?;
        Self::from_results(store, exams)
    }

    /// The latest results of one filing.
    pub fn load_for(store: &mut dyn Store, filing_id: &str) -> Result<Self> {
        let exams = store.exam_results()?.into_iter().filter(|e| e.filing_id == filing_id).collect();
        Self::from_results(store, exams)
    }

    fn from_results(store: &mut dyn Store, exams: Vec<ExamResult>) -> Result<Self> {
        let mut versions: HashMap<String, Vec<(u32, DateTime<Utc>)>> = HashMap::new();
        let mut by = BTreeMap::new();
        for e in exams {
            let v = match e.version {
                Some(v) => v,
                None => {
                    if !versions.contains_key(&e.filing_id) {
                        let h = store.history(&e.filing_id)?;
                        versions.insert(e.filing_id.clone(), h.versions.iter().map(|v| (v.version, v.stored_at)).collect());
                    }
                    let vs = &versions[&e.filing_id];
                    let at = vs.iter().filter(|(_, t)| *t <= e.recorded_at).map(|(v, _)| *v).max();
                    match at.or_else(|| vs.iter().map(|(v, _)| *v).max()) {
                        Some(v) => v,
                        None => continue, // a result for a filing that is not stored
                    }
                }
            };
            by.insert((e.filing_id.clone(), v), e);
        }
        Ok(LatestExams { by })
    }

    /// The latest result for this filing version.
    pub fn get(&self, filing_id: &str, version: u32) -> Option<&ExamResult> {
        self.by.get(&(filing_id.to_owned(), version))
    }

    /// Every examined filing version with its latest result, by filing id then version.
    pub fn iter(&self) -> impl Iterator<Item = (&(String, u32), &ExamResult)> {
        self.by.iter()
    }

    pub fn len(&self) -> usize {
        self.by.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by.is_empty()
    }
}

/// An examination result to record.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ExamEntry {
    pub filing_id: String,
    /// The version examined; the latest stored when absent.
    pub version: Option<u32>,
    pub result: ExamOutcome,
    pub severity: Option<u8>,
    pub revenue: Option<f64>,
    pub note: Option<String>,
}

/// What was recorded.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Recorded {
    pub filing_id: String,
    pub version: u32,
    pub result: ExamOutcome,
}

/// Record one examination result against a stored filing version.
pub fn record(store: &mut dyn Store, e: ExamEntry, at: DateTime<Utc>) -> Result<Recorded> {
    if e.revenue.is_some_and(|r| !r.is_finite() || r < 0.0) {
        return Err(ServiceError::Invalid("revenue must be a number >= 0".into()));
    }
    if e.severity.is_some_and(|s| !(1..=5).contains(&s)) {
        return Err(ServiceError::Invalid("severity must be 1-5".into()));
    }
    let hist = store.history(&e.filing_id)?;
    let Some(latest) = hist.versions.last().map(|v| v.version) else {
        return Err(ServiceError::NotFound(format!("no stored filing {:?}", e.filing_id)));
    };
    let version = e.version.unwrap_or(latest);
    if !hist.versions.iter().any(|x| x.version == version) {
        return Err(ServiceError::NotFound(format!("filing {:?} has no stored version {version}", e.filing_id)));
    }
    let r = ExamResult {
        filing_id: e.filing_id,
        version: Some(version),
        result: e.result,
        severity: e.severity,
        revenue: e.revenue,
        note: e.note,
        recorded_at: at,
    };
    store.record_exams(std::slice::from_ref(&r))?;
    Ok(Recorded { filing_id: r.filing_id, version, result: r.result })
}

/// What an import stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Imported {
    pub imported: usize,
}

/// Parse an exam-results CSV (`filing_id,version,result,severity,revenue,note`, header row). Any bad
/// row rejects the whole file: the error lists every one as `file:line:column: message`.
pub fn parse_csv(name: &str, text: &str, at: DateTime<Utc>) -> Result<Vec<ExamResult>> {
    let mut rdr = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let headers = rdr.headers().map_err(|e| ServiceError::file(name, format!("no header row: {e}")))?.clone();
    let col = |n: &str| headers.iter().position(|h| h.trim() == n);
    let missing = |c: &str| ServiceError::Rows { file: name.to_owned(), rows: vec![format!("{name}:1:1: missing column {c}")] };
    let ci = col("filing_id").ok_or_else(|| missing("filing_id"))?;
    let cr = col("result").ok_or_else(|| missing("result"))?;
    let (cv, cs, crev, cn) = (col("version"), col("severity"), col("revenue"), col("note"));
    let mut rows = Vec::new();
    let mut errs = Vec::new();
    for rec in rdr.records() {
        let r = match rec {
            Ok(r) => r,
            Err(e) => {
                errs.push(format!("{name}:{}: {e}", e.position().map(|p| p.line()).unwrap_or(0)));
                continue;
            }
        };
        let line = r.position().map(|p| p.line()).unwrap_or(0);
        let get = |c: Option<usize>| c.and_then(|c| r.get(c)).map(str::trim).filter(|s| !s.is_empty());
        let colno = |c: usize| 1 + r.iter().take(c).map(|f| f.chars().count() + 1).sum::<usize>();
        let mut bad = |c: Option<usize>, m: &str| errs.push(format!("{name}:{line}:{}: {m}", colno(c.unwrap_or(0))));
        let Some(id) = get(Some(ci)) else {
            bad(Some(ci), "empty filing_id");
            continue;
        };
        let Some(result) = get(Some(cr)).and_then(ExamOutcome::parse) else {
            bad(Some(cr), "result must be no-finding, finding or seizure");
            continue;
        };
        let version = match get(cv).map(str::parse::<u32>) {
            None => None,
            Some(Ok(v)) => Some(v),
            Some(Err(_)) => {
                bad(cv, "bad version");
                continue;
            }
        };
        let severity = match get(cs).map(str::parse::<u8>) {
            None => None,
            Some(Ok(v)) if (1..=5).contains(&v) => Some(v),
            _ => {
                bad(cs, "severity must be 1-5");
                continue;
            }
        };
        let revenue = match get(crev).map(str::parse::<f64>) {
            None => None,
            Some(Ok(v)) if v.is_finite() && v >= 0.0 => Some(v),
            _ => {
                bad(crev, "revenue must be a number >= 0");
                continue;
            }
        };
        rows.push(ExamResult { filing_id: id.to_owned(), version, result, severity, revenue, note: get(cn).map(str::to_owned), recorded_at: at });
    }
    if !errs.is_empty() {
        return Err(ServiceError::Rows { file: name.to_owned(), rows: errs });
    }
    Ok(rows)
}

/// Import an exam-results CSV: all rows or none.
pub fn import_csv(store: &mut dyn Store, name: &str, text: &str, at: DateTime<Utc>) -> Result<Imported> {
    let rows = parse_csv(name, text, at)?;
    Ok(Imported { imported: store.record_exams(&rows)? })
}
