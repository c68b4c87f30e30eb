//! `clearway rad categorize`, end to end.

use serde_json::Value;
use std::process::{Command, Output};

fn rad(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clearway")).env_remove("CLEARWAY_DATA").arg("rad").arg("categorize").args(args).output().expect("run clearway")
}

fn json(args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    let o = rad(&a);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn co60_100_ci_is_category_2() {
    let v = json(&["--source", "Co-60=3.7TBq"]);
    assert_eq!(v["category"], 2);
    assert!((v["ratio"].as_f64().unwrap() - 123.333).abs() < 0.001);
    assert_eq!(v["unverified"], false);
    let p = &v["parts"][0];
    assert_eq!(p["nuclide"], "Co-60");
    assert_eq!(p["activity_bq"], 3.7e12);
    assert_eq!(p["d_value_tbq"], 0.03);
    assert_eq!(p["verified"], true);
}

#[test]
fn aggregate_and_units() {
    // 100 TBq Cs-137 → exactly A/D 1000, Category 1; in curies: 2702.7 Ci.
    assert_eq!(json(&["--source", "CS-137=100TBq"])["category"], 1);
    // 1 GBq Am-241 → Category 4; 50 Ci Cs-137 = 1.85 TBq → A/D 18.5 → Category 2.
    assert_eq!(json(&["--source", "Am-241=1GBq"])["category"], 4);
    let v = json(&["--source", "Cs-137=50Ci", "--source", "am241=10mCi"]);
    assert_eq!(v["category"], 2);
    assert_eq!(v["parts"].as_array().unwrap().len(), 2);
    assert_eq!(v["parts"][1]["nuclide"], "Am-241");
}

#[test]
fn human_output_has_a_table_and_the_category() {
    let o = rad(&["--source", "Ir-192=3.7TBq"]);
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("Ir-192"), "{out}");
    assert!(out.contains("IAEA Category 2"), "{out}");
}

#[test]
fn bad_input_names_the_source() {
    for bad in ["Co-60=3.7furlongs", "Co-60=-1TBq", "Co-60", "Xx-99=1TBq", "I-131=1TBq", "Co-60=NaNBq"] {
        let o = rad(&["--source", "Cs-137=1TBq", "--source", bad]);
        assert_eq!(o.status.code(), Some(1), "{bad}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(&format!("--source {bad:?}")), "{bad}: {err}");
    }
}

#[test]
fn unverified_values_from_the_iaea_table_are_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("d.csv");
    std::fs::write(&p, "radionuclide,d_value_TBq,source_tier\nI-131,0.2,C\n").unwrap();
    let v = json(&["--source", "I-131=1TBq", "--iaea", p.to_str().unwrap()]);
    assert_eq!(v["category"], 3);
    assert_eq!(v["unverified"], true);
    assert_eq!(v["parts"][0]["verified"], false);
    let o = rad(&["--source", "I-131=1TBq", "--iaea", p.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&o.stdout).contains("unverified"));
    // The shared table, when present.
    if let Some(f) = clearway_testdata::file("radiation/iaea/d_values_and_category_thresholds.csv") {
        let v = json(&["--source", "Tc-99m=70TBq", "--iaea", f.to_str().unwrap()]);
        assert_eq!(v["category"], 2);
        assert_eq!(v["unverified"], true);
    }
}
