//! Top-1 identification accuracy over the labelled spectra in `radiation/opengamma_db/` and
//! `radiation/radiacode/` (printed). NORM items must be classed NORM.
//!
//! Only spectra with a source label count towards the accuracy (24 OpenGamma HPGe spectra and 4
//! RadiaCode CsI ones). The RadiaCode background (`bg.xml`) and the trinitite glass (a mixture of fallout
//! and activation products, no single label) are checked separately and not counted.
//!
//! The target is ≥ 90 %. Two labelled spectra do not show their labelled nuclide (`Sm-153.csv`:
//! only Eu-152/154/155 impurities, no 103 keV line; `Er-169.csv`: Yb-169 and Tm-170 impurities, Er-169
//! has no usable gamma line), so 26/28 = 92.9 % is the honest figure and the test guards it. `Hg-197m.csv`
//! carries an energy axis four times too steep (its peaks sit at 4.008× the Au x-ray, 77, 134, 191 and
//! 279 keV lines, and are 2.5× too wide for HPGe): identification's gain check finds and names it.

use clearway_spectra::identify::{IdentifyOptions, identify};
use clearway_spectra::library::{Class, Library};
use clearway_spectra::{Options, read_with};
use std::io::Read;

/// (folder/file, accepted top-1 source names; empty = any NORM-class source; `["-"]` = nothing or NORM only)
const LABELS: &[(&str, &[&str])] = &[
    ("opengamma_db/Ac-225.csv", &["Ac-225"]),
    ("opengamma_db/Am-241.csv", &["Am-241"]),
    ("opengamma_db/Ba-131.csv", &["Ba-131"]),
    ("opengamma_db/Bi-207.csv", &["Bi-207"]),
    ("opengamma_db/CeramicPipe1820.csv", &[]),
    ("opengamma_db/Co-60.csv", &["Co-60"]),
    ("opengamma_db/Cr-51.csv", &["Cr-51"]),
    ("opengamma_db/Cs-137.csv", &["Cs-137"]),
    ("opengamma_db/Er-169.csv", &["Er-169"]),
    ("opengamma_db/Fiestaware.csv", &["Uranium (processed)", "U-238 series"]),
    ("opengamma_db/Hg-197m.csv", &["Hg-197m"]),
    ("opengamma_db/I-124.csv", &["I-124"]),
    ("opengamma_db/I-125.csv", &["I-125"]),
    ("opengamma_db/K-40.csv", &["K-40"]),
    ("opengamma_db/La-138.csv", &["La-138"]),
    ("opengamma_db/Lu-176.csv", &["Lu-176"]),
    ("opengamma_db/Lu-177m.csv", &["Lu-177m", "Lu-177"]),
    ("opengamma_db/Pb-210.csv", &["Pb-210"]),
    ("opengamma_db/Pitchblende.csv", &["U-238 series", "Ra-226", "Uranium (processed)"]),
    ("opengamma_db/RadiumDial.csv", &["Ra-226", "U-238 series"]),
    ("opengamma_db/Re-186.csv", &["Re-186"]),
    ("opengamma_db/Sm-153.csv", &["Sm-153"]),
    ("opengamma_db/ThoriumSource.csv", &["Th-232 series"]),
    ("opengamma_db/Zeunerite.csv", &["U-238 series", "Ra-226", "Uranium (processed)"]),
    ("radiacode/Ba133_a.xml", &["Ba-133"]),
    ("radiacode/Co60_a.xml", &["Co-60"]),
    ("radiacode/data_am241.xml", &["Am-241"]),
    ("radiacode/data_th232_plus_background.xml", &["Th-232 series"]),
];

/// Spectra without a single source label: checked, not counted in the accuracy.
const UNLABELLED: &[(&str, &[&str])] = &[
    ("radiacode/bg.xml", &["-"]),
    ("radiacode/trinitite.xml", &["Cs-137", "Eu-152", "Eu-154", "Ba-133", "Co-60", "Am-241"]),
];

/// Correct top-1 results required over [`LABELS`] (a regression floor; the target is 90 %).
const FLOOR: usize = 26;

const NORM_ITEMS: &[&str] = &["CeramicPipe1820", "Fiestaware", "Pitchblende", "RadiumDial", "ThoriumSource", "Zeunerite", "K-40"];

pub fn library() -> Option<Library> {
    let p = clearway_testdata::file("radiation/nuclide_data/lines_decay_2012.min.json.gz")?;
    let mut s = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(p).ok()?).read_to_string(&mut s).ok()?;
    Some(Library::from_decay_json(&s).expect("library"))
}

#[test]
fn top1_accuracy_on_labelled_spectra() {
    let Some(dir) = clearway_testdata::file("radiation") else { return };
    let Some(lib) = library() else { return };
    let mut ok = 0;
    let mut norm_ok = true;
    let mut unlabelled_ok = true;
    for (set, list) in [("labelled", LABELS), ("unlabelled", UNLABELLED)] {
        for (rel, accepted) in list {
            let bytes = std::fs::read(dir.join(rel)).unwrap();
            let (f, _) = read_with(&bytes, &Options::default()).unwrap();
            let fg = f.primary_spectrum().unwrap();
            let bg = if rel.starts_with("radiacode") { f.background_spectrum() } else { None };
            let id = identify(fg, bg, &lib, &IdentifyOptions::default()).unwrap();
            let top = id.nuclides.first();
            let good = match top {
                None => accepted == &["-"],
                Some(n) if accepted.is_empty() || accepted == &["-"] => n.class == Class::Norm,
                Some(n) => accepted.contains(&n.nuclide.as_str()),
            };
            let is_norm_item = NORM_ITEMS.iter().any(|n| rel.contains(n));
            if is_norm_item && top.is_none_or(|n| n.class != Class::Norm) {
                norm_ok = false;
            }
            if set == "labelled" {
                ok += usize::from(good);
            } else {
                unlabelled_ok &= good;
            }
            let list: Vec<String> = id.nuclides.iter().map(|n| format!("{} {:.0}", n.nuclide, n.score)).collect();
            println!(
                "{} {set:<10} {rel:<45} -> {}   [{} peaks, FWHM scale {:.2}]",
                if good { "ok  " } else { "MISS" },
                list.join(", "),
                id.peaks.len(),
                id.resolution_scale
            );
        }
    }
    let acc = ok as f64 / LABELS.len() as f64;
    println!("top-1 accuracy over the labelled spectra: {ok}/{} = {:.1} % (target 90 %)", LABELS.len(), 100.0 * acc);
    assert!(ok >= FLOOR, "top-1 accuracy {ok}/{} below the floor {FLOOR}", LABELS.len());
    assert!(unlabelled_ok, "background or trinitite check failed");
    assert!(norm_ok, "a NORM item was not classed NORM");
}

/// `Hg-197m.csv` is recorded on an energy axis four times too steep; identification names the factor and
/// identifies on the corrected axis (134 keV and 279 keV matched where the file says 537 and 1118 keV).
#[test]
fn the_hg197m_file_has_its_gain_error_named() {
    let Some(p) = clearway_testdata::file("radiation/opengamma_db/Hg-197m.csv") else { return };
    let Some(lib) = library() else { return };
    let (f, _) = read_with(&std::fs::read(p).unwrap(), &Options::default()).unwrap();
    let id = identify(f.primary_spectrum().unwrap(), None, &lib, &IdentifyOptions::default()).unwrap();
    let d = id.diagnostics.iter().find(|d| d.location.path.as_deref() == Some("calibration")).expect("a calibration warning");
    assert!(d.message.contains("factor of 4"), "{}", d.message);
    let top = &id.nuclides[0];
    assert_eq!(top.nuclide, "Hg-197m");
    assert!(top.peaks.iter().any(|p| (p.energy_kev - 134.0).abs() < 1.0), "{:?}", top.peaks);
}
