//! Target statistics on real rows (KCS synthetic declarations; skipped with a printed reason when the
//! data is absent):
//! - with the new statistics switched off (`Statistics::legacy()`), a model scores exactly as the model
//!   of before ordered statistics did (a digest of the scores, recorded from that code);
//! - the ordered statistics never read a row's own label: trained on a label-shuffled copy, the model
//!   has no skill on valid;
//! - updating the statistics from new labelled rows changes scores without touching the trees.

use clearway_model::{Dataset, Model, ReadOptions, TrainOptions, read_csv};
use std::collections::HashMap;

fn head(bytes: &[u8], lines: usize) -> &[u8] {
    let mut n = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            n += 1;
            if n == lines {
                return &bytes[..=i];
            }
        }
    }
    bytes
}

fn kcs(train_lines: usize, valid_lines: usize) -> Option<(Dataset, Dataset)> {
    let (Some(tr), Some(va)) = (
        clearway_testdata::file("declarations/kcs-synthetic/df_syn_train_eng.csv"),
        clearway_testdata::file("declarations/kcs-synthetic/df_syn_valid_eng.csv"),
    ) else {
        eprintln!("skipped: KCS synthetic data not found");
        return None;
    };
    let tb = std::fs::read(tr).ok()?;
    let vb = std::fs::read(va).ok()?;
    let train = read_csv(head(&tb, train_lines), &ReadOptions::default()).ok()?;
    let types: HashMap<_, _> = train.schema().into_iter().collect();
    let valid = read_csv(head(&vb, valid_lines), &ReadOptions { types, delimiter: None }).ok()?;
    Some((train, valid))
}

fn digest(scores: &[f64]) -> String {
    let mut b = Vec::with_capacity(scores.len() * 8);
    for s in scores {
        b.extend_from_slice(&s.to_bits().to_le_bytes());
    }
    blake3::hash(&b).to_hex().to_string()
}

#[test]
fn legacy_statistics_give_the_scores_of_before() {
    let Some((train, valid)) = kcs(6001, 1501) else {
        return;
    };
    let mut o = TrainOptions::legacy("Fraud");
    o.drop = vec!["Critical Fraud".into()];
    o.params.num_trees = 30;
    o.params.threads = 1;
    let m = Model::train(&train, None, Some((&valid, None)), &o).unwrap();
    let s = m.score(&valid).unwrap();
    // Recorded from the code before ordered statistics (commit 8e3cfbc), same rows and options.
    assert_eq!(digest(&s), "005a095b067cadcbb7e0af713bf48ca9fe20fd0720a9fde8ed485e694347f1f6");
}

#[test]
fn legacy_statistics_give_the_scores_of_before_on_the_full_split() {
    let Some((train, valid)) = kcs(usize::MAX, usize::MAX) else {
        return;
    };
    let mut o = TrainOptions::legacy("Fraud");
    o.drop = vec!["Critical Fraud".into()];
    o.params.threads = 1;
    let m = Model::train(&train, None, Some((&valid, None)), &o).unwrap();
    let s = m.score(&valid).unwrap();
    assert_eq!(digest(&s), "b5b5a2533ad7c55e742db05f0b911f25f585c459bca008d60a4654561457de9c");
}

/// The CSV with the `Fraud` column's values permuted among the rows (seeded): same base rate, no signal.
fn shuffle_labels(csv: &[u8], seed: u64) -> Vec<u8> {
    let text = std::str::from_utf8(csv).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let col = header.split(',').position(|c| c == "Fraud").unwrap();
    let mut rows: Vec<Vec<&str>> = lines.filter(|l| !l.is_empty()).map(|l| l.split(',').collect()).collect();
    let mut labels: Vec<&str> = rows.iter().map(|r| r[col]).collect();
    let mut state = seed;
    for i in (1..labels.len()).rev() {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        labels.swap(i, (state >> 33) as usize % (i + 1));
    }
    let mut out = format!("{header}\n");
    for (r, l) in rows.iter_mut().zip(labels) {
        r[col] = l;
        out.push_str(&r.join(","));
        out.push('\n');
    }
    out.into_bytes()
}

#[test]
fn ordered_statistics_of_a_label_shuffled_copy_show_no_gain_on_valid() {
    let Some((_, valid)) = kcs(2, usize::MAX) else { return };
    let Some(tr) = clearway_testdata::file("declarations/kcs-synthetic/df_syn_train_eng.csv") else { return };
    let tb = std::fs::read(tr).unwrap();
    let shuffled = shuffle_labels(head(&tb, 20001), 7);
    let train = read_csv(&shuffled, &ReadOptions::default()).unwrap();
    let mut o = TrainOptions::new("Fraud");
    o.drop = vec!["Critical Fraud".into()];
    o.params.threads = 1;
    o.params.early_stopping_rounds = 0; // no help from the valid split: all 150 trees
    let m = Model::train(&train, None, None, &o).unwrap();
    let s = m.score(&valid).unwrap();
    let y = m.labels(&valid).unwrap();
    let r = clearway_model::metrics::evaluate(&s, &y, None);
    let base = y.iter().sum::<f64>() / y.len() as f64;
    println!(
        "label-shuffled training: AUC {:.4}, p@5 {:.4}, p@10 {:.4}, base rate {base:.4}",
        r.auc, r.precision_at_5pct, r.precision_at_10pct
    );
    assert!((r.auc - 0.5).abs() < 0.03, "AUC {} on valid after training on shuffled labels", r.auc);
    assert!(r.precision_at_10pct < base + 0.05, "p@10 {} vs base rate {base}", r.precision_at_10pct);
    // The same rows with their true labels do learn (the test would pass vacuously otherwise).
    let train = read_csv(head(&tb, 20001), &ReadOptions::default()).unwrap();
    let m = Model::train(&train, None, None, &o).unwrap();
    let r = clearway_model::metrics::evaluate(&m.score(&valid).unwrap(), &y, None);
    assert!(r.auc > 0.85, "AUC {} with the true labels", r.auc);
}

#[test]
fn statistics_update_from_new_exam_results_without_retraining() {
    let Some((train, valid)) = kcs(10001, usize::MAX) else { return };
    let mut o = TrainOptions::new("Fraud");
    o.drop = vec!["Critical Fraud".into()];
    o.params.threads = 1;
    let m = Model::train(&train, None, Some((&valid, None)), &o).unwrap();
    let y = m.labels(&valid).unwrap();
    let cols = m.spec.resolve(&valid).unwrap();
    let half = valid.rows / 2;
    let cells = |i: usize| clearway_model::features::cells_of(&valid, &cols, i);
    // Nothing added: the same model.
    let same = m.clone().with_stats_update(std::iter::empty::<(Vec<clearway_model::features::Cell<'_>>, f64)>());
    assert_eq!(same, m);
    // The first half of the valid period's exam results arrive; the second half is scored.
    let updated = m.clone().with_stats_update((0..half).map(|i| (cells(i), y[i])));
    assert_eq!(updated.booster, m.booster, "the trees stay");
    let u = updated.updates.as_ref().unwrap();
    assert_eq!((u.rows, u.positives), (half, y[..half].iter().filter(|&&v| v == 1.0).count()));
    assert_ne!(model_digest(&updated), model_digest(&m), "the digest names the statistics");
    let later = |m: &Model| {
        let s: Vec<f64> = (half..valid.rows).map(|i| m.explain_features(&m.row_features(&cells(i))).0).collect();
        clearway_model::metrics::evaluate(&s, &y[half..], None)
    };
    let (before, after) = (later(&m), later(&updated));
    println!(
        "second half of valid: AUC {:.4} -> {:.4}, p@10 {:.4} -> {:.4} with the first half's results added",
        before.auc, after.auc, before.precision_at_10pct, after.precision_at_10pct
    );
    assert!(after.auc >= before.auc, "AUC {} after the update vs {} before", after.auc, before.auc);
    // A row found fraudulent three times over raises the next row with the same inputs; found clean lowers it.
    let r = (half..valid.rows).find(|&i| y[i] == 0.0).unwrap();
    let score = |m: &Model| m.explain_features(&m.row_features(&cells(r))).0;
    let up = m.clone().with_stats_update((0..3).map(|_| (cells(r), 1.0)));
    let down = m.clone().with_stats_update((0..3).map(|_| (cells(r), 0.0)));
    assert!(score(&up) > score(&m) && score(&down) < score(&m), "{} {} {}", score(&down), score(&m), score(&up));
    // The update survives the model file.
    let back = Model::from_json(&up.to_json()).unwrap();
    assert_eq!(back.updates, up.updates);
    assert_eq!(score(&back).to_bits(), score(&up).to_bits());
}

fn model_digest(m: &Model) -> String {
    blake3::hash(m.to_json().as_bytes()).to_hex().to_string()
}
