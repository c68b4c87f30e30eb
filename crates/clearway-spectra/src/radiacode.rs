//! RadiaCode / BecqMoni `ResultDataFile` XML: an `EnergySpectrum` (foreground) and optionally a
//! `BackgroundEnergySpectrum`, each with `NumberOfChannels`, `EnergyCalibration/Coefficients/Coefficient`
//! (polynomial, lowest order first), `MeasurementTime` (s, taken as live time) and `Spectrum/DataPoint`s.

use crate::num::parse_number;
use crate::xml::{Event, Scanner, decode, split_name};
use crate::{Calibration, Diagnostic, Format, Slice, Spectrum, SpectrumFile, line_of};

/// Read RadiaCode XML bytes. Never fails: unreadable parts become diagnostics.
pub fn read(b: &[u8]) -> (SpectrumFile, Vec<Diagnostic>) {
    let mut f = SpectrumFile::new(Format::RadiaCode);
    let mut d = Vec::new();
    let mut stack: Vec<&[u8]> = Vec::new();
    let mut cur: Option<(Spectrum, Vec<f64>, Option<usize>)> = None;
    let mut start: Option<String> = None;
    let mut end_time: Option<String> = None;
    let mut title: Option<String> = None;
    let mut bad = 0usize;
    let mut bad_line = 0u64;
    for ev in Scanner::new(b) {
        match ev {
            Event::Start { name, empty, .. } => {
                let local = split_name(name).1;
                if local == b"EnergySpectrum" || local == b"BackgroundEnergySpectrum" {
                    let class = if local == b"EnergySpectrum" { "Foreground" } else { "Background" };
                    cur = Some((
                        Spectrum { class: Some(class.into()), start: start.clone(), ..Spectrum::default() },
                        Vec::new(),
                        None,
                    ));
                }
                if !empty {
                    stack.push(local);
                }
            }
            Event::End { name, .. } => {
                let local = split_name(name).1;
                if let Some(k) = stack.iter().rposition(|n| *n == local) {
                    stack.truncate(k);
                }
                if local == b"EnergySpectrum" || local == b"BackgroundEnergySpectrum" {
                    if let Some((mut s, coeffs, n)) = cur.take() {
                        if let Some(n) = n {
                            if n != s.counts.len() {
                                d.push(Diagnostic::warning(
                                    "NumberOfChannels",
                                    format!("{n} channels declared, {} data points", s.counts.len()),
                                ));
                            }
                        }
                        if !coeffs.is_empty() {
                            let c = Calibration::Polynomial { coefficients: coeffs };
                            if c.is_monotonic(s.counts.len()) {
                                s.calibration = Some(c);
                            } else {
                                d.push(Diagnostic::error("EnergyCalibration", "energy calibration is not monotonic (dropped)"));
                            }
                        }
                        if s.title.is_none() {
                            s.title = title.clone();
                        }
                        f.spectra.push(s);
                    }
                }
            }
            Event::Text { text, pos } => {
                let Some(top) = stack.last().copied() else { continue };
                let parent = stack.len().checked_sub(2).map(|i| stack[i]);
                let t = decode(text);
                if t.is_empty() {
                    continue;
                }
                match (top, cur.as_mut()) {
                    (b"DataPoint", Some((s, _, _))) => match parse_number(t.as_bytes()) {
                        Some(v) if v >= 0.0 => s.counts.push(v),
                        _ => {
                            bad += 1;
                            if bad_line == 0 {
                                bad_line = line_of(b, pos);
                            }
                            s.counts.push(0.0);
                        }
                    },
                    (b"Coefficient", Some((_, c, _))) => match parse_number(t.as_bytes()) {
                        Some(v) => c.push(v),
                        None => d.push(Diagnostic::error("Coefficient", format!("not a number: {t:?}")).at_line(line_of(b, pos), None)),
                    },
                    (b"NumberOfChannels", Some((_, _, n))) => *n = t.parse().ok(),
                    (b"MeasurementTime", Some((s, _, _))) => match parse_number(t.as_bytes()) {
                        Some(v) if v > 0.0 => {
                            s.live_time_s = Some(v);
                            s.real_time_s = Some(v);
                        }
                        _ => d.push(Diagnostic::error("MeasurementTime", format!("measurement time {t:?} is not positive (dropped)")).at_line(line_of(b, pos), None)),
                    },
                    (b"SerialNumber", Some((s, _, _))) => {
                        f.instrument.id.get_or_insert(t.clone());
                        s.detector = t;
                    }
                    (b"SpectrumName", Some((s, _, _))) => s.title = Some(t),
                    (b"StartTime", _) => start = Some(t),
                    (b"EndTime", _) => end_time = Some(t),
                    (b"Name", None) if parent == Some(b"DeviceConfigReference") => f.instrument.model = Some(t),
                    (b"Name", None) if parent == Some(b"SampleInfo") => title = Some(t),
                    _ => {}
                }
            }
            Event::Truncated { pos } => {
                d.push(Diagnostic::error("", "input ends inside a tag: truncated file").at_line(line_of(b, pos), None));
            }
        }
    }
    if let Some((s, _, _)) = cur.take() {
        d.push(Diagnostic::error("EnergySpectrum", "truncated: spectrum not closed (kept what was read)"));
        f.spectra.push(s);
    }
    if bad > 0 {
        d.push(Diagnostic::error("DataPoint", format!("{bad} data point(s) not a non-negative number (read as 0)")).at_line(bad_line, None));
    }
    if f.spectra.is_empty() {
        d.push(Diagnostic::error("", "no EnergySpectrum found"));
    }
    let _ = end_time;
    f.instrument.manufacturer = Some("RadiaCode".into());
    f.slices.push(Slice { start, ..Slice::default() });
    (f, d)
}
