//! Train on the KCS train split, evaluate on valid, time scoring and TreeSHAP (one thread, in process):
//! `cargo run --release -p clearway-model --example kcs [leaves=N depth=N lr=X trees=N seed=N ...]`.
use clearway_model::*;
use std::collections::HashMap;

/// CPU time of this thread in seconds (Linux `/proc/thread-self/schedstat`), so figures survive a
/// loaded machine better than wall-clock time.
fn cpu() -> f64 {
    clearway_testdata::thread_cpu().map_or(f64::NAN, |d| d.as_secs_f64())
}

/// (wall seconds, CPU seconds) of `f`.
fn timed(mut f: impl FnMut()) -> (f64, f64) {
    let (t, c) = (std::time::Instant::now(), cpu());
    f();
    (t.elapsed().as_secs_f64(), cpu() - c)
}

fn main() {
    let Some(dir) = clearway_testdata::file("declarations/kcs-synthetic") else { return };
    let dir = format!("{}/", dir.display());
    let tb = std::fs::read(format!("{dir}df_syn_train_eng.csv")).unwrap();
    let vb = std::fs::read(format!("{dir}df_syn_valid_eng.csv")).unwrap();
    let t0 = std::time::Instant::now();
    let c0 = cpu();
    let tr = read_csv(&tb, &ReadOptions::default()).unwrap();
    let types: HashMap<_, _> = tr.schema().into_iter().collect();
    let va = read_csv(&vb, &ReadOptions { types, delimiter: None }).unwrap();
    println!("read CSVs: {:?} wall, {:.3} s CPU", t0.elapsed(), cpu() - c0);
    let c1 = cpu();
    let mut o = TrainOptions::new("Fraud");
    o.drop = vec!["Critical Fraud".into()];
    let args: Vec<String> = std::env::args().collect();
    let mut train_only = false;
    for a in &args[1..] {
        let (k, v) = a.split_once('=').unwrap();
        let f: f64 = v.parse().unwrap();
        match k {
            "leaves" => o.params.num_leaves = f as usize,
            "depth" => o.params.max_depth = f as usize,
            "lr" => o.params.learning_rate = f,
            "trees" => o.params.num_trees = f as usize,
            "min" => o.params.min_data_in_leaf = f as usize,
            "l2" => o.params.lambda_l2 = f,
            "ff" => o.params.feature_fraction = f,
            "m" => o.smoothing = f,
            "seed" => o.params.seed = f as u64,
            "es" => o.params.early_stopping_rounds = f as usize,
            "threads" => o.params.threads = f as usize,
            "bins" => o.params.max_bins = f as usize,
            "bag" => o.params.bagging_fraction = f,
            "train_only" => train_only = f > 0.0,
            "legacy" if f > 0.0 => { let (d, p) = (o.drop.clone(), o.params.clone()); o = TrainOptions::legacy("Fraud"); o.drop = d; o.params = p; }
            "legacy" => {}
            "oof" => o.statistics.mode = if f > 0.0 { features::StatsMode::OutOfFold } else { features::StatsMode::Ordered },
            "perms" => o.statistics.permutations = f as usize,
            "combos" => o.statistics.combinations = f as usize,
            "values" => o.statistics.value_keys = f > 0.0,
            "learned" => o.statistics.learned_keys = f > 0.0,
            "gain" => o.statistics.min_gain = f,
            _ => panic!("{k}"),
        }
    }
    let m = Model::train(&tr, None, Some((&va, None)), &o).unwrap();
    let el = t0.elapsed();
    println!("train (features + trees + calibration, main thread): {:.3} s CPU", cpu() - c1);
    let r = m.validation.as_ref().unwrap();
    println!("keys: {}", m.spec.groups.iter().map(|g| g.name.as_str()).collect::<Vec<_>>().join(" | "));
    println!("trees {} p1 {:.4} p2 {:.4} p5 {:.4} p10 {:.4} r10 {:.4} auc {:.4} time {:?}", m.booster.trees.len(), r.precision_at_1pct, r.precision_at_2pct, r.precision_at_5pct, r.precision_at_10pct, r.recall_at_10pct, r.auc, el);
    if train_only {
        return;
    }
    let x = m.features(&va).unwrap();
    let digest = |v: &[f64]| { let b: Vec<u8> = v.iter().flat_map(|f| f.to_bits().to_le_bytes()).collect(); model::hash_bytes(&b)[..16].to_string() };
    let (_, xt) = m.spec.fit(&tr, &Model::labels_of(&tr, "Fraud").unwrap()).unwrap();
    println!("feature digests: train {} valid {}", digest(&xt), digest(&x));
    let nf = m.spec.len();
    let mat = clearway_model::gbdt::Matrix::new(&x, va.rows, nf).unwrap();
    let mut out = Vec::new();
    let reps = 50;
    let n = (reps * va.rows) as f64;
    m.booster.predict_raw_batch(mat, &mut out);
    let (w, c) = timed(|| for _ in 0..reps { m.booster.predict_raw_batch(mat, &mut out); });
    println!("score: {} trees, {} features: {:.0} rows/s CPU ({:.0} wall) (one thread, compiled forest, batch)", m.booster.trees.len(), nf, n / c, n / w);
    let reps_f = 10;
    let (w, c) = timed(|| { m.score(&va).unwrap(); });
    println!("score: first table {:.3} s CPU ({:.3} wall), including building the statistics index", c, w);
    let (w, c) = timed(|| for _ in 0..reps_f { std::hint::black_box(m.score(&va).unwrap()); });
    let nf_rows = (reps_f * va.rows) as f64;
    println!("score: {:.0} rows/s CPU ({:.0} wall) (one thread, from the typed table: features with key statistics looked up + compiled forest)", nf_rows / c, nf_rows / w);
    let mut s = 0.0;
    let (w, c) = timed(|| for _ in 0..reps { for i in 0..va.rows { s += m.booster.predict_raw(mat.row(i)); } });
    println!("score: {:.0} rows/s CPU ({:.0} wall) (one thread, node walk, row at a time) {}", n / c, n / w, s > 0.0);
    let mut phi = Vec::new();
    let _ = m.booster.explainer();
    let reps = 5;
    let n = (reps * va.rows) as f64;
    let (w, c) = timed(|| for _ in 0..reps { for i in 0..va.rows { clearway_model::shap::contributions(&m.booster, mat.row(i), &mut phi); } });
    println!("explain: {:.1} us/row CPU ({:.1} wall) (TreeSHAP, tabulated, mean over {} rows x {reps})", c * 1e6 / n, w * 1e6 / n, va.rows);
    let (mut reference, mut worst) = (Vec::new(), 0.0f64);
    let (w, c) = timed(|| for i in 0..va.rows {
        clearway_model::shap::contributions_reference(&m.booster, mat.row(i), &mut reference);
        clearway_model::shap::contributions(&m.booster, mat.row(i), &mut phi);
        for (a, r) in phi.iter().zip(&reference) { worst = worst.max((a - r).abs()); }
    });
    println!("explain: {:.1} us/row CPU ({:.1} wall) (reference recursion + tabulated); largest difference {:.1e}", c * 1e6 / va.rows as f64, w * 1e6 / va.rows as f64, worst);
    let ex = m.explain(&va, 0).unwrap();
    for c in ex.contributions.iter().take(5) { println!("  {:<50} {:?} {:+.3}", c.feature, c.value, c.contribution); }
}
