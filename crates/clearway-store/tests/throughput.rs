//! A write-throughput probe, ignored by default and asserting nothing about time. Principal tests:
//! `write_throughput_{memory,sqlite,postgres}`. Run it with
//! `cargo test -p clearway-store --release --test throughput -- --ignored --nocapture --test-threads 1`
//! (set `CLEARWAY_TEST_PG` to include PostgreSQL).

mod common;

use std::time::Instant;

use clearway_core::{Action, Decision, Filing, Finding, FindingKind, Lane, Stage};
use clearway_store::memory::MemoryStore;
use clearway_store::postgres::PgStore;
use clearway_store::sqlite::SqliteStore;
use clearway_store::{Accepted, BatchItem, InputRef, Outcome, Store};
use serde_json::json;

const ITEMS: usize = 20_000;
const BATCH: usize = 1_000;

/// A filing of realistic size: its raw JSON is about 1.5 KB.
fn item(i: usize) -> BatchItem {
    let id = format!("BOL{i:010}");
    let value = json!({
        "id": id, "version": 1, "kind": "house-bill", "mode": "marine", "direction": "import",
        "country": "US", "stage": "pre-load", "cargo": "containerised",
        "parties": [
            {"role": "consignor", "name": format!("Shenzhen Export Co {i}"), "country": "CN",
             "address": {"street": "88 Harbour Road", "city": "Shenzhen", "postcode": "518000", "country": "CN"}},
            {"role": "consignee", "name": "Midwest Imports LLC", "country": "US",
             "address": {"street": "1200 Commerce Dr", "city": "Chicago", "subdivision": "IL", "country": "US"},
             "ids": [{"scheme": "IOR", "value": "12-3456789"}]},
            {"role": "carrier", "name": "Ocean Line", "ids": [{"scheme": "SCAC", "value": "OCLN"}]},
            {"role": "notify-party", "name": "Midwest Imports LLC", "country": "US"}
        ],
        "goods": [
            {"description": "plastic toys, assorted", "hs_code": "950300", "quantity": 1200.0, "packages": 40,
             "package_type": "CT", "gross_kg": 850.0, "value": 15000.0, "currency": "USD", "origin": "CN",
             "containers": ["MSCU1234565"]},
            {"description": "children's bicycles", "hs_code": "871200", "quantity": 60.0, "packages": 60,
             "package_type": "PK", "gross_kg": 900.0, "value": 9000.0, "currency": "USD", "origin": "CN",
             "containers": ["MSCU1234565"]}
        ],
        "equipment": [{"number": "MSCU1234565", "size_type": "45G1", "seals": ["SL123456"]}],
        "conveyance": {"vessel_name": "MSC EXAMPLE", "imo": "9876543", "voyage": "123E"},
        "itinerary": {"place_of_loading": "CNSZX", "place_of_discharge": "USLAX",
                      "first_port_of_arrival": "USLAX", "routing": ["CN", "US"]},
        "times": {"filed_at": "2025-03-01T10:00:00Z", "departure": "2025-03-03T08:00:00Z",
                  "arrival": "2025-03-20T06:00:00Z"}
    });
    let raw = serde_json::to_vec(&value).unwrap();
    let filing: Filing = serde_json::from_value(value).unwrap();
    let findings = (0..4)
        .map(|k| {
            Finding::new("data-quality", &format!("DQ-CHECK-{k}"), FindingKind::DataQuality, 2.5, "a reason for the officer")
                .with("field", format!("goods[{k}].hs_code"))
                .with("value", "950300")
        })
        .collect();
    let decision = Decision {
        filing_id: id,
        version: 1,
        stage: Stage::PreLoad,
        lane: Lane::ALL[i % 4],
        actions: vec![Action::DocumentCheck],
        score: 10.0,
        findings,
        fast: None,
        random: None,
        engine_version: "clearway/0.1.0".into(),
        config_hash: "0123456789abcdef0123456789abcdef".into(),
    };
    BatchItem::Accepted(Accepted {
        input: InputRef { source: "bench.jsonl".into(), line: i as u64 + 1 },
        raw,
        filing,
        diagnostics: vec![],
        decision,
    })
}

fn run(name: &str, store: &mut dyn Store, items: &[BatchItem]) {
    let start = Instant::now();
    for batch in items.chunks(BATCH) {
        let out = store.write_batch(batch).unwrap();
        assert!(out.iter().all(|o| *o == Outcome::Stored));
    }
    let secs = start.elapsed().as_secs_f64();
    eprintln!("{name}: {} filings in {secs:.3} s = {:.0} filings/s", items.len(), items.len() as f64 / secs);
    assert_eq!(store.stats().unwrap().versions, items.len() as u64);
}

fn items() -> Vec<BatchItem> {
    let items: Vec<BatchItem> = (0..ITEMS).map(item).collect();
    let raw: usize = items
        .iter()
        .map(|i| match i {
            BatchItem::Accepted(a) => a.raw.len(),
            BatchItem::Rejected(r) => r.raw.len(),
        })
        .sum();
    eprintln!("{ITEMS} filings, batches of {BATCH}, raw input {} bytes on average", raw / items.len());
    items
}

#[test]
#[ignore = "throughput probe; run by hand with --release"]
fn write_throughput_memory() {
    run("memory", &mut MemoryStore::new(), &items());
}

#[test]
#[ignore = "throughput probe; run by hand with --release"]
fn write_throughput_sqlite() {
    let items = items();
    let dir = tempfile::tempdir().unwrap();
    run("sqlite (file, WAL)", &mut SqliteStore::open(&dir.path().join("bench.db")).unwrap(), &items);
}

#[test]
#[ignore = "throughput probe; run by hand with --release"]
fn write_throughput_postgres() {
    let Some(db) = common::PgTestDb::new() else { return };
    let items = items();
    run("postgres", &mut PgStore::connect_with_schema(&db.url, &db.schema).unwrap(), &items);
}
