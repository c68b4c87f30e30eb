//! `clearway rad parse` and `rad identify`, end to end on the shared radiation data.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str], data: Option<&Path>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_clearway"));
    c.env_remove("CLEARWAY_DATA");
    if let Some(d) = data {
        c.env("CLEARWAY_DATA", d);
    }
    c.arg("rad").args(args).output().expect("run clearway")
}

fn json(args: &[&str], data: Option<&Path>) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    let o = run(&a, data);
    assert!(o.status.code() == Some(0) || o.status.code() == Some(2), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn parse_passthrough_n42_reports_occupancy() {
    let Some(p) = clearway_testdata::file("radiation/n42/interspec_passthrough.n42") else { return };
    let p = p.to_string_lossy().to_string();
    let v = json(&["parse", &p], None);
    assert_eq!(v["format"], "N42-2006");
    assert_eq!(v["n_spectra"], 1064);
    assert_eq!(v["n_slices"], 133);
    assert_eq!(v["channels"], serde_json::json!([16384]));
    assert_eq!(v["total_counts"], 600266.0);
    assert_eq!(v["detectors"].as_array().unwrap().len(), 8);
    assert_eq!(v["occupancy"]["occupied_slices"], 133);
    assert_eq!(v["occupancy"]["speed"]["unit"], "mph");
    assert_eq!(v["occupancy"]["lane"], 1);
    assert!((v["live_time_s"].as_f64().unwrap() - 229.65).abs() < 1e-6);
    // people's table
    let o = run(&["parse", &p], None);
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("N42-2006") && out.contains("occupied in 133 of 133") && out.contains("speed 2.4 mph"), "{out}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("CRLF"));
}

#[test]
fn parse_invalid_spe_calibration_exits_2_with_a_diagnostic() {
    let Some(p) = clearway_testdata::file("radiation/spectra_becquerel/digibase_5min_30_1.spe") else { return };
    let o = run(&["parse", &p.to_string_lossy()], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not monotonic"));
}

#[test]
fn parse_csv_column_selection() {
    let Some(p) = clearway_testdata::file("radiation/opengamma_db/K-40.csv") else { return };
    let p = p.to_string_lossy().to_string();
    let v = json(&["parse", &p], None);
    assert_eq!(v["format"], "CSV");
    assert_eq!(v["spectra"][v["primary"].as_u64().unwrap() as usize]["detector"], "Clean_Spectrum");
    let v = json(&["parse", &p, "--column", "Background"], None);
    assert_eq!(v["spectra"][v["primary"].as_u64().unwrap() as usize]["detector"], "Background");
    let o = run(&["parse", &p, "--column", "nope"], None);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn identify_labelled_spectra() {
    let Some(data) = clearway_testdata::data_dir() else { return };
    let cases = [
        ("radiation/opengamma_db/Co-60.csv", "Co-60", "industrial"),
        ("radiation/opengamma_db/Fiestaware.csv", "Uranium (processed)", "NORM"),
        ("radiation/opengamma_db/ThoriumSource.csv", "Th-232 series", "NORM"),
        ("radiation/radiacode/Ba133_a.xml", "Ba-133", "industrial"),
        ("radiation/n42/radiacode_data_am241.n42", "Am-241", "industrial"),
    ];
    for (rel, nuclide, class) in cases {
        let p = data.join(rel).to_string_lossy().to_string();
        let v = json(&["identify", &p], Some(&data));
        let top = &v["nuclides"][0];
        assert_eq!(top["nuclide"], nuclide, "{rel}: {v}");
        assert_eq!(top["class"], class, "{rel}");
        let c = top["confidence"].as_f64().unwrap();
        assert!(c > 0.0 && c <= 1.0);
        assert!(!top["peaks"].as_array().unwrap().is_empty());
    }
}

/// With no data folder and no `--library`, identification uses the library shipped in the binary: the
/// medical and industrial sources beyond the brief's key lines are there, and the gain check names the
/// Hg-197m file's calibration error.
#[test]
fn identify_uses_the_shipped_library_without_a_data_folder() {
    let Some(data) = clearway_testdata::data_dir() else { return };
    for (rel, nuclide) in [("radiation/opengamma_db/Ba-131.csv", "Ba-131"), ("radiation/opengamma_db/Re-186.csv", "Re-186"), ("radiation/opengamma_db/I-124.csv", "I-124")] {
        let v = json(&["identify", &data.join(rel).to_string_lossy()], None);
        assert_eq!(v["nuclides"][0]["nuclide"], nuclide, "{rel}: {v}");
        assert!(v["library"].as_str().unwrap().starts_with("shipped"), "{v}");
    }
    let v = json(&["identify", &data.join("radiation/opengamma_db/Hg-197m.csv").to_string_lossy()], None);
    assert_eq!(v["nuclides"][0]["nuclide"], "Hg-197m", "{v}");
    let diags = v["diagnostics"].as_array().unwrap();
    assert!(diags.iter().any(|d| d.to_string().contains("factor of 4")), "{v}");
}

#[test]
fn identify_portal_ba133_with_background_file() {
    let Some(data) = clearway_testdata::data_dir() else { return };
    let fg = data.join("radiation/n42/interspec_ba133_source_640s_20100317.n42");
    let bg = data.join("radiation/n42/interspec_background_20100317.n42");
    let v = json(&["identify", &fg.to_string_lossy(), "--background", &bg.to_string_lossy()], Some(&data));
    assert_eq!(v["nuclides"][0]["nuclide"], "Ba-133", "{v}");
    assert_eq!(v["spectrum"]["channels"], 16384);
}

#[test]
fn identify_without_calibration_is_an_error() {
    let Some(p) = clearway_testdata::file("radiation/spectra_becquerel/SGM102432.spe") else { return };
    let o = run(&["identify", &p.to_string_lossy()], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("calibration"));
}
