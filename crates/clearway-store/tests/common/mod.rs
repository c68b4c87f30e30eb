//! Test helpers shared by the integration tests: hand-built filings, decisions and batch items, and a
//! throw-away PostgreSQL schema. Principal type: [`PgTestDb`].
#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use clearway_core::{Decision, Diagnostic, Filing, Finding, FindingKind, Lane, Membership, Stage};
use clearway_store::{Accepted, BatchItem, InputRef, Rejected};
use serde_json::json;

pub fn filing(id: &str, version: u32, status: &str, filed_at: &str) -> Filing {
    serde_json::from_value(json!({
        "id": id,
        "version": version,
        "status": status,
        "mode": "marine",
        "direction": "import",
        "country": "CA",
        "stage": "pre-load",
        "cargo": "containerised",
        "parties": [{"role": "consignor", "name": "Acme Exports", "country": "CN"}],
        "goods": [{"description": "toys", "hs_code": "950300", "value": 1200.5, "currency": "USD"}],
        "times": {"filed_at": filed_at},
    }))
    .unwrap()
}

pub fn decision(id: &str, version: u32, lane: Lane, score: f64) -> Decision {
    Decision {
        filing_id: id.to_owned(),
        version,
        stage: Stage::PreLoad,
        lane,
        actions: vec![],
        score,
        findings: vec![
            Finding::new("data-quality", "DQ-TEST", FindingKind::DataQuality, score, "a test finding")
                .with("field", "goods[0].hs_code"),
        ],
        fast: None,
        random: None,
        engine_version: "clearway/test".to_owned(),
        config_hash: "cfg-1".to_owned(),
    }
}

pub fn raw_of(id: &str, version: u32, tag: &str) -> Vec<u8> {
    format!(r#"{{"id":"{id}","version":{version},"tag":"{tag}"}}"#).into_bytes()
}

/// An accepted item; `tag` varies the raw bytes so tests can tell which copy was stored.
pub fn accepted(id: &str, version: u32, lane: Lane, score: f64, tag: &str) -> BatchItem {
    let status = if version == 1 { "original" } else { "amendment" };
    let filed_at = format!("2025-03-0{}T10:00:00Z", version.min(9));
    BatchItem::Accepted(Accepted {
        input: InputRef { source: "in.jsonl".to_owned(), line: u64::from(version) },
        raw: raw_of(id, version, tag),
        filing: filing(id, version, status, &filed_at),
        diagnostics: vec![Diagnostic::warning("goods[0].value", "rounded")],
        decision: decision(id, version, lane, score),
    })
}

/// An accepted item whose raw input is exactly the canonical JSON of its filing (Clearway's own JSON
/// Lines), plus `suffix` (a non-empty suffix makes it differ).
pub fn accepted_canonical(id: &str, version: u32, lane: Lane, suffix: &str) -> BatchItem {
    let status = if version == 1 { "original" } else { "amendment" };
    let filing = filing(id, version, status, "2025-03-01T10:00:00.123456789Z");
    let mut raw = serde_json::to_vec(&filing).unwrap();
    raw.extend_from_slice(suffix.as_bytes());
    BatchItem::Accepted(Accepted {
        input: InputRef { source: "in.jsonl".to_owned(), line: u64::from(version) },
        raw,
        filing,
        diagnostics: vec![],
        decision: decision(id, version, lane, 3.0),
    })
}

pub fn rejected(raw: &str, source: &str, line: u64) -> BatchItem {
    BatchItem::Rejected(Rejected {
        input: InputRef { source: source.to_owned(), line },
        raw: raw.as_bytes().to_vec(),
        diagnostics: vec![Diagnostic::error("mode", "missing field").at_line(line, Some(3))],
    })
}

pub fn membership(program: &str, id: &str, status: &str) -> Membership {
    serde_json::from_value(json!({
        "program": program,
        "member_id": id,
        "name": format!("member {id}"),
        "status": status,
        "valid_to": "2030-12-31",
    }))
    .unwrap()
}

/// A fresh schema in the database named by `CLEARWAY_TEST_PG`, dropped when this is dropped.
pub struct PgTestDb {
    pub url: String,
    pub schema: String,
}

impl PgTestDb {
    /// `None` (after saying so on stderr) when `CLEARWAY_TEST_PG` is not set.
    pub fn new() -> Option<Self> {
        static N: AtomicU32 = AtomicU32::new(0);
        let Ok(url) = std::env::var("CLEARWAY_TEST_PG") else {
            eprintln!("skipping: CLEARWAY_TEST_PG not set");
            return None;
        };
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        let schema =
            format!("clearway_test_{}_{}_{}", std::process::id(), nanos, N.fetch_add(1, Ordering::Relaxed));
        Some(PgTestDb { url, schema })
    }
}

impl Drop for PgTestDb {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.url, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.schema));
        }
    }
}

/// Run each `check_*(&mut dyn Store)` against the durable backends: SQLite in a file and in memory, and
/// PostgreSQL (skipping with a message when `CLEARWAY_TEST_PG` is not set). The invoking file has
/// `SqliteStore`, `PgStore` and `PgTestDb` in scope.
#[allow(unused_macros)]
macro_rules! durable_suite {
    ($($check:ident),* $(,)?) => {
        mod sqlite_file {
            use super::*;
            $( #[test] fn $check() {
                let dir = tempfile::tempdir().unwrap();
                let mut s = SqliteStore::open(&dir.path().join("clearway.db")).unwrap();
                super::$check(&mut s);
            } )*
        }
        mod sqlite_memory {
            use super::*;
            $( #[test] fn $check() { super::$check(&mut SqliteStore::open_in_memory().unwrap()); } )*
        }
        mod postgres {
            use super::*;
            $( #[test] fn $check() {
                let Some(db) = PgTestDb::new() else { return };
                let mut s = PgStore::connect_with_schema(&db.url, &db.schema).unwrap();
                super::$check(&mut s);
            } )*
        }
    };
}
#[allow(unused_imports)]
pub(crate) use durable_suite;
