//! The fast paths against their references on real rows (KCS synthetic declarations): the compiled
//! forest scores every row exactly like the node-by-node walk, and the tabulated TreeSHAP gives the
//! published recursion's contributions, which add up to the score. A subset of the train split keeps
//! the test quick in debug builds.

use clearway_model::gbdt::Matrix;
use clearway_model::{Model, ReadOptions, TrainOptions, read_csv};
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

#[test]
fn forest_and_tabulated_shap_match_their_references_on_kcs_rows() {
    let (Some(tr), Some(va)) = (
        clearway_testdata::file("declarations/kcs-synthetic/df_syn_train_eng.csv"),
        clearway_testdata::file("declarations/kcs-synthetic/df_syn_valid_eng.csv"),
    ) else {
        eprintln!("skipped: KCS synthetic data not found");
        return;
    };
    let tb = std::fs::read(tr).unwrap();
    let vb = std::fs::read(va).unwrap();
    let train = read_csv(head(&tb, 6001), &ReadOptions::default()).unwrap();
    let types: HashMap<_, _> = train.schema().into_iter().collect();
    let valid = read_csv(head(&vb, 1501), &ReadOptions { types, delimiter: None }).unwrap();
    let mut o = TrainOptions::new("Fraud");
    o.drop = vec!["Critical Fraud".into()];
    o.params.num_trees = 30;
    o.params.threads = 1;
    let m = Model::train(&train, None, Some((&valid, None)), &o).unwrap();
    // Feature fitting on several threads gives the same encoders and features, bit for bit.
    let y = Model::labels_of(&train, "Fraud").unwrap();
    let (e1, x1) = m.spec.fit(&train, &y).unwrap();
    let (e3, x3) = m.spec.fit_threads(&train, &y, 3).unwrap();
    assert_eq!(e1, e3);
    assert!(x1.iter().zip(&x3).all(|(a, b)| a.to_bits() == b.to_bits()) && x1.len() == x3.len());
    let nf = m.spec.len();
    let x = m.features(&valid).unwrap();
    let mat = Matrix::new(&x, valid.rows, nf).unwrap();
    let mut batch = Vec::new();
    m.booster.predict_raw_batch(mat, &mut batch);
    let (mut phi, mut reference) = (Vec::new(), Vec::new());
    let base = clearway_model::shap::expected_value(&m.booster);
    for i in 0..valid.rows {
        let raw = m.booster.predict_raw(mat.row(i));
        assert_eq!(batch[i].to_bits(), raw.to_bits(), "row {i}: compiled forest differs from the node walk");
        if i % 3 == 0 {
            clearway_model::shap::contributions(&m.booster, mat.row(i), &mut phi);
            clearway_model::shap::contributions_reference(&m.booster, mat.row(i), &mut reference);
            for (f, (a, r)) in phi.iter().zip(&reference).enumerate() {
                assert!((a - r).abs() < 1e-12, "row {i}, feature {f}: {a} vs reference {r}");
            }
            let total = base + phi.iter().sum::<f64>();
            assert!((total - raw).abs() < 1e-9, "row {i}: contributions add up to {total}, score {raw}");
        }
    }
}
