#![no_main]
use libfuzzer_sys::fuzz_target;

// IAEA SPE reader (and format detection over the same bytes): no panic, no NaN.
fuzz_target!(|data: &[u8]| {
    let (f, _) = clearway_spectra::spe::read(data);
    for s in &f.spectra {
        assert!(s.counts.iter().all(|c| c.is_finite() && *c >= 0.0));
        if let Some(c) = &s.calibration {
            assert!(c.is_monotonic(s.counts.len()));
        }
    }
    let _ = clearway_spectra::read(data);
});
