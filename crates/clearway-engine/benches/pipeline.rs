//! Criterion: parse + assess against the floor of parsing the same JSON into `serde_json::Value`.

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
            for l in &lines {
                black_box(clearway_formats::parse_filing_json(l).unwrap());
            }
        })
    });
    g.bench_function("parse + assess", |b| {
        b.iter(|| {
            for l in &lines {
                let p = clearway_formats::parse_filing_json(l).unwrap();
                black_box(pipeline.assess(&p.filing, None));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
