//! Robustness of identification on the labelled real spectra: each spectrum is also identified after
//! (a) keeping a fraction of its counts (a shorter measurement: x·f plus noise of the removed counts),
//! (b) an energy-scale drift of ±0.3 % and (c) both. Prints, per perturbation, how many keep the same top-1
//! source as the unperturbed spectrum. A probe of how identification generalises, not a tuning target.
//! `cargo run --release -p clearway-spectra --example robustness` (needs `CLEARWAY_DATA`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clearway_spectra::identify::{IdentifyOptions, identify};
use clearway_spectra::library::Library;
use clearway_spectra::{Options, Spectrum, read_with};

mod common;

const FILES: &[&str] = &[
    "opengamma_db/Ac-225.csv", "opengamma_db/Am-241.csv", "opengamma_db/Ba-131.csv", "opengamma_db/Bi-207.csv",
    "opengamma_db/CeramicPipe1820.csv", "opengamma_db/Co-60.csv", "opengamma_db/Cr-51.csv", "opengamma_db/Cs-137.csv",
    "opengamma_db/Fiestaware.csv", "opengamma_db/Hg-197m.csv", "opengamma_db/I-124.csv", "opengamma_db/I-125.csv",
    "opengamma_db/K-40.csv", "opengamma_db/La-138.csv", "opengamma_db/Lu-176.csv", "opengamma_db/Lu-177m.csv",
    "opengamma_db/Pb-210.csv", "opengamma_db/Pitchblende.csv", "opengamma_db/RadiumDial.csv", "opengamma_db/Re-186.csv",
    "opengamma_db/ThoriumSource.csv", "opengamma_db/Zeunerite.csv", "radiacode/Ba133_a.xml", "radiacode/Co60_a.xml",
    "radiacode/data_am241.xml", "radiacode/data_th232_plus_background.xml",
];

fn main() {
    let Some(dir) = clearway_testdata::file("radiation") else { return };
    let lib = Library::embedded();
    let mut gauss = common::gaussian(0x9e37_79b9_7f4a_7c15);
    let perturbations: &[(&str, f64, f64)] = &[("30 % of the counts", 0.3, 0.0), ("10 % of the counts", 0.1, 0.0), ("gain +0.3 %", 1.0, 0.003), ("gain -0.3 %", 1.0, -0.003), ("10 % and gain +0.3 %", 0.1, 0.003)];
    let mut kept = vec![0usize; perturbations.len()];
    for rel in FILES {
        let (f, _) = read_with(&std::fs::read(dir.join(rel)).unwrap(), &Options::default()).unwrap();
        let fg = f.primary_spectrum().unwrap().clone();
        let bg = if rel.starts_with("radiacode") { f.background_spectrum().cloned() } else { None };
        let top = |s: &Spectrum, b: Option<&Spectrum>| identify(s, b, &lib, &IdentifyOptions::default()).ok().and_then(|i| i.nuclides.first().map(|n| n.nuclide.clone()));
        let base = top(&fg, bg.as_ref());
        let mut row = Vec::new();
        for (k, &(_, frac, gain)) in perturbations.iter().enumerate() {
            let mut s = fg.clone();
            let mut b = bg.clone();
            if frac < 1.0 {
                for c in s.counts.iter_mut() {
                    *c = (*c * frac + (c.abs() * frac * (1.0 - frac)).sqrt() * gauss()).round();
                }
                if let Some(ls) = s.live_time_s.as_mut() {
                    *ls *= frac;
                }
            }
            if gain != 0.0 {
                for c in std::iter::once(&mut s).chain(b.iter_mut()).filter_map(|sp| sp.calibration.as_mut()) {
                    c.scale(1.0 + gain);
                }
            }
            let t = top(&s, b.as_ref());
            kept[k] += usize::from(t == base);
            row.push(t.unwrap_or_else(|| "-".into()));
        }
        println!("{rel:<45} {:<22} {}", base.unwrap_or_else(|| "-".into()), row.join(" | "));
    }
    for (k, (name, _, _)) in perturbations.iter().enumerate() {
        println!("{name:<24} same top-1: {}/{}", kept[k], FILES.len());
    }
}
