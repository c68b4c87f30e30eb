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
        let mut f = load(e.path, e.column).unwrap();
        e.correct_axis(&mut f);
        let b = e.background.map(|p| load(p, None).unwrap());
        files.push((e, f, b));
    }
    let sources: Vec<_> = files.iter().map(|(e, f, b)| (e.name.to_string(), e.kind, e.path.to_string(), f, b.as_ref())).collect();
    let (setup, notes) = harness_setup(&bg, &pt, &sources, &EDGES).unwrap();
    eprintln!("notes: {notes:?}");
    assert_eq!(setup.signatures.len(), LIBRARY.len(), "{notes:?}");
    let full = std::env::var("PORTAL_EVAL_FULL").is_ok();
    let seed = std::env::var("PORTAL_EVAL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(EvalConfig::default().seed);
    let cfg = if full { EvalConfig { seed, ..EvalConfig::default() } } else { EvalConfig { benign: 200, benign_check: 0, trials: std::env::var("PORTAL_EVAL_TRIALS").ok().and_then(|t| t.parse().ok()).unwrap_or(2), far: 0.01, ..EvalConfig::default() } };
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
    if let Ok(path) = std::env::var("PORTAL_EVAL_SVG") {
        let series: Vec<(String, Vec<(f64, f64)>)> = r.curves().into_iter().map(|(t, p)| (t.as_str().to_string(), p)).collect();
        let svg = clearway_portal::svg::line_chart("Detection probability at 1 false alarm per 1,000 benign occupancies", "source strength (net cps at closest approach, 2.5 m)", "mean detection probability over threat sources", &series);
        std::fs::write(path, svg).unwrap();
    }
    // The curves rise with strength.
    for (_, pts) in r.curves() {
        assert!(pts.last().unwrap().1 >= pts.first().unwrap().1);
    }
}

/// CPU time (not wall time) per occupancy analysis of the real 133-slice, 8-panel passthrough, from the
/// thread's scheduler statistics — a figure that a loaded shared machine does not inflate. Run with
/// `cargo test --release -p clearway-portal --test harness_real -- --ignored --nocapture`.
#[test]
#[ignore]
fn cpu_time_per_occupancy() {
    use clearway_portal::measurement::{background_from_file, occupancy_from_file};
    use clearway_portal::{Analyzer, Config};
    let (Some(pt), Some(bg)) = (load(eval::PASSTHROUGH_FILE, None), load(eval::BACKGROUND_FILE, None)) else { return };
    let cpu_ns = || -> u64 {
        clearway_testdata::thread_cpu().map_or(0, |d| d.as_nanos() as u64)
    };
    for edges in [&EDGES[..], &clearway_portal::binning::EDGES_3MEV[..]] {
        let b = background_from_file(&bg, &pt.detectors(), edges).unwrap();
        let (occ, _) = occupancy_from_file(&pt, edges, Some(b)).unwrap();
        let a = Analyzer::for_edges(Config::default(), edges);
        let n = 20_000;
        let t0 = cpu_ns();
        let mut alarms = 0;
        for _ in 0..n {
            alarms += usize::from(a.analyze(std::hint::black_box(&occ)).unwrap().alarm);
        }
        let t1 = cpu_ns();
        assert_eq!(alarms, n);
        eprintln!("{} slices × {} panels × {} bins: {:.1} µs CPU per occupancy", occ.slices, occ.panels.len(), occ.bins(), (t1 - t0) as f64 / n as f64 / 1000.0);
    }
}
