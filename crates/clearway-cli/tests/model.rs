//! `clearway model train / eval / explain`, `simulate`, and `screen --model` on the KCS data.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn clearway(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clearway")).args(args).output().expect("run clearway")
}

fn kcs(name: &str) -> Option<PathBuf> {
    clearway_testdata::file(&format!("declarations/kcs-synthetic/{name}"))
}

/// The first `n` data rows of a CSV (debug builds are slow; the full files are used in the benchmark).
fn head(src: &Path, n: usize, dir: &Path, name: &str) -> PathBuf {
    let text = std::fs::read_to_string(src).unwrap();
    let out: String = text.lines().take(n + 1).map(|l| format!("{l}\n")).collect();
    let p = dir.join(name);
    std::fs::write(&p, out).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn train_eval_explain_on_kcs() {
    let (Some(tr), Some(va)) = (kcs("df_syn_train_eng.csv"), kcs("df_syn_valid_eng.csv")) else { return };
    let dir = tempfile::tempdir().unwrap();
    let train = head(&tr, 12_000, dir.path(), "train.csv");
    let valid = head(&va, 3_000, dir.path(), "valid.csv");
    let model = dir.path().join("m.json");
    let o = clearway(&[
        "model", "train", "--train", s(&train), "--valid", s(&valid), "--label", "Fraud", "--drop", "Critical Fraud",
        "--out", s(&model), "--trees", "40", "--learning-rate", "0.3",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("trained   12000 rows"), "{text}");

    let o = clearway(&["model", "eval", "--model", s(&model), "--data", s(&valid), "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for k in [
        "rows", "precision_at_1pct", "precision_at_2pct", "precision_at_5pct", "precision_at_10pct", "recall_at_5pct",
        "recall_at_10pct", "auc",
    ] {
        assert!(v.get(k).is_some(), "missing {k} in {v}");
    }
    assert_eq!(v["rows"], 3000);
    assert!(v.get("revenue_at_5pct").is_none(), "KCS has no revenue column");
    // Far better than the 21 % base rate even on a subset with few trees.
    assert!(v["precision_at_5pct"].as_f64().unwrap() > 0.6, "{v}");
    assert!(v["auc"].as_f64().unwrap() > 0.75, "{v}");

    // The first valid row, by its declaration id.
    let id = std::fs::read_to_string(&valid).unwrap().lines().nth(1).unwrap().split(',').next().unwrap().to_string();
    let o = clearway(&["model", "explain", "--model", s(&model), "--data", s(&valid), "--row", &id, "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let e: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(e["id"], id.as_str());
    let p = e["probability"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&p));
    assert!(!e["contributions"].as_array().unwrap().is_empty());
    // The table form names features and contributions.
    let o = clearway(&["model", "explain", "--model", s(&model), "--data", s(&valid), "--row", &id]);
    let t = String::from_utf8_lossy(&o.stdout);
    assert!(t.contains("probability") && t.contains("fraud rate"), "{t}");
    let o = clearway(&["model", "explain", "--model", s(&model), "--data", s(&valid), "--row", "no-such-id"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn simulate_reports_both_strategies_per_week() {
    let Some(tr) = kcs("df_syn_train_eng.csv") else { return };
    let dir = tempfile::tempdir().unwrap();
    let data = head(&tr, 6_000, dir.path(), "d.csv");
    let o = clearway(&["simulate", "--data", s(&data), "--budget", "5", "--random-share", "10", "--weeks", "2", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let weeks = v["per_week"].as_array().unwrap();
    assert_eq!(weeks.len(), 2);
    for w in weeks {
        let rows = w["rows"].as_u64().unwrap() as f64;
        assert_eq!(w["exploitation"]["inspected"].as_u64().unwrap(), (rows * 0.05).ceil() as u64);
        assert!(w["hybrid"]["precision"].as_f64().unwrap() >= 0.0);
    }
}

#[test]
fn bad_inputs_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let w = |name: &str, text: &str| {
        let p = d.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let good = "id,Office ID,Net Mass,Fraud\n".to_string()
        + &(0..200).map(|i| format!("r{i},{},{}.5,{}\n", i % 3, i, (i % 4 == 0) as u8)).collect::<String>();
    let train = w("train.csv", &good);
    // Missing label column.
    let o = clearway(&["model", "train", "--train", s(&train), "--label", "Illicit", "--out", s(&d.join("x.json"))]);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("\"Illicit\"") && e.contains("not in the data"), "{e}");
    // Empty file.
    let empty = w("empty.csv", "");
    let o = clearway(&["model", "train", "--train", s(&empty), "--label", "Fraud"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("empty"));
    // Non-numeric value in a numeric column (when scoring with a model that reads it as numeric).
    let model = d.join("m.json");
    let o = clearway(&["model", "train", "--train", s(&train), "--label", "Fraud", "--trees", "5", "--out", s(&model)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bad = w("bad.csv", "id,Office ID,Net Mass,Fraud\nr1,1,2.0,0\nr2,1,heavy,1\n");
    let o = clearway(&["model", "eval", "--model", s(&model), "--data", s(&bad)]);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("Net Mass") && e.contains("line 3") && e.contains("heavy"), "{e}");
    // Non-numeric value in a column forced numeric at training.
    let o = clearway(&["model", "train", "--train", s(&bad), "--label", "Fraud", "--type", "Net Mass=numeric"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("line 3"));
    // Data from another schema.
    let other = w("other.csv", "id,Weight,Fraud\nr1,1,0\n");
    let o = clearway(&["model", "eval", "--model", s(&model), "--data", s(&other)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Office ID"));
    // Not a model, a corrupted one, a future version.
    let text = std::fs::read_to_string(&model).unwrap();
    for (name, content, expect) in [
        ("a.json", "{\"hello\": 1}".to_string(), "not a Clearway model"),
        ("b.json", text[..text.len() / 2].to_string(), "not a Clearway model"),
        ("c.json", text.replacen(&format!("\"version\":{}", clearway_model::model::VERSION), "\"version\":99", 1), "version 99"),
        ("d.json", text.replacen("\"trees\":[", "\"trees\":[{\"nodes\":7},", 1), "corrupted"),
    ] {
        let p = w(name, &content);
        let o = clearway(&["model", "eval", "--model", s(&p), "--data", s(&train)]);
        assert_eq!(o.status.code(), Some(1), "{name}");
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(e.contains(expect), "{name}: {e}");
    }
}

#[test]
fn screen_with_model_adds_a_finding_with_contributions() {
    let (Some(tr), Some(va)) = (kcs("df_syn_train_eng.csv"), kcs("df_syn_valid_eng.csv")) else { return };
    let dir = tempfile::tempdir().unwrap();
    let train = head(&tr, 6_000, dir.path(), "train.csv");
    let valid = head(&va, 1_000, dir.path(), "valid.csv");
    let model = dir.path().join("m.json");
    let o = clearway(&[
        "model", "train", "--train", s(&train), "--valid", s(&valid), "--label", "Fraud", "--drop", "Critical Fraud",
        "--out", s(&model), "--trees", "20",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let filings = dir.path().join("f.jsonl");
    let o = clearway(&["generate", "--count", "20", "--seed", "5", "--out", s(&filings)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let db = dir.path().join("c.db");
    let o = clearway(&["screen", "--db", s(&db), "--json", "--model", s(&model), s(&filings)]);
    assert!(o.status.code() == Some(0) || o.status.code() == Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    let mut seen = 0;
    for line in out.lines().filter(|l| l.starts_with('{')) {
        let d: serde_json::Value = serde_json::from_str(line).unwrap();
        let text = d.to_string();
        if text.contains("MODEL-RISK") {
            seen += 1;
            assert!(text.contains("probability") && text.contains("contributions"), "{text}");
        }
    }
    assert!(seen >= 10, "{out}");

    // a configured MODEL-RISK weight is the weight at probability 1: each finding carries it × probability
    let cfg = dir.path().join("cfg.json");
    std::fs::write(&cfg, r#"{"weights": {"MODEL-RISK": 80}}"#).unwrap();
    let db2 = dir.path().join("c2.db");
    let o = clearway(&["screen", "--db", s(&db2), "--json", "--model", s(&model), "--config", s(&cfg), s(&filings)]);
    assert!(o.status.code() == Some(0) || o.status.code() == Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    let mut scaled = 0;
    for line in out.lines().filter(|l| l.starts_with('{')) {
        let d: serde_json::Value = serde_json::from_str(line).unwrap();
        for f in d["findings"].as_array().into_iter().flatten().filter(|f| f["code"] == "MODEL-RISK") {
            let (w, p) = (f["weight"].as_f64().unwrap(), f["evidence"]["probability"].as_f64().unwrap());
            assert!((w - 80.0 * p).abs() < 0.01, "weight {w} for probability {p}");
            scaled += usize::from(w < 79.0);
        }
    }
    assert!(scaled >= 10, "{out}");
}

/// Stored filings with exam results as training labels: screen generated filings into a store, import
/// exam results (found when the first item's HS chapter is 84 or 85 — learnable from the HS features),
/// and train on them with `--train db`.
#[test]
fn train_on_stored_exam_results() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("g.jsonl");
    let o = clearway(&["generate", "--count", "600", "--seed", "5", "--out", s(&input)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let db = d.join("c.db");
    // No exam results yet: a clear error.
    let empty = d.join("empty.db");
    let o = clearway(&["model", "train", "--train", "db", "--db", s(&empty), "--out", s(&d.join("x.json"))]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no stored filings with exam results"), "{o:?}");
    let o = clearway(&["screen", "--json", "--db", s(&db), s(&input)]);
    assert!(o.stdout.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count() == 600, "{}", String::from_utf8_lossy(&o.stderr));
    let mut csv = String::from("filing_id,version,result,severity,revenue,note\n");
    let mut found = 0;
    for line in std::fs::read_to_string(&input).unwrap().lines() {
        let f: serde_json::Value = serde_json::from_str(line).unwrap();
        let hs = f["goods"][0]["hs_code"].as_str().unwrap_or("");
        let hit = hs.starts_with("84") || hs.starts_with("85");
        found += hit as usize;
        let result = if hit { "finding" } else { "no-finding" };
        csv.push_str(&format!("{},,{result},,,\n", f["id"].as_str().unwrap()));
    }
    assert!(found > 30 && found < 570, "{found}");
    let exams = d.join("exams.csv");
    std::fs::write(&exams, csv).unwrap();
    let o = clearway(&["exam", "import", "--db", s(&db), s(&exams)]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let model = d.join("m.json");
    let o = clearway(&[
        "model", "train", "--train", "db", "--db", s(&db), "--out", s(&model), "--trees", "30", "--json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // Every stored filing was examined; the latest 20 % by filing date are kept for validation.
    let (tr, va) = (v["rows"].as_u64().unwrap(), v["validation"]["rows"].as_u64().unwrap());
    assert!(tr + va >= 500 && tr + va <= 600, "{v}");
    assert_eq!(va, ((tr + va) as f64 * 0.2).round() as u64, "{v}");
    assert!(v["validation"]["auc"].as_f64().unwrap() > 0.9, "{v}");
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(m["label"], "Exam Finding");
    assert_eq!(m["id_column"], "Filing ID");
}
