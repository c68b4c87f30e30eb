//! Criterion: parse + assess against the floor of parsing the same JSON into `serde_json::Value`.
//! Parsing goes through `clearway_formats::records`, the JSON Lines reader `clearway screen` uses, and
//! the allocator is the `clearway` binary's; "parse, one filing at a time" is the entry point for a
//! single JSON document (`parse_filing_json`).
//!
//! `cargo bench -p clearway-engine --bench pipeline -- --warm-up-time 1 --measurement-time 4`

/// The allocator the `clearway` binary uses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let generator = clearway_synth::Generator::new(clearway_synth::Config {
        count: 2_000,
        seed: 11,
        start: "2026-11-02T00:00:00Z".parse().unwrap(),
        days: 1,
    });
    let registry = clearway_engine::Registry::new(generator.memberships());
    let lines: Vec<Vec<u8>> = generator.map(|f| serde_json::to_vec(&f).unwrap()).collect();
    let jsonl: &'static [u8] = Box::leak(lines.join(&b'\n').into_boxed_slice());
    // The standard layers: data quality, deadline, trusted trader, radioactive source.
    let pipeline = clearway_engine::Pipeline::new(Default::default(), Default::default(), registry);
    let mut g = c.benchmark_group("pipeline");
    g.throughput(Throughput::Elements(lines.len() as u64));
    g.bench_function("floor: serde_json::Value", |b| {
        b.iter(|| {
            for l in &lines {
                black_box(serde_json::from_slice::<serde_json::Value>(l).unwrap());
            }
        })
    });
    g.bench_function("parse", |b| {
        b.iter(|| {
            for r in clearway_formats::records(std::io::Cursor::new(jsonl)) {
                black_box(r.outcome.unwrap());
            }
        })
    });
    g.bench_function("parse + assess", |b| {
        b.iter(|| {
            for r in clearway_formats::records(std::io::Cursor::new(jsonl)) {
                let p = r.outcome.unwrap();
                black_box(pipeline.assess(&p.filing, None));
            }
        })
    });
    g.bench_function("parse, one filing at a time", |b| {
        b.iter(|| {
            for l in &lines {
                black_box(clearway_formats::parse_filing_json(l).unwrap());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
