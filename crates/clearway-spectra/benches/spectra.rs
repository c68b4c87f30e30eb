//! Reader throughput (N42) and identification time (16,384-channel HPGe spectra).
//! Needs the shared test data (`CLEARWAY_DATA`); skips what is absent. Baseline for N42 parsing:
//! `bench/rad_spectra_specutils.py` (Sandia SpecUtils).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clearway_spectra::identify::{IdentifyOptions, identify};
use clearway_spectra::library::Library;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::io::Read;

fn readers(c: &mut Criterion) {
    let mut g = c.benchmark_group("read");
    for name in ["n42/interspec_passthrough.n42", "n42/interspec_background_20100317.n42", "spectra_becquerel/1110C_NAA_cave_background_May_2017.spe"] {
        let Some(p) = clearway_testdata::file(&format!("radiation/{name}")) else { continue };
        let bytes = std::fs::read(p).unwrap();
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(name, |b| b.iter(|| clearway_spectra::read(black_box(&bytes)).unwrap()));
    }
    g.finish();
}

fn identification(c: &mut Criterion) {
    let Some(lp) = clearway_testdata::file("radiation/nuclide_data/lines_decay_2012.min.json.gz") else { return };
    let mut s = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(lp).unwrap()).read_to_string(&mut s).unwrap();
    let lib = Library::from_decay_json(&s).unwrap();
    let mut g = c.benchmark_group("identify");
    for name in ["n42/interspec_ba133_source_640s_20100317.n42", "spectra_becquerel/1110C_NAA_cave_background_May_2017.spe", "spectra_becquerel/1110C_NAA_cave_pottery.Spe"] {
        let Some(p) = clearway_testdata::file(&format!("radiation/{name}")) else { continue };
        let (f, _) = clearway_spectra::read(&std::fs::read(p).unwrap()).unwrap();
        let sp = f.primary_spectrum().unwrap().clone();
        assert_eq!(sp.channels(), 16384);
        let opts = IdentifyOptions::default();
        g.bench_function(name, |b| b.iter(|| identify(black_box(&sp), None, &lib, &opts).unwrap()));
    }
    g.finish();
}

criterion_group!(benches, readers, identification);
criterion_main!(benches);
