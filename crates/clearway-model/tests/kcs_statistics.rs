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
