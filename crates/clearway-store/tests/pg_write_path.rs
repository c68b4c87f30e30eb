//! The PostgreSQL write paths side by side in one run: the array path (`write_batch_unnest`, `INSERT ...
//! SELECT * FROM UNNEST(...) ON CONFLICT`) and the COPY path `write_batch` takes (`write_batch_copy`),
//! each into a schema of its own (the array path's with pglz compression, as schema version 1 had), batches alternating so that a busy machine slows both alike. Ignored by
//! default; asserts the outcomes, prints the rates. Run it with
//! `CLEARWAY_TEST_PG=... cargo test -p clearway-store --release --test pg_write_path -- --ignored --nocapture`
//! (`CLEARWAY_BENCH_ITEMS`, default 50,000; batches of 1,000 as a worker writes them). Also checks that a
//! batch repeated on the COPY path reports every item as a duplicate with the decision that stands.

mod common;

use clearway_core::{Action, Decision, Filing, Finding, FindingKind, Lane};
use clearway_store::postgres::PgStore;
use clearway_store::{Accepted, BatchItem, FilingStore, InputRef, Outcome};
use std::time::Instant;

const BATCH: usize = 1_000;

fn decision_for(f: &Filing, i: usize) -> Decision {
    let findings = (0..5)
        .map(|k| {
            Finding::new("data-quality", "DQ-CHECK", FindingKind::DataQuality, 2.5 - k as f64, "a plain-language reason")
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

fn batches(n: usize) -> Vec<Vec<BatchItem>> {
    let cfg = clearway_synth::Config { count: n, seed: 9, start: "2026-11-02T00:00:00Z".parse().unwrap(), days: 1 };
    let items: Vec<BatchItem> = clearway_synth::Generator::new(cfg)
        .enumerate()
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
    items.chunks(BATCH).map(|c| c.to_vec()).collect()
}

fn store(db: &common::PgTestDb, suffix: &str) -> PgStore {
    PgStore::connect_with_schema(&db.url, &format!("{}_{suffix}", db.schema)).unwrap()
}

fn drop_schema(db: &common::PgTestDb, suffix: &str) {
    let mut c = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
    c.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{}_{suffix}\" CASCADE", db.schema)).unwrap();
}

#[test]
#[ignore = "throughput probe; run by hand with --release"]
fn copy_path_against_array_path() {
    let Some(db) = common::PgTestDb::new() else { return };
    let n = std::env::var("CLEARWAY_BENCH_ITEMS").ok().and_then(|v| v.parse().ok()).unwrap_or(50_000);
    let bs = batches(n);
    let mut old = store(&db, "unnest");
    // The array path as it was: schema 1, pglz compression.
    {
        let mut c = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
        c.batch_execute(&format!(
            "SET search_path TO \"{}_unnest\"; \
             ALTER TABLE filings ALTER COLUMN raw SET COMPRESSION pglz, ALTER COLUMN filing_json SET COMPRESSION pglz, \
             ALTER COLUMN diagnostics_json SET COMPRESSION pglz; \
             ALTER TABLE decisions ALTER COLUMN decision_json SET COMPRESSION pglz",
            db.schema
        ))
        .unwrap();
    }
    let mut new = store(&db, "copy");
    let (mut t_old, mut t_new) = (0.0, 0.0);
    let (mut c_old, mut c_new) = (0.0, 0.0);
    let cpu = || clearway_testdata::thread_cpu().map(|d| d.as_secs_f64()).unwrap_or(0.0);
    for (k, b) in bs.iter().enumerate() {
        // Alternate which goes first, so neither always meets a freshly checkpointed server.
        let mut outs = [Vec::new(), Vec::new()];
        for array in [k % 2 == 0, k % 2 == 1] {
            let (c0, t0) = (cpu(), Instant::now());
            let out = if array { old.write_batch_unnest(b).unwrap() } else { new.write_batch(b).unwrap() };
            let (dt, dc) = (t0.elapsed().as_secs_f64(), cpu() - c0);
            if array {
                (t_old, c_old) = (t_old + dt, c_old + dc);
            } else {
                (t_new, c_new) = (t_new + dt, c_new + dc);
            }
            outs[usize::from(array)] = out;
        }
        assert_eq!(outs[0], outs[1], "batch {k}: the paths disagree");
    }
    let items = bs.iter().map(Vec::len).sum::<usize>() as f64;
    eprintln!("array path (UNNEST, ON CONFLICT): {:.0} filings/s (client CPU {:.1} µs/filing)", items / t_old, c_old / items * 1e6);
    eprintln!("COPY path:                        {:.0} filings/s (client CPU {:.1} µs/filing)", items / t_new, c_new / items * 1e6);
    eprintln!("ratio: {:.2}x", t_old / t_new);
    assert_eq!(old.stats().unwrap(), new.stats().unwrap());
    // A repeated batch on the COPY path: all duplicates, with the decisions that stand.
    let again = new.write_batch(&bs[0]).unwrap();
    for (o, item) in again.iter().zip(&bs[0]) {
        let BatchItem::Accepted(a) = item else { unreachable!() };
        assert_eq!(*o, Outcome::Duplicate(Box::new(a.decision.clone())));
    }
    let size = |suffix: &str| -> i64 {
        let mut c = postgres::Client::connect(&db.url, postgres::NoTls).unwrap();
        c.query_one(&format!("SELECT pg_total_relation_size('\"{}_{suffix}\".filings')", db.schema), &[]).unwrap().get(0)
    };
    eprintln!("filings table: {} bytes (pglz) vs {} bytes (lz4)", size("unnest"), size("copy"));
    drop((old, new));
    drop_schema(&db, "unnest");
    drop_schema(&db, "copy");
}
