//! `clearway rad occupancy`, `rad eval` and `screen --portal-results`, end to end on the real portal files.

use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_clearway")).args(args).output().expect("run clearway")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn passthrough_alarms_and_background_does_not() {
    let (Some(pt), Some(bg)) = (
        clearway_testdata::file("radiation/n42/interspec_passthrough.n42"),
        clearway_testdata::file("radiation/n42/interspec_background_20100317.n42"),
    ) else {
        return;
    };
    let o = run(&["rad", "occupancy", s(&pt), "--background", s(&bg), "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["slices"], 133);
    assert_eq!(v["panels"].as_array().unwrap().len(), 8);
    assert!((v["speed_mps"].as_f64().unwrap() - 1.07).abs() < 0.01, "2.4 mph");
    assert_eq!(v["alarm"], true);
    assert_eq!(v["class"], "suspect");
    let tests = v["tests"].as_array().unwrap();
    let names: Vec<&str> = tests.iter().map(|t| t["test"].as_str().unwrap()).collect();
    assert_eq!(names, ["gross-count", "energy-window", "spectral", "neutron"]);
    let gross = &tests[0];
    assert_eq!(gross["alarm"], true);
    assert!(gross["statistic"].as_f64().unwrap() > gross["threshold"].as_f64().unwrap());
    // The source passes around slice 88 of 133.
    let start = gross["window"]["start"].as_u64().unwrap();
    assert!((70..100).contains(&start), "{gross}");
    assert_eq!(tests[2]["class"], "suspect");
    assert_eq!(tests[3]["applicable"], false, "no neutron counts in the file");

    // The background file judged against itself: no alarm.
    let o = run(&["rad", "occupancy", s(&bg), "--background", s(&bg), "--json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["alarm"], false);
    assert_eq!(v["class"], "background");

    // People's table.
    let o = run(&["rad", "occupancy", s(&pt), "--background", s(&bg)]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("gross-count") && out.contains("decision: ALARM (suspect)"), "{out}");

    // No unoccupied slices and no background: an error that says what to do.
    let o = run(&["rad", "occupancy", s(&pt)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("background"));
}

#[test]
fn bad_files_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("trunc.n42");
    std::fs::write(&p, "<?xml version=\"1.0\"?><N42InstrumentData xmlns=\"http://physics.nist.gov/Divisions/Div846/Gp4/ANSIN4242/2005/ANSIN4242\"><Measurement><Spectrum Detector=\"A1\"><ChannelData>1 2 3").unwrap();
    let o = run(&["rad", "occupancy", s(&p)]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
    let o = run(&["rad", "occupancy", s(&dir.path().join("missing.n42"))]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn eval_small_run_reports_every_algorithm_and_writes_an_svg() {
    let Some(data) = clearway_testdata::data_dir() else { return };
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("pd.svg");
    // A small, fast configuration (debug build): thresholds at 1/100 from 150 benign occupancies.
    let args = ["rad", "eval", "--data", s(&data), "--benign", "150", "--benign-check", "50", "--trials", "1", "--far", "0.01", "--seed", "3", "--json", "--svg", s(&svg)];
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let algs: Vec<&str> = v["algorithms"].as_array().unwrap().iter().map(|a| a["algorithm"].as_str().unwrap()).collect();
    assert_eq!(algs, ["gross-count", "energy-window", "spectral"]);
    let sources = v["sources"].as_array().unwrap();
    assert!(sources.len() >= 25, "every labelled spectrum is injected");
    assert!(sources.iter().any(|s| s["name"] == "K-40" && s["kind"] == "norm"));
    assert!(sources.iter().any(|s| s["name"] == "Ba-133 (portal)" && s["kind"] == "threat"));
    for a in v["algorithms"].as_array().unwrap() {
        assert!(a["threshold"].as_f64().unwrap().is_finite());
        assert!(a["threat_trials"].as_u64().unwrap() > 0 && a["norm_trials"].as_u64().unwrap() > 0);
    }
    // Detection probability rises with strength for every algorithm.
    for c in v["curves"].as_array().unwrap() {
        let pts = c[1].as_array().unwrap();
        let first = pts.first().unwrap()[1].as_f64().unwrap();
        let last = pts.last().unwrap()[1].as_f64().unwrap();
        assert!(last > first, "{c}");
    }
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg") && text.contains("spectral") && text.contains("gross-count"));
    // Deterministic: the same seed gives the same report.
    let o2 = run(&args);
    let mut v2: Value = serde_json::from_slice(&o2.stdout).unwrap();
    let mut v1 = v.clone();
    v1["seconds"] = json!(0);
    v2["seconds"] = json!(0);
    assert_eq!(v1, v2);
}

#[test]
fn screen_joins_portal_results_to_filings() {
    let dir = tempfile::tempdir().unwrap();
    let filings = dir.path().join("f.jsonl");
    let lines = [
        json!({"id": "TILES", "mode": "highway", "direction": "import", "country": "US", "stage": "arrival", "cargo": "containerised",
               "goods": [{"description": "PORCELAIN FLOOR TILES", "hs_code": "6907.21", "containers": ["MSCU1234565"]}],
               "equipment": [{"number": "MSCU1234565"}]}),
        json!({"id": "LAPTOPS", "mode": "highway", "direction": "import", "country": "US", "stage": "arrival",
               "goods": [{"description": "LAPTOPS", "hs_code": "8471.30"}], "conveyance": {"plate": "7ABC123"}}),
        json!({"id": "GAUGES", "mode": "highway", "direction": "import", "country": "US", "stage": "arrival",
               "goods": [{"description": "STEEL PIPE", "hs_code": "7304.19"}], "conveyance": {"plate": "9XYZ999"}}),
        json!({"id": "NONE", "mode": "highway", "direction": "import", "country": "US", "stage": "arrival",
               "goods": [{"description": "CHAIRS", "hs_code": "9401.61"}], "conveyance": {"plate": "1AAA111"}}),
    ];
    std::fs::write(&filings, lines.iter().map(|l| l.to_string()).collect::<Vec<_>>().join("\n")).unwrap();
    let results = dir.path().join("portal.jsonl");
    std::fs::write(
        &results,
        [
            r#"{"container": "MSCU 123456 5", "alarm": true, "class": "norm-like", "statistic": 9.1, "portal": "lane 3"}"#,
            r#"{"conveyance": "7ABC123", "alarm": true, "class": "norm-like"}"#,
            r#"{"conveyance": "9XYZ999", "alarm": true, "class": "suspect"}"#,
            r#"{"conveyance": "9XYZ999", "stage": "secondary", "alarm": true, "nuclides": [{"nuclide": "Cs-137", "class": "industrial", "confidence": 0.95, "activity_bq": 2e13}]}"#,
            "not json",
        ]
        .join("\n"),
    )
    .unwrap();
    let db = dir.path().join("c.db");
    let o = run(&["screen", "--json", "--db", s(&db), "--portal-results", s(&results), s(&filings)]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains(":5:"), "the bad line is named");
    let ds: Vec<Value> = o.stdout.split(|b| *b == b'\n').filter(|l| !l.is_empty()).map(|l| serde_json::from_slice(l).unwrap()).collect();
    let by = |id: &str| ds.iter().find(|d| d["filing_id"] == id).unwrap().clone();
    let codes = |d: &Value| -> Vec<String> {
        d["findings"].as_array().unwrap().iter().filter(|f| f["layer"] == "radiation-portal").map(|f| f["code"].as_str().unwrap().to_string()).collect()
    };
    let tiles = by("TILES");
    assert_eq!(codes(&tiles), ["RPM-NORM-EXPLAINED"]);
    let f = tiles["findings"].as_array().unwrap().iter().find(|f| f["code"] == "RPM-NORM-EXPLAINED").unwrap();
    assert_eq!(f["evidence"]["recommendation"], "release-after-adjudication");
    let laptops = by("LAPTOPS");
    assert_eq!(codes(&laptops), ["RPM-NORM-UNEXPLAINED"]);
    assert!(laptops["actions"].as_array().unwrap().contains(&json!("rpm-secondary")));
    let gauges = by("GAUGES");
    assert_eq!(codes(&gauges), ["RPM-UNDECLARED-SOURCE"]);
    assert!(gauges["actions"].as_array().unwrap().contains(&json!("hold")));
    let f = gauges["findings"].as_array().unwrap().iter().find(|f| f["code"] == "RPM-UNDECLARED-SOURCE").unwrap();
    assert_eq!(f["evidence"]["category"], 2, "20 TBq Cs-137 over D 0.1 TBq: A/D 200 → Category 2");
    assert!(codes(&by("NONE")).is_empty());
}
