//! Evaluation on the shared data (name bench, OFAC parity). Printed figures; asserted targets.

use clearway_lists::Schema;
use clearway_names::eval::{Case, DEFAULT_THRESHOLD, evaluate};

fn bench_cases() -> Option<Vec<Case>> {
    let p = clearway_testdata::file("sanctions/eval/nomenklatura_name_bench_cases.csv")?;
    let mut r = csv::ReaderBuilder::new().flexible(true).from_path(p).ok()?;
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let g = |i: usize| rec.get(i).unwrap_or("").to_string();
        out.push(Case { name1: g(2), name2: g(3), is_match: g(4) == "true", schema: Schema::parse(&g(1)), quality: Some(g(5)) });
    }
    Some(out)
}

#[test]
fn name_bench_f1() {
    let Some(cases) = bench_cases() else { return };
    let m = evaluate(&cases, DEFAULT_THRESHOLD);
    eprintln!("n={} p={:.3} r={:.3} f1={:.3} strong={}", m.n, m.precision, m.recall, m.f1, m.strong_failures);
    if std::env::var("SHOW").is_ok() {
        for f in &m.failures {
            eprintln!("{:5} {:.3} {:?} | {} | {}", f.is_match, f.score, f.quality, f.name1, f.name2);
        }
        for t in [0.7, 0.74, 0.75, 0.76, 0.77, 0.78, 0.79, 0.8, 0.82] {
            let m = evaluate(&cases, t);
            eprintln!("t={t} f1={:.3} strong={}", m.f1, m.strong_failures);
        }
    }
    assert!(m.f1 >= 0.87, "F1 {:.3}", m.f1);
    assert_eq!(m.strong_failures, 0);
}

#[test]
fn ofac_parity_mae() {
    let Some(p) = clearway_testdata::file("sanctions/eval/nomenklatura_ofac_sls_scores.csv") else { return };
    let mut r = csv::Reader::from_path(p).unwrap();
    let (mut sum, mut n) = (0.0, 0);
    for rec in r.records().flatten() {
        let want: f64 = rec[2].parse().unwrap();
        if want < 0.0 {
            continue;
        }
        let got = clearway_names::ofac_parity(&rec[0], &rec[1]);
        if std::env::var("SHOW").is_ok() && (got - want).abs() >= 5.0 {
            eprintln!("{want} {got} | {} | {}", &rec[0], &rec[1]);
        }
        sum += (got - want).abs();
        n += 1;
    }
    let mae = sum / n as f64;
    eprintln!("OFAC parity MAE {mae:.2} over {n}");
    assert!(mae <= 3.0, "MAE {mae:.2}");
}
