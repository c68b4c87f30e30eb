//! EDIFACT throughput: tokenize only, read (tokenize + envelope + CUSCAR mapping), against
//! `serde_json::from_slice::<Value>` over the same filings as JSON Lines.
//!
//! `cargo bench -p clearway-formats --bench edifact -- --warm-up-time 1 --measurement-time 3`


/// The allocator the `clearway` binary uses: building owned filings is allocation-bound.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;

use clearway_core::Filing;
use clearway_formats::edifact;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const FILINGS: usize = 20_000;

fn data() -> (Vec<Filing>, Vec<u8>, Vec<u8>) {
    let cfg = clearway_synth::Config {
        count: FILINGS,
        seed: 7,
        start: "2026-11-02T00:00:00Z".parse().unwrap_or_default(),
        days: 1,
    };
    let fs: Vec<Filing> = clearway_synth::Generator::new(cfg).collect();
    let edi = edifact::write_cuscar(&fs, "CARRIER:ZZ", "CBSA:ZZ", "BENCH1");
    let mut jsonl = Vec::new();
    for f in &fs {
        jsonl.extend_from_slice(clearway_synth::to_jsonl(f).as_bytes());
        jsonl.push(b'\n');
    }
    (fs, edi, jsonl)
}

fn bench(c: &mut Criterion) {
    let (fs, edi, jsonl) = data();
    eprintln!("EDIFACT interchange: {} bytes; JSON Lines: {} bytes; {FILINGS} filings", edi.len(), jsonl.len());
    let mut g = c.benchmark_group("edifact");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(edi.len() as u64));
    g.bench_function("tokenize", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for s in edifact::Tokenizer::new(black_box(&edi)) {
                n += s.raw.len();
            }
            n
        })
    });
    g.bench_function("read (tokenize+map)", |b| b.iter(|| edifact::read(black_box(&edi))));
    g.bench_function("read, drop of the result not timed", |b| {
        b.iter_with_large_drop(|| edifact::read(black_box(&edi)))
    });
    // The floor: only building (cloning) and dropping the same filings and raw message copies.
    let raws: Vec<Vec<u8>> = edifact::read(&edi).messages.into_iter().map(|m| m.raw).collect();
    g.bench_function("baseline: clone+drop filings and raw", |b| {
        b.iter(|| (black_box(&fs).clone(), black_box(&raws).clone()))
    });
    g.throughput(Throughput::Bytes(jsonl.len() as u64));
    g.bench_function("json lines -> serde_json::Value", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for line in black_box(&jsonl).split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                if let Ok(v) = serde_json::from_slice::<serde_json::Value>(line) {
                    n += v.as_object().map_or(0, |o| o.len());
                }
            }
            n
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
