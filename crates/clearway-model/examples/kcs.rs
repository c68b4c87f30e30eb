//! Train on the KCS train split, evaluate on valid, time scoring and TreeSHAP (one thread, in process):
//! `cargo run --release -p clearway-model --example kcs [leaves=N depth=N lr=X trees=N seed=N ...]`.
use clearway_model::*;
use std::collections::HashMap;
fn main() {
    let Some(dir) = clearway_testdata::file("declarations/kcs-synthetic") else { return };
    let dir = format!("{}/", dir.display());
    let tb = std::fs::read(format!("{dir}df_syn_train_eng.csv")).unwrap();
    let vb = std::fs::read(format!("{dir}df_syn_valid_eng.csv")).unwrap();
    let t0 = std::time::Instant::now();
    let tr = read_csv(&tb, &ReadOptions::default()).unwrap();
    let types: HashMap<_, _> = tr.schema().into_iter().collect();
    let va = read_csv(&vb, &ReadOptions { types, delimiter: None }).unwrap();
    let mut o = TrainOptions::new("Fraud");
    o.drop = vec!["Critical Fraud".into()];
    let args: Vec<String> = std::env::args().collect();
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
            _ => panic!("{k}"),
        }
    }
    let m = Model::train(&tr, None, Some((&va, None)), &o).unwrap();
    let el = t0.elapsed();
    let r = m.validation.as_ref().unwrap();
    println!("trees {} p1 {:.4} p2 {:.4} p5 {:.4} p10 {:.4} auc {:.4} time {:?}", m.booster.trees.len(), r.precision_at_1pct, r.precision_at_2pct, r.precision_at_5pct, r.precision_at_10pct, r.auc, el);
    let x = m.features(&va).unwrap();
    let nf = m.spec.len();
    let mat = clearway_model::gbdt::Matrix::new(&x, va.rows, nf).unwrap();
    let mut out = Vec::new();
    let reps = 50;
    let t = std::time::Instant::now();
    for _ in 0..reps { m.booster.predict_raw_batch(mat, &mut out); }
    let dt = t.elapsed().as_secs_f64();
    println!("score: {} trees, {} features: {:.0} rows/s (one thread, batch)", m.booster.trees.len(), nf, (reps * va.rows) as f64 / dt);
    let t = std::time::Instant::now();
    let mut s = 0.0;
    for _ in 0..reps { for i in 0..va.rows { s += m.booster.predict_raw(mat.row(i)); } }
    let dt = t.elapsed().as_secs_f64();
    println!("score: {:.0} rows/s (one thread, row at a time) {}", (reps * va.rows) as f64 / dt, s > 0.0);
    let mut phi = Vec::new();
    let _ = m.booster.explainer();
    let t = std::time::Instant::now();
    for i in 0..va.rows { clearway_model::shap::contributions(&m.booster, mat.row(i), &mut phi); }
    let dt = t.elapsed().as_secs_f64();
    println!("explain: {:.1} us/row (TreeSHAP, tabulated, mean over {} rows)", dt * 1e6 / va.rows as f64, va.rows);
    let (mut reference, mut worst) = (Vec::new(), 0.0f64);
    let t = std::time::Instant::now();
    for i in 0..va.rows {
        clearway_model::shap::contributions_reference(&m.booster, mat.row(i), &mut reference);
        clearway_model::shap::contributions(&m.booster, mat.row(i), &mut phi);
        for (a, r) in phi.iter().zip(&reference) { worst = worst.max((a - r).abs()); }
    }
    let dt = t.elapsed().as_secs_f64();
    println!("explain: {:.1} us/row (reference recursion + tabulated); largest difference {:.1e}", dt * 1e6 / va.rows as f64, worst);
    let ex = m.explain(&va, 0).unwrap();
    for c in ex.contributions.iter().take(5) { println!("  {:<50} {:?} {:+.3}", c.feature, c.value, c.contribution); }
}
