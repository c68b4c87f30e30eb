//! Scoring and explanation speed of a model trained on the KCS train split (default parameters),
//! over the feature rows of the valid split. `cargo bench -p clearway-model`.
//!
//! - `score/trees`: raw scores of prepared feature rows (the model's 67 features per row, f64, row-major),
//!   one core, through the compiled forest (`Booster::predict_raw_batch`); elements = rows;
//! - `score/row`: the baseline, one row at a time walking the stored trees node by node;
//! - `score/features+trees`: from the typed table to the scores (feature building and encoder look-ups
//!   included);
//! - `explain/row`: exact TreeSHAP contributions of one row (tabulated form, `shap::contributions`);
//! - `explain/reference`: the baseline, the published recursion (`shap::contributions_reference`);
//! - `score/trees-cpu`: `score/trees` measured in CPU time of the benchmark thread
//!   (`/proc/thread-self/schedstat`, Linux) instead of wall time, so that on a shared, loaded machine the
//!   time spent waiting for a core does not count; on an idle machine the two agree. (The kernel updates
//!   that counter at scheduler ticks, so it only suits iterations of milliseconds, as here — not
//!   `explain/row`.)

use clearway_model::gbdt::Matrix;
use clearway_model::{Model, ReadOptions, TrainOptions, read_csv};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::collections::HashMap;
use std::hint::black_box;
use clearway_testdata::thread_cpu;
use std::time::{Duration, Instant};

fn setup() -> Option<(Model, clearway_model::Dataset, Vec<f64>)> {
    let tr = clearway_testdata::file("declarations/kcs-synthetic/df_syn_train_eng.csv")?;
    let va = clearway_testdata::file("declarations/kcs-synthetic/df_syn_valid_eng.csv")?;
    let train = read_csv(&std::fs::read(tr).ok()?, &ReadOptions::default()).ok()?;
    let types: HashMap<_, _> = train.schema().into_iter().collect();
    let valid = read_csv(&std::fs::read(va).ok()?, &ReadOptions { types, delimiter: None }).ok()?;
    let mut o = TrainOptions::new("Fraud");
    o.drop = vec!["Critical Fraud".into()];
    o.params.threads = 1;
    let m = Model::train(&train, None, Some((&valid, None)), &o).ok()?;
    let x = m.features(&valid).ok()?;
    Some((m, valid, x))
}

/// Time `iters` runs of `f` in thread CPU time (wall time when CPU time is unavailable).
fn cpu_time(iters: u64, mut f: impl FnMut()) -> Duration {
    let (w, c) = (Instant::now(), thread_cpu());
    for _ in 0..iters {
        f();
    }
    match (c, thread_cpu()) {
        (Some(a), Some(b)) => b.saturating_sub(a),
        _ => w.elapsed(),
    }
}

fn bench(c: &mut Criterion) {
    let Some((m, valid, x)) = setup() else { return };
    let nf = m.spec.len();
    let rows = valid.rows;
    eprintln!("model: {} trees, {} features, {} rows", m.booster.trees.len(), nf, rows);
    let mat = Matrix::new(&x, rows, nf).unwrap_or_else(|_| unreachable!());
    let mut g = c.benchmark_group("score");
    g.throughput(Throughput::Elements(rows as u64));
    let mut out = Vec::new();
    g.bench_function("trees", |b| {
        b.iter(|| {
            m.booster.predict_raw_batch(black_box(mat), &mut out);
            black_box(out[0])
        })
    });
    g.bench_function("trees-cpu", |b| {
        b.iter_custom(|iters| {
            cpu_time(iters, || {
                m.booster.predict_raw_batch(black_box(mat), &mut out);
                black_box(out[0]);
            })
        })
    });
    g.bench_function("row", |b| {
        b.iter(|| {
            let mut s = 0.0;
            for i in 0..rows {
                s += m.booster.predict_raw(black_box(mat.row(i)));
            }
            black_box(s)
        })
    });
    g.sample_size(10);
    g.bench_function("features+trees", |b| b.iter(|| black_box(m.score(black_box(&valid)).map(|v| v[0]).ok())));
    g.finish();
    let mut g = c.benchmark_group("explain");
    g.throughput(Throughput::Elements(1));
    let mut phi = Vec::new();
    let mut i = 0;
    g.bench_function("row", |b| {
        b.iter(|| {
            i = (i + 1) % rows;
            clearway_model::shap::contributions(&m.booster, black_box(mat.row(i)), &mut phi);
            black_box(phi[0])
        })
    });
    g.bench_function("reference", |b| {
        b.iter(|| {
            i = (i + 1) % rows;
            clearway_model::shap::contributions_reference(&m.booster, black_box(mat.row(i)), &mut phi);
            black_box(phi[0])
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
