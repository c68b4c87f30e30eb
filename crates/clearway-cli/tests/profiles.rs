//! Targeting profiles end to end (issue 4): check, screen with profiles and selectivity, exam results into
//! statistics, capacity top-up, backtest on the KCS valid split, and the benchmark command.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::{run, s};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/profiles")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn example_profiles_check() {
    let o = run(&["profiles", "check", s(&examples()), "--today", "2026-11-28"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("ok: 13 profiles in 6 files, 7 lists, 14 value-control rows"), "{}", text(&o));
    // After the review dates: warnings, still loads.
    let o = run(&["profiles", "check", s(&examples()), "--today", "2027-04-01"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o).contains("warning: profile TS-001 is past its review date 2027-01-31"), "{}", text(&o));
}

#[test]
fn bad_profiles_never_load_and_say_where() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("lists")).unwrap();
    std::fs::write(d.join("lists/hubs.csv"), "country,note\nAE,x\nSG,a,b\n").unwrap();
    std::fs::write(
        d.join("a.profile"),
        "profile A1 {\n  when orign == \"CN\"\n  lane red\n  reason \"r\"\n}\n\
         profile A2 {\n  when value > \"10\"\n  lane red\n  reason \"r\"\n}\n\
         profile A3 {\n  when routing in @hub\n  lane red 120%\n  reason \"r\"\n}\n\
         profile A4 {\n  when value > 5 and value < 2\n  weight 5\n  reason \"r\"\n}\n\
         profile A5 {\n  valid 2026-01-01 to 2026-12-31\n  when value > 5\n  weight 5\n  reason \"r\"\n}\n\
         profile A5 {\n  valid 2026-12-01\n  when value > 5\n  weight 5\n  reason \"r\"\n}\n",
    )
    .unwrap();
    let o = run(&["profiles", "check", s(d), "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let errs: Vec<String> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{}:{}:{}: {}", e["file"].as_str().unwrap().rsplit('/').next().unwrap(), e["line"], e["column"], e["message"].as_str().unwrap()))
        .collect();
    let want = [
        "a.profile:2:8: unknown field `orign`; did you mean `origin`?",
        "a.profile:7:8: type error: cannot compare a number with a string using `>` (ordering needs numbers)",
        "a.profile:13:12: selection rate 120 % is outside 0-100 %",
        "a.profile:17:22: unreachable condition: `value < 2` can never hold together with `value > 5`",
        "a.profile:27:1: profile A5 overlaps the validity of the one at",
        "hubs.csv:3:1: row has 3 fields, the header has 2",
    ];
    for w in want {
        assert!(errs.iter().any(|e| e.starts_with(w)), "missing {w:?} in {errs:#?}");
    }
    // `screen --profiles` refuses a bad set (nothing half-loaded).
    let f = d.join("one.jsonl");
    let g = run(&["generate", "--count", "5", "--out", s(&f)]);
    assert!(g.status.success());
    let o = run(&["screen", "--db", s(&d.join("x.db")), "--profiles", s(d), s(&f)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("errors in the profiles; nothing loaded"), "{}", text(&o));
}

#[test]
fn screen_select_exam_stats() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("g.jsonl");
    let o = run(&["generate", "--count", "3000", "--seed", "3", "--out", s(&input)]);
    assert!(o.status.success(), "{}", text(&o));
    let db = d.join("c.db");
    let sel = examples().join("selectivity.json");
    let o = run(&["screen", "--json", "--db", s(&db), "--profiles", s(&examples()), "--selectivity", s(&sel), s(&input)]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let ds: Vec<Value> = o.stdout.split(|b| *b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect();
    assert_eq!(ds.len(), 3000);
    let profile_findings: Vec<(&Value, &Value)> =
        ds.iter().flat_map(|d| d["findings"].as_array().unwrap().iter().map(move |f| (d, f))).filter(|(_, f)| f["layer"] == "profile").collect();
    assert!(profile_findings.len() > 50, "{}", profile_findings.len());
    // Every profile finding carries its reason, the predicates that held and, for lane profiles, the draw.
    for (_, f) in &profile_findings {
        assert!(!f["message"].as_str().unwrap().is_empty());
        assert!(f["evidence"].as_object().unwrap().keys().any(|k| k.contains(' ')), "{f}");
    }
    let (hit_decision, hit) = profile_findings.iter().find(|(_, f)| f["action"].is_string()).expect("a selected profile hit");
    assert!(hit["evidence"]["seed"].is_u64() && hit["evidence"]["draw"].is_f64());
    // Random lane selection records seed and draw.
    let random: Vec<&Value> = ds.iter().flat_map(|d| d["findings"].as_array().unwrap()).filter(|f| f["code"] == "RS-LANE-RANDOM").collect();
    assert!(!random.is_empty());
    assert!(random.iter().all(|f| f["evidence"]["draw"].as_f64().unwrap() < 0.03));

    // Exam results flow into profile statistics.
    let id = hit_decision["filing_id"].as_str().unwrap();
    let o = run(&["exam", "record", id, "--db", s(&db), "--result", "seizure", "--severity", "4", "--revenue", "1200", "--note", "undeclared"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(&["exam", "record", "NO-SUCH-ID", "--db", s(&db), "--result", "finding"]);
    assert_eq!(o.status.code(), Some(1));
    let bad = d.join("bad.csv");
    std::fs::write(&bad, format!("filing_id,version,result,severity,revenue,note\n{id},,finding,,,\n{id},,maybe,,,\n")).unwrap();
    let o = run(&["exam", "import", "--db", s(&db), s(&bad)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("bad.csv:3:"), "{}", text(&o));
    let o = run(&["profiles", "stats", "--db", s(&db), "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["exam_results"], 1, "the bad import added nothing");
    let code = hit["code"].as_str().unwrap();
    let p = v["profiles"].as_array().unwrap().iter().find(|p| p["id"] == code).unwrap();
    assert!(p["hits"].as_u64().unwrap() >= 1 && p["selected"].as_u64().unwrap() >= 1);
    assert_eq!(p["examined"], 1);
    assert_eq!(p["finds"], 1);
    assert_eq!(p["revenue_per_exam"], 1200.0);

    // Top-up: every office's day filled exactly to its capacity where enough green filings exist; the
    // same seed gives the same selection.
    let sel_args = ["profiles", "select", "--db", s(&db), "--day", "2026-11-02", "--selectivity", s(&sel), "--json"];
    let o = run(&[&sel_args[..], &["--dry-run"]].concat());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let a: Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut filled = 0;
    for g in a["groups"].as_array().unwrap() {
        let (target, before, after) = (g["target"].as_u64().unwrap(), g["before"].as_u64().unwrap(), g["after"].as_u64().unwrap());
        assert!(after == target.max(before), "{g}");
        filled += g["added"].as_u64().unwrap();
    }
    assert!(filled > 0);
    let o = run(&sel_args);
    let b: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(a["selections"], b["selections"]);
    assert_eq!(b["recorded"].as_u64().unwrap(), filled);
}

#[test]
fn backtest_on_the_kcs_valid_split() {
    let Some(valid) = clearway_testdata::file("declarations/kcs-synthetic/df_syn_valid_eng.csv") else { return };
    let o = run(&["backtest", "--profiles", s(&examples()), "--data", s(&valid), "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["filings"], 8134);
    assert!(v["history"].as_u64().unwrap() > 30_000, "the train split feeds history");
    for k in ["profiles", "most_valuable_first", "importer_fraud_rate_first"] {
        let rows = v[k].as_array().unwrap();
        assert_eq!(rows.len(), 4, "{k}");
        assert_eq!(rows.iter().map(|r| r["budget"].as_f64().unwrap()).collect::<Vec<_>>(), [1.0, 2.0, 5.0, 10.0]);
        for r in rows {
            let p = r["precision"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&p));
        }
    }
    // The importer-history profile must beat random (~0.22) at 1 %.
    assert!(v["profiles"][0]["precision"].as_f64().unwrap() > 0.3, "{}", v["profiles"]);
    let o = run(&["backtest", "--profiles", s(&examples()), "--data", s(&valid)]);
    assert!(text(&o).contains("P@5%") && text(&o).contains("importer fraud rate first"), "{}", text(&o));
}

#[test]
fn bench_profiles_runs() {
    let o = run(&["bench", "profiles", "--rules", "300", "--filings", "200", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["rules"], 300);
    assert!(v["profiles"]["filings_per_s"].as_f64().unwrap() > 0.0);
}

/// Entity history outlives a run: an importer screened in an earlier run is no longer "new" on a later day.
#[test]
fn entity_history_is_seeded_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("c.db");
    let filing = |id: &str| {
        serde_json::json!({"id": id, "mode": "marine", "direction": "import", "country": "US", "stage": "pre-load",
            "parties": [{"role": "importer-of-record", "name": "Newco Imports LLC", "country": "US",
                         "ids": [{"scheme": "IOR", "value": "NEWCO-77"}]}],
            "goods": [{"description": "industrial pumps", "hs_code": "841370", "value": 400000.0, "currency": "USD",
                       "origin": "DE", "gross_kg": 5000.0}],
            "times": {"filed_at": "2026-11-02T10:00:00Z"}})
        .to_string()
    };
    let ni001 = |input: &Path| -> bool {
        let o = run(&["screen", "--json", "--db", s(&db), "--profiles", s(&examples()), s(input)]);
        assert!(o.status.code() == Some(0) || o.status.code() == Some(2), "{}", text(&o));
        let v: Value = serde_json::from_slice(o.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
        v["findings"].as_array().unwrap().iter().any(|f| f["code"] == "NI-001")
    };
    let (a, b) = (d.join("a.jsonl"), d.join("b.jsonl"));
    std::fs::write(&a, filing("NEWCO-1") + "\n").unwrap();
    // Entity history is a daily snapshot: the next day's filing sees the earlier run's.
    std::fs::write(&b, filing("NEWCO-2").replace("2026-11-02T10", "2026-11-03T10") + "\n").unwrap();
    assert!(ni001(&a), "first filing of a new importer");
    assert!(!ni001(&b), "the importer was seen in the earlier run");
}
