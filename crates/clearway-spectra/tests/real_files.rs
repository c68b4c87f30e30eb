//! Every spectrum file in the shared radiation data parses; N42 files match `n42/EXPECTED_PARSE_SUMMARY.json`.

use clearway_spectra::{Format, Severity, read, read_with, Options};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

#[test]
fn n42_files_match_the_expected_summary() {
    let Some(dir) = clearway_testdata::file("radiation/n42") else { return };
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("EXPECTED_PARSE_SUMMARY.json")).unwrap()).unwrap();
    for (name, exp) in summary.as_object().unwrap() {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let (f, diags) = read(&bytes).unwrap();
        let errors: Vec<_> = diags.iter().filter(|d| d.severity == Severity::Error).collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
        let fmt = exp["format"].as_str().unwrap();
        assert_eq!(f.format, if fmt.starts_with("N42-2006") { Format::N42_2006 } else { Format::N42_2012 }, "{name}");
        assert_eq!(f.spectra.len() as u64, exp["n_spectra"].as_u64().unwrap(), "{name}");
        let chans: Vec<u64> = exp["channels"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
        for s in &f.spectra {
            assert!(chans.contains(&(s.channels() as u64)), "{name}: {} channels", s.channels());
            assert!(s.calibration.is_some(), "{name}: calibration");
        }
        let dets: Vec<String> = exp["detectors"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
        assert_eq!(f.detectors(), dets, "{name}");
        assert!(close(f.sum_live_time_s(), exp["sum_live_time_s"].as_f64().unwrap(), 1e-6), "{name}: live {}", f.sum_live_time_s());
        assert_eq!(f.total_counts(), exp["total_counts_all_spectra"].as_f64().unwrap(), "{name}");
        let first = &exp["first_spectrum"];
        let s = &f.spectra[0];
        assert_eq!(s.detector, first["det"].as_str().unwrap());
        assert_eq!(s.channels() as u64, first["nchan"].as_u64().unwrap());
        assert!(close(s.live_time_s.unwrap(), first["live"].as_f64().unwrap(), 1e-9));
        assert!(close(s.real_time_s.unwrap(), first["real"].as_f64().unwrap(), 1e-9));
        assert_eq!(s.total(), first["total"].as_f64().unwrap());
        if let Some(sample) = first.get("sample") {
            assert_eq!(s.sample.as_deref(), sample.as_str());
        }
        if let Some(cls) = first.get("cls") {
            assert_eq!(s.class.as_deref(), cls.as_str());
        }
    }
}

#[test]
fn passthrough_has_occupancy_facts_and_crlf_warning() {
    let Some(p) = clearway_testdata::file("radiation/n42/interspec_passthrough.n42") else { return };
    let (f, d) = read(&std::fs::read(p).unwrap()).unwrap();
    assert!(d.iter().any(|d| d.message.contains("CRLF")));
    assert_eq!(f.slices.len(), 133);
    assert!(f.slices.iter().all(|s| s.occupied == Some(true) && s.real_time_s == Some(0.25)));
    let sp = f.slices[0].speed.as_ref().unwrap();
    assert_eq!((sp.value, sp.unit.as_str()), (2.4, "mph"));
    assert_eq!(f.instrument.lane, Some(1));
    assert_eq!(f.instrument.detector_status.len(), 8);
    assert_eq!(f.item_distance_m, Some(2.5));
    let g = f.gross_gamma();
    assert_eq!(g.len(), 1064);
    assert_eq!(g.iter().map(|g| g.counts).sum::<f64>(), 600266.0);
}

#[test]
fn undeclared_prefix_is_a_warning() {
    let Some(p) = clearway_testdata::file("radiation/n42/specutils_Mn56_DetX_Shielded.n42") else { return };
    let (_, d) = read(&std::fs::read(p).unwrap()).unwrap();
    assert!(d.iter().any(|d| d.severity == Severity::Warning && d.message.contains("undeclared namespace prefix \"DHS\"")), "{d:?}");
}

#[test]
fn every_spectrum_file_parses() {
    let Some(dir) = clearway_testdata::file("radiation") else { return };
    let mut n = 0;
    for sub in ["n42", "spectra_becquerel", "radiacode", "opengamma_db"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if name.ends_with(".json") || name.ends_with(".md") || name == "INDEX.csv" {
                continue;
            }
            let bytes = std::fs::read(&p).unwrap();
            let opts = Options { file_name: Some(name.clone()), ..Options::default() };
            let (f, d) = read_with(&bytes, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(!f.spectra.is_empty(), "{name}: no spectrum; {d:?}");
            let s = f.primary_spectrum().unwrap();
            assert!(s.channels() >= 512, "{name}: {} channels", s.channels());
            assert!(s.total() > 0.0, "{name}");
            assert!(s.counts.iter().all(|c| c.is_finite()));
            if name != "digibase_5min_30_1.spe" && !name.starts_with("SGM") && !name.starts_with("nai_") && !name.starts_with("sim_") {
                assert!(s.calibration.is_some(), "{name}: no calibration; {d:?}");
            }
            n += 1;
        }
    }
    assert!(n >= 40, "{n} files");
}

#[test]
fn invalid_spe_calibration_is_an_error_diagnostic() {
    let Some(p) = clearway_testdata::file("radiation/spectra_becquerel/digibase_5min_30_1.spe") else { return };
    let (f, d) = read(&std::fs::read(p).unwrap()).unwrap();
    assert!(f.spectra[0].calibration.is_none());
    assert!(d.iter().any(|d| d.severity == Severity::Error && d.message.contains("not monotonic")));
    assert_eq!(f.spectra[0].channels(), 1024);
    assert_eq!(f.spectra[0].live_time_s, Some(296.0));
}

#[test]
fn radiacode_xml_has_foreground_and_background() {
    let Some(p) = clearway_testdata::file("radiation/radiacode/data_th232_plus_background.xml") else { return };
    let (f, d) = read(&std::fs::read(p).unwrap()).unwrap();
    assert_eq!(f.format, Format::RadiaCode);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(f.spectra.len(), 2);
    assert_eq!(f.spectra[0].channels(), 1024);
    assert!(f.background_spectrum().is_some());
    assert_eq!(f.primary, Some(0));
}

#[test]
fn binary_cnf_and_spc_are_read() {
    let Some(dir) = clearway_testdata::file("radiation/spectra_becquerel") else { return };
    let (f, d) = read(&std::fs::read(dir.join("Alcatraz14.Spc")).unwrap()).unwrap();
    assert_eq!(f.format, Format::Spc);
    assert!(d.is_empty(), "{d:?}");
    let s = &f.spectra[0];
    assert_eq!(s.channels(), 8192);
    assert_eq!((s.live_time_s, s.real_time_s.map(|r| (r * 100.0).round() / 100.0)), (Some(900.0), Some(905.42)));
    let e = s.calibration.as_ref().unwrap().energy(8192.0);
    assert!(e > 3000.0 && e < 3200.0, "{e}");
    let cnf = dir.join("01122014152731-GT01122014182338-GA37.4963000N-GO122.4633000W.cnf");
    let (f, d) = read(&std::fs::read(cnf).unwrap()).unwrap();
    assert_eq!(f.format, Format::Cnf);
    assert!(d.iter().all(|d| d.severity != Severity::Error), "{d:?}");
    let s = &f.spectra[0];
    assert!(s.channels() >= 1024 && s.total() > 0.0);
    assert!(s.live_time_s.is_some() && s.calibration.is_some());
}
