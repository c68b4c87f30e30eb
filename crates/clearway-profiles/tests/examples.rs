//! The example profile set in `examples/profiles/` loads, and each profile hits what it is meant to hit
//! (and not its near misses), with explanations that name the predicates and the actual values.

use clearway_core::{Filing, Finding, Lane};
use clearway_engine::{Config, Pipeline, ReferenceData, Registry};
use clearway_profiles::selectivity::{SelectivityConfig, random_lane};
use clearway_profiles::{EntityHistory, Extras, HistoryAt, ProfileLayer, ProfileSet, Source};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/profiles")
}

fn read_all(d: &Path, ext: &str) -> Vec<(String, String)> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(d).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == ext)).collect();
    v.sort();
    v.into_iter().map(|p| (p.display().to_string(), std::fs::read_to_string(&p).unwrap())).collect()
}

fn example_set() -> ProfileSet {
    let d = dir();
    let p = read_all(&d, "profile");
    let l = read_all(&d.join("lists"), "csv");
    let v = std::fs::read_to_string(d.join("value-control.csv")).unwrap();
    let ps: Vec<Source> = p.iter().map(|(n, t)| Source { name: n, text: t }).collect();
    let ls: Vec<Source> = l.iter().map(|(n, t)| Source { name: n, text: t }).collect();
    ProfileSet::load(&ps, &ls, Some(Source { name: "value-control.csv", text: &v }), None).unwrap().0
}

fn filing(goods: Value, extra: Value) -> Filing {
    let mut f = json!({
        "id": "T1", "mode": "marine", "direction": "import", "country": "US", "stage": "pre-arrival", "cargo": "containerised",
        "parties": [{"role": "importer-of-record", "name": "Acme Imports LLC", "ids": [{"scheme": "IOR", "value": "12-3456789AB"}]}],
        "goods": goods,
        "itinerary": {"place_of_loading": "CNSHA", "first_port_of_arrival": "USLAX", "routing": ["CN", "US"]},
        "times": {"filed_at": "2026-11-02T00:00:00Z", "loading": "2026-11-04T00:00:00Z", "arrival": "2026-11-20T00:00:00Z"}
    });
    if let (Some(o), Value::Object(e)) = (f.as_object_mut(), extra) {
        for (k, v) in e {
            o.insert(k, v);
        }
    }
    serde_json::from_value(f).unwrap()
}

fn hits(set: &ProfileSet, f: &Filing, hist: Option<&EntityHistory>, late: bool) -> Vec<String> {
    let ex = Extras::default();
    let facts = set.facts(f, &ex, hist.map(HistoryAt::all), false, late);
    set.hits(f, &facts).into_iter().map(|(i, _)| set.profiles[i].id.clone()).collect()
}

fn phone(value: f64, kg: f64, origin: &str) -> Value {
    json!([{"description": "SMARTPHONES", "hs_code": "8517130000", "value": value, "net_kg": kg, "gross_kg": kg, "origin": origin}])
}

#[test]
fn example_profiles_hit_what_they_target() {
    let set = example_set();
    assert_eq!(set.profiles.len(), 13);
    let old = {
        let mut h = EntityHistory::new();
        for _ in 0..6 {
            h.observe("12-3456789AB", None, ["851713"]);
        }
        h
    };
    // Value band: CN phones, band min 200/kg. 150/kg: below band only; 40/kg: also a quarter or less.
    assert_eq!(hits(&set, &filing(phone(150_000.0, 1000.0, "CN"), json!({})), Some(&old), false), ["VAL-001"]);
    assert_eq!(hits(&set, &filing(phone(40_000.0, 1000.0, "CN"), json!({})), Some(&old), false), ["VAL-001", "VAL-002"]);
    assert!(hits(&set, &filing(phone(250_000.0, 1000.0, "CN"), json!({})), Some(&old), false).is_empty());
    // New importer with high value goods (and the near miss: same goods, known importer).
    let f = filing(phone(300_000.0, 1000.0, "KR"), json!({}));
    assert_eq!(hits(&set, &f, Some(&EntityHistory::new()), false), ["NI-001"]);
    assert!(hits(&set, &f, Some(&old), false).is_empty());
    // First HS for an established importer.
    let f = filing(json!([{"description": "LAPTOP COMPUTERS", "hs_code": "847130", "value": 150000.0, "net_kg": 500.0, "origin": "KR"}]), json!({}));
    assert_eq!(hits(&set, &f, Some(&old), false), ["NI-002"]);
    // Origin × HS: apparel from a watch-list origin.
    let shirts = json!([{"description": "MEN'S KNITTED COTTON T-SHIRTS", "hs_code": "610910", "value": 9000.0, "net_kg": 1000.0, "origin": "BD"}]);
    // Loaded in CN (departure country) with origin BD: the routing profile TS-002 adds its weight too.
    assert_eq!(hits(&set, &filing(shirts.clone(), json!({})), Some(&old), false), ["OHS-001", "TS-002"]);
    // Lithium batteries by air without a UN number; with UN 3480 no hit.
    let batt = |un: Option<&str>| json!([{"description": "LITHIUM-ION BATTERIES", "hs_code": "850760", "value": 50000.0, "net_kg": 1000.0, "origin": "KR", "un_number": un}]);
    assert_eq!(hits(&set, &filing(batt(None), json!({"mode": "air"})), Some(&old), false), ["OHS-002"]);
    assert!(hits(&set, &filing(batt(Some("3480")), json!({"mode": "air"})), Some(&old), false).is_empty());
    // Transshipment: CHPL goods through a hub.
    let chips = json!([{"description": "PROCESSORS", "hs_code": "854231", "value": 90000.0, "net_kg": 100.0, "origin": "KR"}]);
    let via = json!({"itinerary": {"place_of_loading": "KRPUS", "first_port_of_arrival": "USLAX", "routing": ["KR", "AE", "US"]}});
    assert_eq!(hits(&set, &filing(chips.clone(), via), Some(&old), false), ["TS-001"]);
    let direct = json!({"itinerary": {"place_of_loading": "KRPUS", "first_port_of_arrival": "USLAX", "routing": ["KR", "US"]}});
    assert!(hits(&set, &filing(chips, direct), Some(&old), false).is_empty());
    // Description vs HS chapter.
    let mism = json!([{"description": "COTTON T-SHIRTS", "hs_code": "847330", "value": 9000.0, "net_kg": 100.0, "origin": "KR"}]);
    assert_eq!(hits(&set, &filing(mism, json!({})), Some(&old), false), ["DM-001"]);
    // Late filing with a risky origin (TH) — and on time, no hit.
    let tools = json!([{"description": "HAND TOOLS", "hs_code": "820559", "value": 9000.0, "net_kg": 100.0, "origin": "TH"}]);
    let th = json!({"itinerary": {"place_of_loading": "THLCH", "first_port_of_arrival": "USLAX", "routing": ["TH", "US"]}});
    assert_eq!(hits(&set, &filing(tools.clone(), th.clone()), Some(&old), true), ["LR-001"]);
    assert!(hits(&set, &filing(tools, th), Some(&old), false).is_empty());
    // Importer history of findings.
    let mut bad = old.clone();
    bad.record_exam("12-3456789AB", true);
    bad.record_exam("12-3456789AB", true);
    bad.record_exam("12-3456789AB", false);
    assert_eq!(hits(&set, &filing(phone(250_000.0, 1000.0, "KR"), json!({})), Some(&bad), false), ["IH-001"]);
}

fn pipeline(set: ProfileSet, sel: Option<SelectivityConfig>) -> Pipeline {
    let mut p = Pipeline::new(Config::default(), ReferenceData::default(), Registry::default());
    p.add_layer(Box::new(ProfileLayer::new(set, sel)));
    p
}

#[test]
fn decisions_carry_profile_reasons_and_evidence() {
    let p = pipeline(example_set(), None);
    let f = filing(phone(40_000.0, 1000.0, "CN"), json!({}));
    let d = p.assess(&f, None);
    let v: &Finding = d.findings.iter().find(|x| x.code == "VAL-002").unwrap();
    assert_eq!(v.layer, "profile");
    assert_eq!(v.weight, 40.0);
    assert!(v.message.starts_with("Electronics declared at 25 %"));
    assert_eq!(v.evidence["hs_chapter in [84, 85]"], json!(85.0));
    assert_eq!(v.evidence["unit_value_kg < 0.25 * value_min"], json!({"unit_value_kg": 40.0, "value_min": 200.0}));
    assert_eq!(v.evidence["selected"], json!(true));
    assert!(v.evidence["instructions"].as_str().unwrap().starts_with("Physical exam"));
    assert_eq!(d.lane, Lane::Red);
    // The config hash changes with the profile set.
    let mut other = Pipeline::new(Config::default(), ReferenceData::default(), Registry::default());
    other.add_layer(Box::new(ProfileLayer::new(ProfileSet::default(), None)));
    assert_ne!(other.config_hash(), p.config_hash());
}

#[test]
fn cap_is_an_order_free_rate() {
    // OHS-001 selects 30 % with cap 20: a hit is selected whenever its draw is below max(30, 100/21) %,
    // whatever the order of the filings; the cap raises a low percentage to 100 / (N + 1) %.
    assert_eq!(clearway_profiles::layer::selection_rate(30.0, Some(20)), 30.0);
    assert!((clearway_profiles::layer::selection_rate(1.0, Some(9)) - 10.0).abs() < 1e-12);
    let p = pipeline(example_set(), None);
    let shirts = |i: usize| {
        let mut f = filing(json!([{"description": "T-SHIRTS", "hs_code": "610910", "value": 9000.0, "net_kg": 1000.0, "origin": "BD"}]), json!({}));
        f.id = format!("S{i}");
        f
    };
    let selected = |i: usize| {
        let d = p.assess(&shirts(i), None);
        let h = d.findings.iter().find(|x| x.code == "OHS-001").unwrap().clone();
        let draw = h.evidence["draw"].as_f64().unwrap();
        assert_eq!(h.evidence["selected"] == json!(true), draw * 100.0 < 30.0, "S{i}");
        h.evidence["selected"] == json!(true)
    };
    let forward: Vec<bool> = (0..2000).map(selected).collect();
    let backward: Vec<bool> = (0..2000).rev().map(selected).collect::<Vec<_>>().into_iter().rev().collect();
    assert_eq!(forward, backward, "selection does not depend on order");
    let n = forward.iter().filter(|s| **s).count();
    assert!((500..750).contains(&n), "{n}");
}

/// Random selection over 100,000 generated filings: the share selected per lane lies within its
/// binomial bounds (4 standard deviations), trusted traders get the lower rate, and the same seed gives
/// the same selection.
#[test]
fn random_rates_hold_over_100000_generated_filings() {
    let cfg = SelectivityConfig::parse("s.json", &std::fs::read_to_string(dir().join("selectivity.json")).unwrap()).unwrap();
    let period = cfg.period(chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()).unwrap().clone();
    let period: &'static _ = Box::leak(Box::new(period));
    // Two generators (seeds 1 and 2, 50,000 each) on two threads: the same 100,000 ids every run.
    let count = |seed: u64| {
        std::thread::spawn(move || {
            let (mut n, mut red, mut yellow, mut tred) = (0u64, 0u64, 0u64, 0u64);
            let mut first = Vec::new();
            for f in clearway_synth::Generator::new(clearway_synth::Config::new(50_000, seed)) {
                n += 1;
                let (_, _, _, lane) = random_lane(period, false, 2026, &f.id, f.version);
                red += u64::from(lane == Some(Lane::Red));
                yellow += u64::from(lane == Some(Lane::Yellow));
                tred += u64::from(random_lane(period, true, 2026, &f.id, f.version).3 == Some(Lane::Red));
                if first.len() < 1000 {
                    first.push((f.id.clone(), f.version, lane));
                }
            }
            (n, red, yellow, tred, first)
        })
    };
    let (a, b) = (count(1), count(2));
    let (a, b) = (a.join().unwrap(), b.join().unwrap());
    let (n, red, yellow, tred) = (a.0 + b.0, a.1 + b.1, a.2 + b.2, a.3 + b.3);
    let first: Vec<_> = a.4.into_iter().chain(b.4).collect();
    assert_eq!(n, 100_000);
    let within = |k: u64, p: f64| {
        let (mean, sd) = (n as f64 * p, (n as f64 * p * (1.0 - p)).sqrt());
        (k as f64 - mean).abs() <= 4.0 * sd
    };
    assert!(within(red, 0.01), "red {red}");
    assert!(within(yellow, 0.02), "yellow {yellow}");
    assert!(within(tred, 0.002), "trusted red {tred}");
    assert!(tred > 0 && tred < red);
    for (id, version, lane) in first {
        assert_eq!(random_lane(period, false, 2026, &id, version).3, lane);
    }
}
