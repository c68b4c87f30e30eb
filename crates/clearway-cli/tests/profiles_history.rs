//! Entity history seeded from the store by `screen --profiles`: every stored filing version counts once
//! (amendments included), across runs, on SQLite and on PostgreSQL (when `CLEARWAY_TEST_PG` is set).

use serde_json::Value;
use std::path::{Path, PathBuf};

mod common;
use common::{run, s};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/profiles")
}

/// A filing of importer HISTCO-9 declaring `hs` for 150,000 USD.
fn filing(id: &str, version: u32, hs: &str) -> String {
    serde_json::json!({"id": id, "version": version, "status": if version == 1 { "original" } else { "amendment" },
        "mode": "marine", "direction": "import", "country": "US", "stage": "pre-load",
        "parties": [{"role": "importer-of-record", "name": "Histco Trading", "country": "US",
                     "ids": [{"scheme": "IOR", "value": "HISTCO-9"}]}],
        "goods": [{"description": "industrial goods", "hs_code": hs, "value": 150000.0, "currency": "USD",
                   "origin": "DE", "gross_kg": 5000.0}],
        "times": {"filed_at": "2026-11-02T10:00:00Z"}})
    .to_string()
}

/// Screen `lines` in a run of its own; the profile codes found on each filing.
fn screen(db: &str, dir: &Path, name: &str, lines: &[String]) -> Vec<Vec<String>> {
    let input = dir.join(name);
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let o = run(&["screen", "--json", "--db", db, "--profiles", s(&examples()), s(&input)]);
    let out = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.code() == Some(0) || o.status.code() == Some(2), "{out}");
    let codes: Vec<Vec<String>> = o
        .stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| {
            let v: Value = serde_json::from_slice(l).unwrap();
            v["findings"].as_array().unwrap().iter().filter_map(|f| f["code"].as_str().map(str::to_owned)).collect()
        })
        .collect();
    assert_eq!(codes.len(), lines.len(), "{out}");
    codes
}

/// NI-002 needs at least 5 earlier filings of the importer and an HS-6 it has not declared before. Run 1
/// stores one filing in 4 versions; run 2's filing (a new HS-6) sees 4 (not 1: amendments count, as they
/// do within a run; not 8: each version once); run 3's sees 5.
fn history_counts_every_stored_version(db: &str, dir: &Path) {
    let v: Vec<String> = (1..=4).map(|v| filing("HIST-1", v, "841370")).collect();
    screen(db, dir, "run1.jsonl", &v);
    // Entity history is a daily snapshot (days before the filing's own): later runs file on later days.
    let day = |f: String, d: &str| f.replace("2026-11-02T10", d);
    let run2 = screen(db, dir, "run2.jsonl", &[day(filing("HIST-2", 1, "850440"), "2026-11-03T10")]);
    assert!(!run2[0].iter().any(|c| c == "NI-002"), "4 earlier filings: {:?}", run2[0]);
    assert!(!run2[0].iter().any(|c| c == "NI-001"), "the importer is not new: {:?}", run2[0]);
    let run3 = screen(db, dir, "run3.jsonl", &[day(filing("HIST-3", 1, "940360"), "2026-11-04T10")]);
    assert!(run3[0].iter().any(|c| c == "NI-002"), "5 earlier filings: {:?}", run3[0]);
}

#[test]
fn sqlite_history_counts_every_stored_version() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    history_counts_every_stored_version(s(&db), dir.path());
}

#[test]
fn postgres_history_counts_every_stored_version() {
    let Ok(url) = std::env::var("CLEARWAY_TEST_PG") else {
        eprintln!("skipping: CLEARWAY_TEST_PG not set");
        return;
    };
    let schema = format!("cli_history_{}", std::process::id());
    drop(clearway_store::postgres::PgStore::connect_with_schema(&url, &schema).unwrap());
    let db = format!("{url} options='-c search_path={schema}'");
    let dir = tempfile::tempdir().unwrap();
    let result = std::panic::catch_unwind(|| history_counts_every_stored_version(&db, dir.path()));
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    c.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")).unwrap();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}
