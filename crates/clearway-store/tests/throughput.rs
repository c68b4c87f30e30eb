//! A write-throughput probe, ignored by default and asserting nothing about time. Principal tests:
//! `write_throughput_{memory,sqlite,postgres}`. Run it with
//! `cargo test -p clearway-store --release --test throughput -- --ignored --nocapture --test-threads 1`
//! (set `CLEARWAY_TEST_PG` to include PostgreSQL; `CLEARWAY_BENCH_ITEMS` to change the count).
//!
//! The filings are real synthetic ones (`clearway-synth`, raw JSON about 2.4 KB each, as the CLI reads
//! them from Clearway's own JSON Lines) with a decision of realistic size (about 1.2 KB: several findings
//! with evidence), written in batches of 1,000 as `clearway screen` does.

mod common;

use std::time::Instant;


use clearway_core::{Action, Decision, Filing, Finding, FindingKind, Lane};
use clearway_store::memory::MemoryStore;
use clearway_store::postgres::PgStore;
use clearway_store::sqlite::SqliteStore;
use clearway_store::{Accepted, BatchItem, FilingStore, InputRef, Outcome, Store};

const DEFAULT_ITEMS: usize = 100_000;
const BATCH: usize = 1_000;

const CODES: [&str; 5] = ["DQ-CHECK-0", "DQ-CHECK-1", "DQ-CHECK-2", "DQ-CHECK-3", "DQ-CHECK-4"];

fn decision_for(f: &Filing, i: usize) -> Decision {
    let findings = (0..5)
        .map(|k| {
            Finding::new(
                "data-quality",
                CODES[k],
                FindingKind::DataQuality,
                2.5 - k as f64,
                "a plain-language reason for the officer, about one sentence long",
            )
            .with("field", format!("goods[{k}].hs_code"))
            .with("value", "950300")
        })
        .collect();
    Decision {
        filing_id: f.id.clone(),
        version: f.version,
        stage: f.stage,
        lane: Lane::ALL[i % 4],
        actions: vec![Action::DocumentCheck],
        score: 10.0,
        findings,
        fast: None,
        random: None,
        engine_version: "clearway/0.1.0".into(),
        config_hash: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".into(),
    }
}

fn item_count() -> usize {
    std::env::var("CLEARWAY_BENCH_ITEMS").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_ITEMS)
}

/// The filings, generated a batch at a time (so that a million need not be held at once).
fn batches() -> impl Iterator<Item = Vec<BatchItem>> {
    let cfg = clearway_synth::Config {
        count: item_count(),
        seed: 7,
        start: "2026-11-02T00:00:00Z".parse().unwrap(),
        days: 1,
    };
    let mut filings = clearway_synth::Generator::new(cfg).enumerate();
    std::iter::from_fn(move || {
        let batch: Vec<BatchItem> = filings
            .by_ref()
            .take(BATCH)
            .map(|(i, filing)| {
                let raw = serde_json::to_vec(&filing).unwrap();
                let decision = decision_for(&filing, i);
                BatchItem::Accepted(Accepted {
                    input: InputRef { source: "bench.jsonl".into(), line: i as u64 + 1 },
                    raw,
                    filing,
                    diagnostics: vec![],
                    decision,
                })
            })
            .collect();
        (!batch.is_empty()).then_some(batch)
    })
}

/// CPU time of the calling thread so far, in seconds (`None` where the kernel does not expose it). The
/// machine may be shared, so the probe reports CPU time next to wall time.
fn thread_cpu() -> Option<f64> {
    clearway_testdata::thread_cpu().map(|d| d.as_secs_f64())
}

/// Writes every batch, timing only `write_batch`; returns how many items were stored as new.
fn run(name: &str, store: &mut dyn Store) -> u64 {
    let (mut wall, mut cpu, mut cpu_ok) = (0.0, 0.0, true);
    let (mut n, mut stored, mut raw, mut dec) = (0usize, 0u64, 0usize, 0usize);
    let mut report_at = 100_000;
    for batch in batches() {
        for item in &batch {
            if let BatchItem::Accepted(a) = item {
                raw += a.raw.len();
                dec += serde_json::to_vec(&a.decision).unwrap().len();
            }
        }
        n += batch.len();
        let cpu0 = thread_cpu();
        let start = Instant::now();
        let out = store.write_batch(&batch).unwrap();
        wall += start.elapsed().as_secs_f64();
        match (cpu0, thread_cpu()) {
            (Some(a), Some(b)) => cpu += b - a,
            _ => cpu_ok = false,
        }
        stored += out.iter().filter(|o| **o == Outcome::Stored).count() as u64;
        if n >= report_at && n < item_count() {
            eprintln!("{name}: {n} filings so far, {:.0} filings/s", n as f64 / wall);
            report_at += 100_000;
        }
    }
    let nf = n.max(1) as f64;
    eprintln!(
        "{name}: {n} filings (batches of {BATCH}; raw input {:.0} B, decision {:.0} B on average)",
        raw as f64 / nf,
        dec as f64 / nf
    );
    eprintln!("{name}: write_batch {wall:.3} s = {:.0} filings/s", nf / wall);
    if cpu_ok {
        eprintln!("{name}: write_batch thread CPU {cpu:.3} s = {:.0} filings per CPU-second", nf / cpu);
    }
    assert_eq!(store.stats().unwrap().versions, stored);
    stored
}

#[test]
#[ignore = "throughput probe; run by hand with --release"]
fn write_throughput_memory() {
    run("memory", &mut MemoryStore::new());
}

#[test]
#[ignore = "throughput probe; run by hand with --release"]
fn write_throughput_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bench.db");
    let mut store = SqliteStore::open(&path).unwrap();
    let stored = run("sqlite (file, WAL)", &mut store);
    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let wal = path.with_extension("db-wal");
    let (db, wal) = (size(&path), size(&wal));
    eprintln!(
        "sqlite: database {db} bytes (+ WAL {wal}) = {} bytes per stored filing",
        (db + wal) / stored.max(1)
    );
    // Stored filings read back equal to what was written.
    for batch in batches().step_by(7) {
        if let BatchItem::Accepted(a) = &batch[0] {
            assert_eq!(store.filing(&a.filing.id, a.filing.version).unwrap().as_ref(), Some(&a.filing));
        }
    }
}

#[test]
#[ignore = "throughput probe; run by hand with --release"]
fn write_throughput_postgres() {
    let Some(db) = common::PgTestDb::new() else { return };
    run("postgres", &mut PgStore::connect_with_schema(&db.url, &db.schema).unwrap());
}
