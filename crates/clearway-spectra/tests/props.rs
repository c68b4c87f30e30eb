//! Property tests: the readers never panic and never return a non-finite count; `CountedZeroes` and SPE
//! round-trip; identification on arbitrary calibrated spectra gives finite confidences.

use clearway_spectra::{Calibration, Spectrum, read};
use proptest::prelude::*;

fn counted_zeroes(v: &[u32]) -> String {
    let mut out = Vec::new();
    let mut i = 0;
    while i < v.len() {
        if v[i] == 0 {
            let mut k = i;
            while k < v.len() && v[k] == 0 {
                k += 1;
            }
            out.push("0".to_string());
            out.push((k - i).to_string());
            i = k;
        } else {
            out.push(v[i].to_string());
            i += 1;
        }
    }
    out.join(" ")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_bytes_never_panic(b in proptest::collection::vec(any::<u8>(), 0..2000)) {
        if let Ok((f, _)) = read(&b) {
            for s in &f.spectra {
                prop_assert!(s.counts.iter().all(|c| c.is_finite()));
            }
        }
    }

    #[test]
    fn n42_counted_zeroes_round_trip(v in proptest::collection::vec(prop_oneof![Just(0u32), 0u32..50], 1..400), crlf in any::<bool>()) {
        let body = counted_zeroes(&v);
        let nl = if crlf { "\r\n" } else { "\n" };
        let x = format!("<?xml version=\"1.0\"?>{nl}<RadInstrumentData xmlns=\"http://physics.nist.gov/N42/2011/N42\">{nl}<RadMeasurement id=\"m\"><RealTimeDuration>PT1S</RealTimeDuration>{nl}<Spectrum id=\"s\" radDetectorInformationReference=\"d\"><LiveTimeDuration>PT0.5S</LiveTimeDuration><ChannelData compressionCode=\"CountedZeroes\">{body}</ChannelData></Spectrum></RadMeasurement></RadInstrumentData>");
        let (f, _) = read(x.as_bytes()).unwrap();
        let got: Vec<u32> = f.spectra[0].counts.iter().map(|c| *c as u32).collect();
        prop_assert_eq!(got, v);
        prop_assert_eq!(f.spectra[0].live_time_s, Some(0.5));
    }

    #[test]
    fn truncated_n42_never_panics(cut in 0usize..600) {
        let x = "<?xml version=\"1.0\"?><N42InstrumentData xmlns=\"http://physics.nist.gov/Divisions/Div846/Gp4/ANSIN4242/2005/ANSIN4242\"><Measurement><DetectorData><Spectrum Detector=\"A1\"><LiveTime>PT1S</LiveTime><Calibration Type=\"Energy\"><Equation><Coefficients>0 1</Coefficients></Equation></Calibration><ChannelData Compression=\"CountedZeroes\">1 2 0 5 3</ChannelData></Spectrum></DetectorData></Measurement></N42InstrumentData>";
        let cut = cut.min(x.len());
        if let Ok((f, _)) = read(&x.as_bytes()[..cut]) {
            for s in &f.spectra {
                prop_assert!(s.counts.iter().all(|c| c.is_finite() && *c >= 0.0));
            }
        }
    }

    #[test]
    fn spe_round_trip(v in proptest::collection::vec(0u32..100000, 16..300), live in 1u32..10000) {
        let mut t = format!("$SPEC_ID:\nx\n$MEAS_TIM:\n{live} {}\n$DATA:\n0 {}\n", live + 1, v.len() - 1);
        for c in &v {
            t.push_str(&format!("{c:8}\n"));
        }
        t.push_str("$MCA_CAL:\n3\n0.5 0.25 0\n");
        let (f, d) = read(t.as_bytes()).unwrap();
        prop_assert!(d.is_empty(), "{:?}", d);
        let s = &f.spectra[0];
        prop_assert_eq!(s.counts.iter().map(|c| *c as u32).collect::<Vec<_>>(), v);
        prop_assert_eq!(s.live_time_s, Some(live as f64));
        prop_assert!(s.calibration.is_some());
    }

    #[test]
    fn analysis_is_finite(v in proptest::collection::vec(0f64..1e6, 64..600), slope in 0.05f64..5.0) {
        let s = Spectrum { counts: v, calibration: Some(Calibration::Polynomial { coefficients: vec![1.0, slope] }), live_time_s: Some(10.0), ..Spectrum::default() };
        let lib = clearway_spectra::library::Library::builtin();
        let id = clearway_spectra::identify::identify(&s, Some(&s), &lib, &Default::default()).unwrap();
        for n in &id.nuclides {
            prop_assert!(n.confidence.is_finite() && n.score.is_finite());
        }
        for p in &id.peaks {
            prop_assert!(p.energy_kev.is_finite() && p.area.is_finite() && p.significance.is_finite());
        }
    }
}
