//! The harness on the real data (small run in debug; `PORTAL_EVAL_FULL=1` for the full one).

use clearway_portal::binning::EDGES;
use clearway_portal::eval::{self, EvalConfig, LIBRARY};
use clearway_portal::measurement::harness_setup;
use clearway_spectra::{Options, SpectrumFile, read_with};

fn load(rel: &str, column: Option<&str>) -> Option<SpectrumFile> {
    let path = clearway_testdata::file(&format!("radiation/{rel}"))?;
    let bytes = std::fs::read(&path).ok()?;
    let opts = Options { column: column.map(str::to_string), file_name: Some(rel.to_string()) };
    Some(read_with(&bytes, &opts).expect(rel).0)
}

#[test]
fn harness_on_real_data() {
    let Some(bg) = load(eval::BACKGROUND_FILE, None) else { return };
    let Some(pt) = load(eval::PASSTHROUGH_FILE, None) else { return };
    let mut files = Vec::new();
    for e in LIBRARY {
        let f = load(e.path, e.column).unwrap();
        let b = e.background.map(|p| load(p, None).unwrap());
        files.push((e, f, b));
    }
    let sources: Vec<_> = files.iter().map(|(e, f, b)| (e.name.to_string(), e.kind, e.path.to_string(), f, b.as_ref())).collect();
    let (setup, notes) = harness_setup(&bg, &pt, &sources, &EDGES).unwrap();
    eprintln!("notes: {notes:?}");
    assert_eq!(setup.signatures.len(), LIBRARY.len(), "{notes:?}");
    let full = std::env::var("PORTAL_EVAL_FULL").is_ok();
    let cfg = if full { EvalConfig::default() } else { EvalConfig { benign: 400, benign_check: 0, trials: std::env::var("PORTAL_EVAL_TRIALS").ok().and_then(|t| t.parse().ok()).unwrap_or(4), far: 0.01, ..EvalConfig::default() } };
    let r = eval::run(&setup, &cfg, &mut |_, _| {}).unwrap();
    for a in &r.algorithms {
        eprintln!("{:?}", a);
    }
    if full || std::env::var("PORTAL_EVAL_POINTS").is_ok() {
        for p in &r.points {
            eprintln!("{:24} {:?} {:6} {:?}", p.source, p.kind, p.strength, p.alarms);
        }
    }
    eprintln!("{:?}", r.curves());
}
