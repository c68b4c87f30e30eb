//! Run the occupancy analysis of the real passthrough `REPS` times (default 1000): a driver for
//! `valgrind --tool=callgrind` instruction counts and CPU-time figures (BENCHMARKS.md). Needs `CLEARWAY_DATA`.
use clearway_portal::binning::{EDGES, EDGES_3MEV};
use clearway_portal::measurement::{background_from_file, occupancy_from_file};
use clearway_portal::{Analyzer, Config};
use std::hint::black_box;

fn main() {
    let reps: usize = std::env::var("REPS").ok().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let edges: &[f64] = if std::env::var("BINS25").is_ok() { &EDGES_3MEV } else { &EDGES };
    let (Some(pt), Some(bg)) = (
        clearway_testdata::file("radiation/n42/interspec_passthrough.n42"),
        clearway_testdata::file("radiation/n42/interspec_background_20100317.n42"),
    ) else {
        eprintln!("shared data absent: nothing to do");
        return;
    };
    let (pt, _) = clearway_portal::clearway_spectra::read(&std::fs::read(pt).unwrap()).unwrap();
    let (bg, _) = clearway_portal::clearway_spectra::read(&std::fs::read(bg).unwrap()).unwrap();
    let b = background_from_file(&bg, &pt.detectors(), edges).unwrap();
    let occ = occupancy_from_file(&pt, edges, Some(b)).unwrap().0;
    let a = Analyzer::for_edges(Config::default(), edges);
    let cpu0 = thread_cpu_ns();
    let t = std::time::Instant::now();
    let mut alarms = 0;
    for _ in 0..reps {
        alarms += usize::from(a.analyze(black_box(&occ)).unwrap().alarm);
    }
    let dt = t.elapsed().as_secs_f64() / reps.max(1) as f64;
    let cpu = thread_cpu_ns().zip(cpu0).map(|(b, a)| (b - a) as f64 / reps.max(1) as f64 / 1e3);
    eprintln!(
        "{} slices × {} panels × {} bins: {:.1} µs per analysis (wall), {:.1} µs (thread CPU), {alarms} alarms",
        occ.slices,
        occ.panels.len(),
        occ.bins(),
        dt * 1e6,
        cpu.unwrap_or(f64::NAN)
    );
}

/// This thread's time on a CPU (ns), from `/proc/thread-self/schedstat` (Linux).
fn thread_cpu_ns() -> Option<u64> {
    clearway_testdata::thread_cpu().map(|d| d.as_nanos() as u64)
}
