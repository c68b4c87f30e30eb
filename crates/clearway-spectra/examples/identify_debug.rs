//! Print the peaks and identification of one spectrum file: `cargo run --example identify_debug FILE [SOURCE...]`
//! (`TIMING=1`, `REPS=N`, `READREPS=N`: timing loops used for BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clearway_spectra::identify::{IdentifyOptions, identify};
use clearway_spectra::library::Library;
use std::io::Read;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&args[1]).unwrap();
    if let Ok(n) = std::env::var("READREPS") {
        let n: usize = n.parse().unwrap();
        let t = std::time::Instant::now();
        for _ in 0..n {
            let _ = clearway_spectra::read(&bytes).unwrap();
        }
        let dt = t.elapsed().as_secs_f64() / n.max(1) as f64;
        eprintln!("read {:.3} ms, {:.1} MB/s (wall)", dt * 1e3, bytes.len() as f64 / dt / 1e6);
        return;
    }
    let (f, d) = clearway_spectra::read(&bytes).unwrap();
    for x in &d {
        eprintln!("{x}");
    }
    let data = std::env::var("CLEARWAY_DATA").unwrap_or_else(|_| "../shared/data".into());
    let lib_path = std::env::var("LIB").unwrap_or(format!("{data}/radiation/nuclide_data/lines_decay_2012.min.json.gz"));
    let mut s = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(lib_path).unwrap()).read_to_string(&mut s).unwrap();
    let lib = Library::from_decay_json(&s).unwrap();
    if let Ok(n) = std::env::var("REPS") {
        let n: usize = n.parse().unwrap();
        for _ in 0..n {
            let _ = identify(f.primary_spectrum().unwrap(), None, &lib, &IdentifyOptions::default()).unwrap();
        }
        return;
    }
    if std::env::var("TIMING").is_ok() {
        timing(f.primary_spectrum().unwrap(), &lib);
        return;
    }
    let bg = if args[1].contains("radiacode") { f.background_spectrum() } else { None };
    let id = identify(f.primary_spectrum().unwrap(), bg, &lib, &IdentifyOptions::default()).unwrap();
    println!("detector {:?} scale {:.2}", id.detector, id.resolution_scale);
    for p in &id.peaks {
        println!("peak {:8.2} keV area {:10.0} sig {:7.1} fwhm {:5.2} fitted {}", p.energy_kev, p.area, p.significance, p.fwhm_kev, p.fitted);
    }
    for n in &id.nuclides {
        println!("{} {:?} conf {} score {}", n.nuclide, n.class, n.confidence, n.score);
        for m in &n.peaks {
            println!("    line {:8.2} peak {:8.2} sig {:7.1}", m.line_kev, m.energy_kev, m.significance);
        }
    }
    for name in &args[2..] {
        if let Some(src) = lib.get(name) {
            println!("{name}: {:?}", src.lines.iter().take(12).map(|l| (l.energy_kev, l.intensity)).collect::<Vec<_>>());
        }
    }
}

#[allow(dead_code)]
pub fn timing(s: &clearway_spectra::Spectrum, lib: &Library) {
    use clearway_spectra::analysis;
    use std::time::Instant;
    let n = 20;
    let t = Instant::now();
    for _ in 0..n {
        let _ = analysis::prepare(s, None, None).unwrap();
    }
    eprintln!("prepare {:?}", t.elapsed() / n);
    let p = analysis::prepare(s, None, None).unwrap();
    let t = Instant::now();
    for _ in 0..n {
        let _ = analysis::continuum(&p);
    }
    eprintln!("continuum {:?}", t.elapsed() / n);
    let c = analysis::continuum(&p);
    let t = Instant::now();
    for _ in 0..n {
        let _ = analysis::find_peaks(&p, &c, 3.5);
    }
    eprintln!("find_peaks {:?} ({} peaks)", t.elapsed() / n, analysis::find_peaks(&p, &c, 3.5).len());
    let t = Instant::now();
    for _ in 0..n {
        let _ = identify(s, None, lib, &IdentifyOptions::default()).unwrap();
    }
    eprintln!("identify {:?}", t.elapsed() / n);
}
