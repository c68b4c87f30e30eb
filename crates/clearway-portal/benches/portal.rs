//! Occupancy analysis speed: the real 133-slice, 8-panel passthrough (N42), all four tests, in the
//! default 22 bins and the 25 bins to 3 MeV; beside it the same occupancy reduced to gross counts
//! (one bin: the gross-count and neutron tests only). Target: < 50 µs per occupancy.

use clearway_portal::binning::{EDGES, EDGES_3MEV};
use clearway_portal::eval::{EvalConfig, Simulator, synthetic_setup};
use clearway_portal::measurement::{background_from_file, occupancy_from_file};
use clearway_portal::{Analyzer, Background, Config, Occupancy};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn real(edges: &[f64]) -> Option<Occupancy> {
    let pt = clearway_testdata::file("radiation/n42/interspec_passthrough.n42")?;
    let bg = clearway_testdata::file("radiation/n42/interspec_background_20100317.n42")?;
    let (pt, _) = clearway_portal::clearway_spectra::read(&std::fs::read(pt).ok()?).ok()?;
    let (bg, _) = clearway_portal::clearway_spectra::read(&std::fs::read(bg).ok()?).ok()?;
    let panels = pt.detectors();
    let b = background_from_file(&bg, &panels, edges).ok()?;
    Some(occupancy_from_file(&pt, edges, Some(b)).ok()?.0)
}

fn gross_only(o: &Occupancy) -> Occupancy {
    let (n, np, nb) = (o.slices, o.panels.len(), o.bins());
    let counts = (0..n * np).map(|k| o.counts[k * nb..(k + 1) * nb].iter().sum()).collect();
    let rates = (0..np).map(|p| o.background.gamma_cps[p * nb..(p + 1) * nb].iter().sum()).collect();
    Occupancy {
        edges_kev: vec![o.edges_kev[0], o.edges_kev[nb]],
        counts,
        background: Background { gamma_cps: rates, ..o.background.clone() },
        ..o.clone()
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("occupancy");
    for (name, edges) in [("22 bins", &EDGES[..]), ("25 bins", &EDGES_3MEV[..])] {
        let occ = match real(edges) {
            Some(o) => o,
            None => {
                eprintln!("real passthrough absent: using a simulated occupancy");
                let setup = synthetic_setup();
                let cfg = EvalConfig::default();
                Simulator::new(&setup, &cfg).unwrap().benign(0)
            }
        };
        let a = Analyzer::for_edges(Config::default(), edges);
        eprintln!("{name}: {} slices × {} panels × {} bins", occ.slices, occ.panels.len(), occ.bins());
        g.bench_function(format!("analyze, {name}"), |b| b.iter(|| a.analyze(black_box(&occ)).unwrap()));
        if edges.len() == EDGES.len() {
            let gross = gross_only(&occ);
            let ag = Analyzer::new(Config::default());
            g.bench_function("analyze, gross counts only (baseline)", |b| b.iter(|| ag.analyze(black_box(&gross)).unwrap()));
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
