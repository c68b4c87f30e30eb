//! IAEA / ORTEC SPE text reader.
//!
//! Sections start with `$NAME:` on a line of their own. Read: `$SPEC_ID` (title), `$SPEC_REM` (remarks;
//! `DETDESC#` gives the detector), `$DATE_MEA` (start, `mm/dd/yyyy hh:mm:ss`), `$MEAS_TIM` (live real, s),
//! `$DATA` (first and last channel, then the counts, one or more per line), `$ENER_FIT` (offset, slope),
//! `$MCA_CAL` (optional coefficient count line, then coefficients and an optional unit). `$MCA_CAL` wins
//! over `$ENER_FIT`; a calibration that is not monotonic (all zeros, negative slope) is dropped with an
//! error diagnostic. Other sections are skipped.

use crate::num::{parse_counts, parse_list};
use crate::{Calibration, Diagnostic, Format, Slice, Spectrum, SpectrumFile};

/// Read SPE bytes. Never fails: unreadable parts become diagnostics.
pub fn read(b: &[u8]) -> (SpectrumFile, Vec<Diagnostic>) {
    let mut f = SpectrumFile::new(Format::Spe);
    let mut d = Vec::new();
    let mut s = Spectrum::default();
    let text = String::from_utf8_lossy(b);
    if text.contains("\r\n") {
        d.push(Diagnostic::warning("", "CRLF line endings (accepted)").at_line(1, None));
    }
    // split into sections (name, first line number, body lines)
    let mut sections: Vec<(String, u64, Vec<&str>)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim_end_matches('\r');
        if let Some(name) = l.trim().strip_prefix('$') {
            sections.push((name.trim_end_matches(':').trim().to_ascii_uppercase(), i as u64 + 1, Vec::new()));
        } else if let Some(sec) = sections.last_mut() {
            sec.2.push(l);
        } else if !l.trim().is_empty() {
            d.push(Diagnostic::warning("", "text before the first $SECTION ignored").at_line(i as u64 + 1, None));
        }
    }
    let mut ener_fit: Option<Vec<f64>> = None;
    let mut mca_cal: Option<Vec<f64>> = None;
    let mut have_data = false;
    for (name, line, body) in &sections {
        let path = format!("${name}");
        match name.as_str() {
            "SPEC_ID" => {
                let t = body.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
                if !t.is_empty() {
                    s.title = Some(t);
                }
            }
            "SPEC_REM" => {
                for l in body {
                    let l = l.trim();
                    if let Some(v) = l.strip_prefix("DETDESC#") {
                        s.detector = v.trim().to_string();
                    } else if !l.is_empty() {
                        f.remarks.push(l.to_string());
                    }
                }
            }
            "DATE_MEA" => {
                if let Some(l) = body.iter().map(|l| l.trim()).find(|l| !l.is_empty()) {
                    s.start = Some(l.to_string());
                }
            }
            "MEAS_TIM" => {
                let (v, _) = parse_list(body.iter().copied().find(|l| !l.trim().is_empty()).unwrap_or(""));
                match v.as_slice() {
                    [live, real, ..] | [live @ real] => {
                        if *live > 0.0 {
                            s.live_time_s = Some(*live);
                        } else {
                            d.push(Diagnostic::error(&path, format!("live time {live} is not positive (dropped)")).at_line(*line + 1, None));
                        }
                        if *real > 0.0 {
                            s.real_time_s = Some(*real);
                        }
                    }
                    _ => d.push(Diagnostic::error(&path, "expected `live real` seconds").at_line(*line + 1, None)),
                }
            }
            "DATA" => {
                have_data = true;
                let mut it = body.iter().enumerate().skip_while(|(_, l)| l.trim().is_empty());
                let Some((_, range)) = it.next() else {
                    d.push(Diagnostic::error(&path, "no channel range").at_line(*line, None));
                    continue;
                };
                let (r, _) = parse_list(range);
                let expected = match r.as_slice() {
                    [a, b] if *b >= *a && *b - *a < crate::num::MAX_CHANNELS as f64 => Some((*b - *a) as usize + 1),
                    _ => {
                        d.push(Diagnostic::warning(&path, format!("channel range {:?} not understood", range.trim())).at_line(*line + 1, None));
                        None
                    }
                };
                let mut counts = Vec::with_capacity(expected.unwrap_or(1024));
                for (k, l) in it {
                    let issues = parse_counts(l.as_bytes(), false, &mut counts);
                    let ln = *line + 1 + k as u64;
                    if issues.bad_tokens > 0 {
                        d.push(Diagnostic::error(&path, format!("not a count: {:?} (skipped)", issues.first_bad.unwrap_or_default())).at_line(ln, None));
                    }
                    if issues.negatives > 0 {
                        d.push(Diagnostic::error(&path, "negative count (set to 0)").at_line(ln, None));
                    }
                }
                for c in counts.iter_mut() {
                    if *c < 0.0 {
                        *c = 0.0;
                    }
                }
                if let Some(n) = expected {
                    if counts.len() != n {
                        d.push(Diagnostic::warning(&path, format!("{} counts for a range of {n} channels", counts.len())).at_line(*line + 1, None));
                        if counts.len() < n && !counts.is_empty() {
                            counts.resize(n, 0.0);
                        }
                    }
                }
                s.counts = counts;
            }
            "ENER_FIT" => {
                let (v, _) = parse_list(body.iter().copied().find(|l| !l.trim().is_empty()).unwrap_or(""));
                ener_fit = Some(v);
            }
            "MCA_CAL" => {
                let lines: Vec<&str> = body.iter().copied().filter(|l| !l.trim().is_empty()).collect();
                let coeff_line = match lines.as_slice() {
                    [n, c, ..] if n.trim().parse::<usize>().is_ok() => *c,
                    [c, ..] => *c,
                    [] => "",
                };
                let (v, _) = parse_list(coeff_line);
                mca_cal = Some(v);
            }
            _ => {}
        }
    }
    if !have_data {
        d.push(Diagnostic::error("$DATA", "no $DATA section: no spectrum"));
    }
    let cal = mca_cal.filter(|v| !v.is_empty()).or(ener_fit);
    if let Some(c) = cal {
        let cal = Calibration::Polynomial { coefficients: c };
        if cal.is_monotonic(s.counts.len()) {
            s.calibration = Some(cal);
        } else {
            d.push(Diagnostic::error("$MCA_CAL", "energy calibration is not monotonic over the channels (dropped)"));
        }
    }
    s.class = Some("Foreground".into());
    f.slices.push(Slice { start: s.start.clone(), real_time_s: s.real_time_s, ..Slice::default() });
    if have_data {
        f.spectra.push(s);
    }
    (f, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_spe() {
        let t = "$SPEC_ID:\r\nTest\r\n$MEAS_TIM:\r\n10 12\r\n$DATA:\r\n0 3\r\n1 2\r\n3\r\n4\r\n$MCA_CAL:\r\n3\r\n1 2 0 keV\r\n";
        let (f, d) = read(t.as_bytes());
        assert_eq!(d.len(), 1, "{d:?}"); // CRLF
        let s = &f.spectra[0];
        assert_eq!(s.counts, vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!(s.live_time_s, Some(10.0));
        assert_eq!(s.calibration, Some(Calibration::Polynomial { coefficients: vec![1.0, 2.0, 0.0] }));
    }

    #[test]
    fn bad_spe_values() {
        let t = "$MEAS_TIM:\n0 0\n$DATA:\n0 2\n1\n-2\nx\n$ENER_FIT:\n0 0\n";
        let (f, d) = read(t.as_bytes());
        let s = &f.spectra[0];
        assert_eq!(s.counts, vec![1.0, 0.0, 0.0]);
        assert!(s.live_time_s.is_none() && s.calibration.is_none());
        assert!(d.iter().any(|x| x.message.contains("not monotonic")));
        assert!(d.iter().any(|x| x.message.contains("negative")));
        assert!(d.iter().any(|x| x.message.contains("not a count")));
        assert!(d.iter().any(|x| x.message.contains("not positive")));
    }
}
