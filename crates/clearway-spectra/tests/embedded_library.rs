//! The shipped line library (`data/library_lines.csv`, [`Library::embedded`]) is exactly what the decay
//! data in `radiation/nuclide_data/lines_decay_2012.min.json.gz` give. `UPDATE_EMBEDDED_LIBRARY=1` rewrites
//! the file from the decay data (after a change to `SOURCES` or to how lines are kept).

use clearway_spectra::library::Library;
use std::io::Read;

const PROVENANCE: &str = "Clearway's nuclide line library: the gamma and x-ray lines of every member of the sources in
clearway-spectra's library::SOURCES, as Library::from_decay_json keeps them (>= 20 keV; >= 1 % of the
source's strongest line, x-rays >= 2 %; at most 40 per source), photons per decay of the source's parent.
Facts from the FISPACT-II decay_2012 library as packaged in actigamma 0.1.5 (UKAEA,
https://github.com/fispact/actigamma), file actigamma/data/lines_decay_2012.min.json, Apache License 2.0.
Written by `UPDATE_EMBEDDED_LIBRARY=1 cargo test -p clearway-spectra --test embedded_library`; do not edit.";

#[test]
fn the_shipped_library_is_the_decay_data() {
    let Some(p) = clearway_testdata::file("radiation/nuclide_data/lines_decay_2012.min.json.gz") else { return };
    let mut s = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(p).unwrap()).read_to_string(&mut s).unwrap();
    let from_data = Library::from_decay_json(&s).unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/library_lines.csv");
    if std::env::var_os("UPDATE_EMBEDDED_LIBRARY").is_some() {
        std::fs::write(&path, from_data.to_lines_csv(PROVENANCE)).unwrap();
        eprintln!("wrote {}", path.display());
        return;
    }
    let shipped = Library::embedded();
    assert_eq!(shipped.sources.len(), from_data.sources.len());
    assert!(shipped == from_data, "data/library_lines.csv differs from the decay data: run with UPDATE_EMBEDDED_LIBRARY=1");
    // the file reads back what it was written from
    assert_eq!(Library::from_lines_csv(&from_data.to_lines_csv(PROVENANCE)).unwrap(), from_data);
}

#[test]
fn the_shipped_library_covers_every_source() {
    let lib = Library::embedded();
    for def in clearway_spectra::library::SOURCES {
        let s = lib.get(def.name).unwrap_or_else(|| panic!("{} missing", def.name));
        assert!(!s.lines.is_empty() && s.class == def.class, "{}", def.name);
    }
}

#[test]
fn bad_line_files_name_the_line() {
    let e = Library::from_lines_csv("# c\nsource,nuclide,energy_kev,photons_per_decay,xray\nCs-137,Cs137,661.657,0.85,0\nNope,X1,1,1,0\n").unwrap_err();
    assert!(e.to_string().contains("line 4") && e.to_string().contains("Nope"), "{e}");
    let e = Library::from_lines_csv("source,nuclide,energy_kev,photons_per_decay,xray\nCs-137,Cs137,abc,0.85,0\n").unwrap_err();
    assert!(e.to_string().contains("line 2") && e.to_string().contains("energy"), "{e}");
}
