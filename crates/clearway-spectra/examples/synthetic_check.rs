//! Identification of synthetic HPGe spectra built from the library's own lines: for each named source
//! (default: the nuclides of the held-back labelled spectra), an 8,192-channel, 0.2 keV/channel spectrum
//! with Gaussian peaks (FWHM ≈ 1–2.5 keV) on a falling continuum, Poisson-like noise from a fixed seed;
//! prints the top sources. A consistency check of the matcher, not an accuracy figure (the spectra come
//! from the same line data). `cargo run --release -p clearway-spectra --example synthetic_check [NAME...]`
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clearway_spectra::identify::{IdentifyOptions, identify};
use clearway_spectra::library::Library;
use clearway_spectra::{Calibration, Spectrum};
use std::io::Read;

mod common;

fn main() {
    let data = std::env::var("CLEARWAY_DATA").unwrap_or_else(|_| "../shared/data".into());
    let mut s = String::new();
    let Ok(f) = std::fs::File::open(format!("{data}/radiation/nuclide_data/lines_decay_2012.min.json.gz")) else {
        eprintln!("nuclide data absent");
        return;
    };
    flate2::read::GzDecoder::new(f).read_to_string(&mut s).unwrap();
    let mut lib = Library::from_decay_json(&s).unwrap();
    let full = lib.clone();
    if let Ok(only) = std::env::var("LIBONLY") {
        lib.sources.retain(|x| only.split(',').any(|o| o == x.name));
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let names: Vec<String> = if args.is_empty() {
        ["Co-57", "Eu-152", "Ga-68", "I-131", "Lu-177", "Na-22", "Re-188", "Tc-99m", "Cs-137", "Ba-133", "Co-60", "Am-241", "Ir-192", "Se-75", "F-18", "In-111", "Tl-201", "Ga-67", "I-123"]
            .iter()
            .map(|x| x.to_string())
            .collect()
    } else {
        args
    };
    // SCINT=1: a 1,024-channel, 3 keV/channel scintillator (FWHM 7.5 % at 662 keV, ∝ √E) with each line's
    // Compton continuum (flat to its Compton edge, 3× the peak area)
    let scint = std::env::var("SCINT").is_ok();
    let (n, kpc) = if scint { (1024usize, 3.0f64) } else { (8192usize, 0.2f64) };
    let mut noise = common::gaussian(0x2545_f491_4f6c_dd1d);
    let mut ok = 0;
    for name in &names {
        let Some(src) = full.get(name) else {
            println!("{name}: not in the library");
            continue;
        };
        let mut counts: Vec<f64> = (0..n).map(|i| 30.0 * (-(i as f64 * kpc) / 400.0).exp() + 3.0).collect();
        for l in &src.lines {
            let e = l.energy_kev;
            if !(e > 15.0 && e < n as f64 * kpc - 10.0) {
                continue;
            }
            let eff = if e >= 120.0 { (e / 120.0).powf(-0.85) } else { (e / 120.0).powi(2).max(0.05) };
            let area = 4.0e4 * l.intensity * eff;
            let fwhm = if scint { 0.075 * 661.7 * (e / 661.7).sqrt() } else { (0.8f64.powi(2) + 0.0015 * e).sqrt() };
            if scint {
                let k = 2.0 * e / 511.0;
                let edge = e * k / (1.0 + k);
                let ch = (edge / kpc) as usize;
                for slot in counts.iter_mut().take(ch.min(n)) {
                    *slot += 3.0 * area / ch.max(1) as f64;
                }
            }
            let sd = fwhm / 2.3548 / kpc;
            let c = e / kpc;
            let (lo, hi) = (((c - 5.0 * sd).floor().max(0.0)) as usize, ((c + 5.0 * sd).ceil() as usize).min(n - 1));
            for (i, slot) in counts.iter_mut().enumerate().take(hi + 1).skip(lo) {
                let x = i as f64 + 0.5 - c;
                *slot += area * (-(x * x) / (2.0 * sd * sd)).exp() / (sd * (2.0 * std::f64::consts::PI).sqrt());
            }
        }
        for c in counts.iter_mut() {
            *c = (*c + c.sqrt() * noise()).max(0.0).round();
        }
        let sp = Spectrum {
            counts,
            live_time_s: Some(600.0),
            calibration: Some(Calibration::Polynomial { coefficients: vec![0.0, kpc] }),
            ..Spectrum::default()
        };
        let id = identify(&sp, None, &lib, &IdentifyOptions::default()).unwrap();
        let top: Vec<String> = id.nuclides.iter().take(4).map(|x| format!("{} {:.0}", x.nuclide, x.score)).collect();
        let hit = id.nuclides.first().is_some_and(|x| x.nuclide.eq_ignore_ascii_case(name));
        ok += usize::from(hit);
        println!("{} {name:<8} -> {}   [{} peaks]", if hit { "ok  " } else { "MISS" }, top.join(", "), id.peaks.len());
        if std::env::var("PEAKS").is_ok() {
            for p in id.peaks.iter().take(40) {
                println!("    {:8.2} keV sig {:6.1} area {:8.0} fitted {}", p.energy_kev, p.significance, p.area, p.fitted);
            }
        }
    }
    println!("{ok}/{} top-1", names.len());
}
