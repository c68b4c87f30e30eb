//! Cross-script recall: names in Arabic, Cyrillic, Hangul, Han, kana, Thai, Hebrew, Devanagari, Armenian
//! and Georgian against their Latin forms (`tests/data/cross_script_pairs.csv`, made by
//! `tests/data/make_cross_script.py` from the UN list and `cross_script_hand.csv`). `SHOW=1` prints misses.

use std::collections::BTreeMap;

use clearway_lists::Schema;
use clearway_names::eval::{Case, DEFAULT_THRESHOLD, evaluate};

fn pairs() -> Vec<(Case, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/cross_script_pairs.csv");
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let case = Case {
                name1: rec[0].to_string(),
                name2: rec[1].to_string(),
                is_match: &rec[2] == "true",
                schema: Schema::parse(&rec[3]),
                quality: Some(rec[4].to_string()),
            };
            (case, rec[5].to_string())
        })
        .collect()
}

#[test]
fn cross_script_recall() {
    let all = pairs();
    assert!(all.len() >= 200);
    let cases: Vec<Case> = all.iter().map(|(c, _)| c.clone()).collect();
    let m = evaluate(&cases, DEFAULT_THRESHOLD);
    let mut by: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (c, s) in &all {
        let e = by.entry(s.as_str()).or_default();
        e.1 += 1;
        if !m.failures.iter().any(|f| f.name1 == c.name1 && f.name2 == c.name2) {
            e.0 += 1;
        }
    }
    for (s, (ok, n)) in &by {
        eprintln!("{s:<11} {ok:>3} / {n:<3} {:.3}", *ok as f64 / *n as f64);
    }
    eprintln!("all         {} / {} recall {:.3} at {DEFAULT_THRESHOLD}", m.tp, m.n, m.recall);
    if std::env::var("SHOW").is_ok() {
        for f in &m.failures {
            let e = clearway_names::score(&f.name1, &f.name2, Schema::Person);
            eprintln!(
                "{:.3} {} | {} | {:?} {:?}",
                f.score,
                f.name1,
                f.name2,
                e.key,
                e.alignment.iter().map(|a| format!("{}~{} {}", a.query, a.result, a.similarity)).collect::<Vec<_>>()
            );
        }
    }
    assert!(m.recall >= 0.90, "cross-script recall {:.3}", m.recall);
}
