#![no_main]
use libfuzzer_sys::fuzz_target;

// N42 (2006/2012) reader and the analysis on whatever it returns: no panic, no NaN.
fuzz_target!(|data: &[u8]| {
    let (f, _) = clearway_spectra::n42::read(data);
    for s in f.spectra.iter().take(4) {
        assert!(s.counts.iter().all(|c| c.is_finite()));
        assert!(s.live_time_s.is_none_or(|t| t.is_finite() && t > 0.0));
        if let Ok(p) = clearway_spectra::analysis::prepare(s, None, None) {
            let c = clearway_spectra::analysis::continuum(&p);
            for pk in clearway_spectra::analysis::find_peaks(&p, &c, 3.5) {
                assert!(pk.energy_kev.is_finite() && pk.area.is_finite() && pk.significance.is_finite());
            }
        }
    }
    let _ = f.gross_gamma();
});
