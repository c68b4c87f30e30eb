//! Ad hoc timing of the JSON readers against plain `serde_json::Value` parsing.
//!
//! `cargo run --release -p clearway-formats --example parse_speed [copies] [filter]`
//!
//! Parses `copies` (default 100,000) copies of a realistic filing with each method, best of five
//! rounds, and prints filings per second. With `filter`, runs only the methods whose label
//! contains it (the `Value` baseline always runs).

use std::hint::black_box;
use std::time::{Duration, Instant};

use clearway_formats::{CsvRecords, JsonRecords, parse_filing_json};

const FILING: &str = r#"{"id":"MAEU123456789","version":2,"kind":"house-bill","status":"amendment","mode":"marine","direction":"import","country":"CA","stage":"pre-load","cargo":"containerised",
"parties":[{"role":"consignor","name":"Shenzhen Bright Electronics Co., Ltd.","address":{"street":"88 Keji Road","city":"Shenzhen","postcode":"518057","country":"CN"},"country":"CN"},
{"role":"consignee","name":"Maple Leaf Imports Inc.","address":{"street":"1200 Bay Street","city":"Toronto","subdivision":"ON","country":"CA"},"country":"CA","ids":[{"scheme":"PIP","value":"PIP-0042137"}]},
{"role":"carrier","name":"Maersk Line","ids":[{"scheme":"SCAC","value":"MAEU"}]},
{"role":"notify-party","name":"Northern Customs Brokers Ltd.","country":"CA"}],
"goods":[{"description":"Laptop computers, 14 inch","hs_code":"847130","quantity":1200,"packages":100,"package_type":"CT","gross_kg":3450.5,"value":540000.0,"currency":"USD","origin":"CN","containers":["MSKU1234565"]},
{"description":"Lithium-ion batteries packed with equipment","hs_code":"850760","quantity":1200,"packages":10,"gross_kg":480.25,"value":36000.0,"currency":"USD","origin":"CN","un_number":"3481","containers":["MSKU1234565"]}],
"equipment":[{"number":"MSKU1234565","size_type":"45G1","seals":["ML-8812345"]}],
"conveyance":{"vessel_name":"MAERSK ESSEN","imo":"9456783","voyage":"214N"},
"itinerary":{"place_of_loading":"CNYTN","place_of_discharge":"CAVAN","first_port_of_arrival":"CAVAN","routing":["CN","KR","CA"]},
"times":{"filed_at":"2025-03-01T08:15:00Z","loading":"2025-03-03T12:00:00Z","arrival":"2025-03-18T14:00:00Z"}}"#;

const CSV_HEADER: &str = "id,mode,direction,country,stage,cargo,consignor_name,consignor_country,consignee_name,consignee_country,hs_code,description,packages,gross_kg,value,currency,origin,container,seal,vessel_name,imo,voyage,place_of_loading,place_of_discharge,routing,filed_at,arrival";
const CSV_ROW: &str = r#"MAEU123456789,marine,import,CA,pre-load,containerised,Bright Electronics,CN,Maple Imports,CA,847130,"Laptops, 14 inch",100,3450.5,540000,USD,CN,MSKU1234565,ML-8812345,MAERSK ESSEN,9456783,214N,CNYTN,CAVAN,CN;KR;CA,2025-03-01T08:15:00Z,2025-03-18T14:00:00Z"#;

fn best_of<F: FnMut() -> usize>(rounds: usize, mut f: F) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut n = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        n = f();
        best = best.min(t.elapsed());
    }
    (best, n)
}

fn wanted(label: &str) -> bool {
    std::env::args().nth(2).is_none_or(|f| label.contains(&f))
}

fn report(label: &str, copies: usize, (time, n): (Duration, usize), baseline: Option<Duration>) {
    let rate = copies as f64 / time.as_secs_f64();
    let ratio = baseline.map_or(String::new(), |b| format!("  ({:.2}× Value)", time.as_secs_f64() / b.as_secs_f64()));
    println!("{label:<48} {:>8.1} ms  {:>10.0} filings/s  [{n}]{ratio}", time.as_secs_f64() * 1e3, rate);
}

/// Time `f` (which handles `copies` filings) when `label` is wanted, and print the result.
fn run<F: FnMut() -> usize>(label: &str, copies: usize, base: Option<Duration>, f: F) {
    if wanted(label) {
        report(label, copies, best_of(5, f), base);
    }
}

fn main() {
    let copies: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    // One line per filing, as in JSON Lines.
    let one: String = FILING.replace('\n', "");
    let bytes = one.as_bytes();
    println!("filing: {} bytes; {copies} copies; best of 5 rounds", bytes.len());

    let value = best_of(5, || {
        (0..copies)
            .filter(|_| serde_json::from_slice::<serde_json::Value>(black_box(bytes)).is_ok_and(|v| v.is_object()))
            .count()
    });
    report("serde_json::from_slice::<Value>", copies, value, None);
    let base = Some(value.0);

    run("serde_json::from_slice::<Filing>", copies, base, || {
        (0..copies).filter(|_| serde_json::from_slice::<clearway_core::Filing>(black_box(bytes)).is_ok()).count()
    });
    run("parse_filing_json (fast path)", copies, base, || {
        (0..copies).filter(|_| parse_filing_json(black_box(bytes)).is_ok()).count()
    });
    // What the fast path costs if the model stops denying unknown fields (see
    // `json::denies_unknown_fields`): typed deserialization through `serde_ignored`.
    run("serde_ignored::<Filing> (fast path without deny)", copies, base, || {
        (0..copies)
            .filter(|_| {
                let mut de = serde_json::Deserializer::from_slice(black_box(bytes));
                let mut ignored = 0;
                serde_ignored::deserialize::<_, _, clearway_core::Filing>(&mut de, |_| ignored += 1).is_ok()
                    && de.end().is_ok()
            })
            .count()
    });
    let with_unknown = one.replacen(r#""stage":"pre-load""#, r#""stage":"pre-load","fax":"+1 555""#, 1);
    run("parse_filing_json (slow path, 1 repair)", copies / 10, None, || {
        (0..copies / 10).filter(|_| parse_filing_json(black_box(with_unknown.as_bytes())).is_ok()).count()
    });

    let mut lines = Vec::with_capacity((bytes.len() + 1) * copies);
    for _ in 0..copies {
        lines.extend_from_slice(bytes);
        lines.push(b'\n');
    }
    run("JsonRecords over JSON Lines (cut + parse)", copies, base, || {
        JsonRecords::new(black_box(&lines[..])).filter(|r| r.outcome.is_ok()).count()
    });

    let mut array = vec![b'['];
    for i in 0..copies {
        if i > 0 {
            array.extend_from_slice(b",\n");
        }
        array.extend_from_slice(bytes);
    }
    array.push(b']');
    run("JsonRecords over a JSON array (cut + parse)", copies, base, || {
        JsonRecords::new(black_box(&array[..])).filter(|r| r.outcome.is_ok()).count()
    });

    let mut csv = Vec::new();
    csv.extend_from_slice(CSV_HEADER.as_bytes());
    csv.push(b'\n');
    for _ in 0..copies {
        csv.extend_from_slice(CSV_ROW.as_bytes());
        csv.push(b'\n');
    }
    run("CsvRecords (one-line filing)", copies, None, || {
        CsvRecords::new(black_box(&csv[..])).filter(|r| r.outcome.is_ok()).count()
    });
}
