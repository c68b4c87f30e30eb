//! `clearway lists ...`, `clearway names ...` and party screening inside `clearway screen`, on the real
//! list files of the shared data.

use std::path::PathBuf;
use std::process::Output;

mod common;
use common::{run, s};

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

fn data(rel: &str) -> Option<PathBuf> {
    clearway_testdata::file(rel)
}


#[test]
fn name_bench_and_ofac_parity_targets() {
    let Some(cases) = data("sanctions/eval/nomenklatura_name_bench_cases.csv") else { return };
    let o = run(&["names", "eval", "--cases", s(&cases), "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&o);
    for k in ["precision", "recall", "f1", "strong_failures", "n"] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    assert!(v["f1"].as_f64().unwrap() >= 0.85, "{v}");
    assert_eq!(v["strong_failures"], 0);
    let Some(ofac) = data("sanctions/eval/nomenklatura_ofac_sls_scores.csv") else { return };
    let v = json(&run(&["names", "eval", "--cases", s(&ofac), "--json"]));
    assert!(v["mae"].as_f64().unwrap() <= 3.0, "{v}");
    assert_eq!(v["n"], 164);
}

#[test]
fn score_explains_alignment() {
    let o = run(&["names", "score", "PUTIN, Vladimir Vladimirovich", "Vladimir Pudin", "--schema", "Person", "--json"]);
    assert!(o.status.success());
    let v = json(&o);
    let sc = v["score"].as_f64().unwrap();
    assert!(sc > 0.75 && sc < 1.0, "{v}");
    assert!(v["alignment"].as_array().unwrap().iter().any(|a| a["query"] == "putin" && a["result"] == "pudin"));
    assert_eq!(v["unmatched_1"], serde_json::json!(["vladimirovich"]));
    // The other engines' known false positives stay below the match threshold.
    for (a, b) in [("BELLETECH CORP", "11420 CORP."), ("emma daniels", "EMMA LLC"), ("George Bush", "George Habbash")] {
        let v = json(&run(&["names", "score", a, b, "--json"]));
        assert!(v["score"].as_f64().unwrap() < 0.75, "{a} / {b}: {v}");
    }
    // Absurd input: empty, control characters, 10,000 characters.
    let long = "x".repeat(10_000);
    for (a, b) in [("", "ACME"), ("\u{7}\u{1b}[0m", "ACME"), (long.as_str(), "ACME")] {
        let o = run(&["names", "score", a, b, "--json"]);
        assert!(o.status.success());
        assert!(json(&o)["score"].as_f64().unwrap() < 0.5);
    }
    assert_eq!(run(&["names", "score", "a", "b", "--schema", "Planet"]).status.code(), Some(1));
}

#[test]
fn import_show_search_and_atomic_refusal() {
    let (Some(un), Some(sema)) = (data("sanctions/un/un_consolidated_2026-02-27.xml"), data("sanctions/ca_sema/sema-lmes_2020-04.xml")) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("l.db");
    let db = s(&db);
    let o = run(&["lists", "import", "--db", db, "--json", s(&un), s(&sema)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&o);
    let lists = v["lists"].as_array().unwrap();
    assert!(lists.iter().any(|l| l["list"] == "un-sc" && l["entities"] == 1003 && l["names"] == 4121 && l["version"] == 1));
    assert!(lists.iter().any(|l| l["list"] == "ca-sema" && l["entities"] == 1369));
    // Importing the same content again makes no new version.
    let v = json(&run(&["lists", "import", "--db", db, "--json", s(&un)]));
    assert_eq!(v["lists"][0]["unchanged"], true);
    // A truncated file is refused (exit 2) and the previous version stays in force.
    let bytes = std::fs::read(&un).unwrap();
    let broken = dir.path().join("un_truncated.xml");
    std::fs::write(&broken, &bytes[..bytes.len() / 2]).unwrap();
    let o = run(&["lists", "import", "--db", db, s(&broken)]);
    assert_eq!(o.status.code(), Some(2));
    let v = json(&run(&["lists", "show", "--db", db, "--json"]));
    let un_versions: Vec<_> = v.as_array().unwrap().iter().filter(|x| x["list"] == "un-sc").collect();
    assert_eq!(un_versions.len(), 1);
    // Search names the list, the entity, the alias and the alignment.
    let v = json(&run(&["names", "search", "--db", db, "ERIC BADEGE", "--json", "--limit", "3"]));
    assert_eq!(v[0]["list"], "un-sc");
    assert_eq!(v[0]["entity_id"], "CDi.001");
    assert_eq!(v[0]["alias"], "ERIC BADEGE");
    assert!(v[0]["explanation"]["alignment"].as_array().unwrap().len() == 2);
    // A Cyrillic query finds the transliterated name.
    let v = json(&run(&["names", "search", "--db", db, "Эрик Бадеге", "--json"]));
    assert_eq!(v[0]["entity_id"], "CDi.001");
    // Empty query: empty result, not an error.
    let v = json(&run(&["names", "search", "--db", db, "", "--json"]));
    assert_eq!(v.as_array().unwrap().len(), 0);
    let o = run(&["names", "bench", "--db", db, "--max", "50", "--json"]);
    assert!(o.status.success());
    assert!(json(&o)["queries_per_second"].as_f64().unwrap() > 0.0);
}

fn filing_with(name: &str, country: &str) -> String {
    let o = run(&["generate", "--count", "1", "--seed", "7"]);
    let mut f: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    f["parties"][0]["name"] = name.into();
    f["parties"][0]["country"] = country.into();
    f["parties"][0]["address"]["country"] = country.into();
    format!("{f}\n")
}

#[test]
fn screening_alerts_remembers_dispositions_and_rescreens() {
    let Some(sema) = data("sanctions/ca_sema/sema-lmes_2020-04.xml") else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let db = s(&db);
    assert!(run(&["lists", "import", "--db", db, s(&sema)]).status.success());
    let input = dir.path().join("f.jsonl");
    std::fs::write(&input, filing_with("Htoo Wood Products Pte. Limited", "MM")).unwrap();
    let o = run(&["screen", "--db", db, "--json", s(&input)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let d: serde_json::Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    let f = d["findings"].as_array().unwrap().iter().find(|f| f["layer"] == "party-screening").expect("a party-screening finding");
    assert_eq!(f["code"], "PS-ALERT");
    assert_eq!(f["evidence"]["list"], "ca-sema");
    assert_eq!(f["evidence"]["alias"], "Htoo Wood Products Pte. Limited");
    assert_eq!(f["evidence"]["role"], "consignor");
    assert!(!f["evidence"]["alignment"].as_array().unwrap().is_empty());
    let entity = f["evidence"]["entity_id"].as_str().unwrap().to_string();

    // An officer decides it is not a match: the next filing with this party is not alerted.
    let o = run(&[
        "lists", "dispose", "--db", db, "--party", "Htoo Wood Products Pte. Limited", "--country", "MM", "--list", "ca-sema",
        "--entity", &entity, "--who", "officer-17", "--why", "different company, registration checked",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut g: serde_json::Value = serde_json::from_str(&filing_with("Htoo Wood Products Pte. Limited", "MM")).unwrap();
    g["id"] = "NAMES-TEST-2".into();
    std::fs::write(&input, format!("{g}\n")).unwrap();
    let o = run(&["screen", "--db", db, "--json", s(&input)]);
    let d: serde_json::Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    let f = d["findings"].as_array().unwrap().iter().find(|f| f["layer"] == "party-screening").unwrap();
    assert_eq!(f["code"], "PS-DISPOSED");
    assert_eq!(f["evidence"]["decided_by"], "officer-17");
    let v = json(&run(&["lists", "dispositions", "--db", db, "--json"]));
    assert_eq!(v[0]["why"], "different company, registration checked");

    // A new list version that changes an entity re-screens the stored parties it affects.
    let text = std::fs::read_to_string(&sema).unwrap();
    let changed = text.replacen("<Entity>Htoo Furniture</Entity>", "<Entity>Htoo Furniture Group</Entity>", 1);
    assert_ne!(changed, text);
    let newer = dir.path().join("sema-new.xml");
    std::fs::write(&newer, changed).unwrap();
    let v = json(&run(&["lists", "import", "--db", db, "--json", s(&newer)]));
    assert_eq!(v["lists"][0]["version"], 2);
    assert!(v["affected"].as_array().unwrap().iter().any(|a| a["party"] == "Htoo Wood Products Pte. Limited"), "{v}");
    let v = json(&run(&["lists", "diff", "--db", db, "--json", "1", "2"]));
    assert_eq!(v["changed"].as_array().unwrap().len(), 1);
    assert!(!v["affected"].as_array().unwrap().is_empty());
}
