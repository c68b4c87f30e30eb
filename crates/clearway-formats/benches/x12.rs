//! X12 throughput: a large 309 interchange (20,000 synthetic filings through `write_309`), tokenized
//! only and read (tokenize + envelope + 309 mapping), beside `serde_json::Value` parsing of the same
//! filings as JSON Lines.
//!
//! `cargo bench -p clearway-formats --bench x12 -- --warm-up-time 1 --measurement-time 3`


/// The allocator the `clearway` binary uses: building owned filings is allocation-bound.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;

use clearway_formats::x12;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn filings() -> Vec<clearway_core::Filing> {
    let start = "2026-11-02T00:00:00Z".parse().unwrap_or_default();
    clearway_synth::Generator::new(clearway_synth::Config { count: 20_000, seed: 1, start, days: 1 }).collect()
}

fn bench(c: &mut Criterion) {
    let fs = filings();
    let edi = x12::write_309(&fs, "CLEARWAY", "CBP", 1);
    let mut jsonl = Vec::new();
    for f in &fs {
        jsonl.extend_from_slice(serde_json::to_string(f).unwrap_or_default().as_bytes());
        jsonl.push(b'\n');
    }
    eprintln!("x12: {} filings, {} bytes of X12, {} bytes of JSON Lines", fs.len(), edi.len(), jsonl.len());

    let mut g = c.benchmark_group("x12");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(edi.len() as u64));
    g.bench_function("tokenize", |b| {
        b.iter(|| {
            let t = x12::tokenize(black_box(&edi)).map(|t| t.map(|s| s.raw.len()).sum::<usize>());
            black_box(t.ok())
        })
    });
    g.bench_function("read", |b| {
        b.iter(|| {
            let ic = x12::read(black_box(&edi));
            black_box(ic.messages.len())
        })
    });
    g.throughput(Throughput::Bytes(jsonl.len() as u64));
    g.bench_function("json_value", |b| {
        b.iter(|| {
            let n = black_box(&jsonl)
                .split(|&c| c == b'\n')
                .filter(|l| !l.is_empty())
                .filter_map(|l| serde_json::from_slice::<serde_json::Value>(l).ok())
                .count();
            black_box(n)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
