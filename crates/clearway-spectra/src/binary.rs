//! Binary spectrum files: Canberra CNF and ORTEC SPC (integer format).
//!
//! CNF: a table of 48-byte section entries from offset 112 (byte 0 the section kind — 0 acquisition,
//! 1 sample, 5 channel data — bytes 1–2 `0x20 0x01`, a little-endian u32 section offset at +10). In the
//! acquisition section: u16 offsets at +34 (calibration) and +36 (times); the `PHA` block at +176 holds the
//! channel count / 256 at +10; times at +48+offset+1: start (u64, 100 ns since 1858-11-17), real and live
//! (bitwise-inverted u64, 100 ns); four PDP-11 floats (energy polynomial) at +48+32+offset+36. Channel data:
//! u32 counts from section offset + 512 (the first two channels may hold the times: zeroed then).
//!
//! SPC: 128-byte records; record 1 is u16 words: 1 `INFTYP`, 2 `FILTYP`, 18 `CALRP1` (calibration record),
//! 31 `SPCTRP` (first spectrum record), 33 `SPCCHN` (channels), f32 at words 46 (real time) and 48 (live
//! time). Counts are u32 from record `SPCTRP`; the energy polynomial is f32 numbers 6–8 of record `CALRP1`.
//!
//! Both readers check every offset against the length: a damaged file gives diagnostics, never a panic.

use crate::{Calibration, Diagnostic, Format, Slice, Spectrum, SpectrumFile};

fn u16_at(b: &[u8], i: usize) -> Option<u16> {
    b.get(i..i + 2).map(|s| u16::from_le_bytes([s[0], s[1]]))
}
fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    b.get(i..i + 4).map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}
fn u64_at(b: &[u8], i: usize) -> Option<u64> {
    b.get(i..i + 8).map(|s| u64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]]))
}
fn f32_at(b: &[u8], i: usize) -> Option<f64> {
    u32_at(b, i).map(|v| f32::from_bits(v) as f64).filter(|v| v.is_finite())
}

/// Whether the bytes look like an ORTEC SPC file (integer or real format).
pub fn looks_like_spc(b: &[u8]) -> bool {
    b.len() >= 256
        && b.len() % 128 == 0
        && matches!(u16_at(b, 0), Some(1))
        && matches!(u16_at(b, 2), Some(1 | 5))
        && u16_at(b, 60).is_some_and(|r| r >= 2)
        && u16_at(b, 64).is_some_and(|n| n > 0)
}

/// Whether the bytes look like a Canberra CNF file.
pub fn looks_like_cnf(b: &[u8]) -> bool {
    b.len() >= 0x200 && b.get(112..115).is_some_and(|s| s[1] == 0x20 && s[2] == 0x01)
}

/// A PDP-11 (VAX F) 32-bit float: bytes swapped in 16-bit halves, exponent bias 128, hidden bit.
fn pdp11(b: &[u8], i: usize) -> Option<f64> {
    let s = b.get(i..i + 4)?;
    let exp = (((s[1] & 0x7f) as i32) << 1) | ((s[0] >> 7) as i32);
    if exp == 0 {
        return Some(0.0);
    }
    let sign = if s[1] & 0x80 != 0 { -1.0 } else { 1.0 };
    let mant = (0x80 | (s[0] & 0x7f)) as f64 / 256.0 + s[3] as f64 / 65536.0 + s[2] as f64 / 16_777_216.0;
    let v = sign * mant * 2f64.powi(exp - 128);
    v.is_finite().then_some(v)
}

/// Read a Canberra CNF file.
pub fn read_cnf(b: &[u8]) -> (SpectrumFile, Vec<Diagnostic>) {
    let mut f = SpectrumFile::new(Format::Cnf);
    let mut d = Vec::new();
    let (mut acq, mut sam, mut chan, mut enc) = (None, None, None, None);
    let mut i = 112;
    while i + 48 <= b.len() && i < 128 * 1024 {
        let kind = b[i];
        if b[i + 1] == 0x20 && b[i + 2] == 0x01 {
            let off = u32_at(b, i + 10).unwrap_or(0) as usize;
            match kind {
                0 if acq.is_none() => acq = Some(off),
                0 => enc = enc.or(Some(off)),
                1 => sam = sam.or(Some(off)),
                5 => chan = chan.or(Some(off)),
                _ => {}
            }
        } else if b[i..i + 3] == [0, 0, 0] {
            break;
        }
        i += 48;
    }
    let (Some(acq), Some(chan)) = (acq, chan) else {
        d.push(Diagnostic::error("", "CNF: acquisition or channel-data section not found"));
        return (f, d);
    };
    let enc = enc.unwrap_or(acq);
    let pha = acq + 48 + 128;
    if b.get(pha..pha + 3) != Some(b"PHA") {
        d.push(Diagnostic::warning("acquisition", "CNF: PHA block not where expected"));
    }
    let n = u16_at(b, pha + 10).map_or(0, |v| v as usize * 256);
    if !(256..=65536).contains(&n) {
        d.push(Diagnostic::error("acquisition", format!("CNF: channel count {n} not understood")));
        return (f, d);
    }
    let mut s = Spectrum { class: Some("Foreground".into()), ..Spectrum::default() };
    let off_cal = u16_at(b, acq + 34).unwrap_or(0) as usize;
    let off_time = u16_at(b, acq + 36).unwrap_or(0) as usize;
    let t = acq + 48 + off_time + 1;
    let inv = |v: u64| (!v) as f64 * 1e-7;
    match (u64_at(b, t), u64_at(b, t + 8), u64_at(b, t + 16)) {
        (Some(start), Some(real), Some(live)) => {
            let (real, live) = (inv(real), inv(live));
            if real > 0.0 && real < 1e9 {
                s.real_time_s = Some(real);
            }
            if live > 0.0 && live < 1e9 && live <= real * 1.0001 {
                s.live_time_s = Some(live);
            } else {
                d.push(Diagnostic::error("acquisition", format!("CNF: live time {live} not understood (dropped)")));
            }
            // seconds since the Unix epoch
            let unix = start as f64 * 1e-7 - 3_506_716_800.0;
            if unix.is_finite() && unix > 0.0 && unix < 4.0e9 {
                s.start = Some(format!("unix:{}", unix.round() as i64));
            }
        }
        _ => d.push(Diagnostic::error("acquisition", "CNF: times beyond the end of the file")),
    }
    let cal_at = |base: usize| -> Option<Vec<f64>> {
        let c: Option<Vec<f64>> = (0..4).map(|k| pdp11(b, base + 36 + 4 * k)).collect();
        c.filter(|c| c[1] != 0.0)
    };
    let cal = cal_at(enc + 48 + 32 + off_cal).or_else(|| cal_at(enc + 48 + 32));
    let data = chan + 512;
    if data + 4 * n > b.len() {
        d.push(Diagnostic::error("channels", "CNF: channel data beyond the end of the file"));
        return (f, d);
    }
    s.counts = (0..n).map(|k| u32_at(b, data + 4 * k).unwrap_or(0) as f64).collect();
    for k in 0..2.min(n) {
        let v = s.counts[k];
        if s.real_time_s.is_some_and(|r| v == r.trunc()) || s.live_time_s.is_some_and(|l| v == l.trunc()) {
            s.counts[k] = 0.0;
        }
    }
    if let Some(c) = cal {
        let c = Calibration::Polynomial { coefficients: c };
        if c.is_monotonic(n) {
            s.calibration = Some(c);
        } else {
            d.push(Diagnostic::error("calibration", "CNF: energy calibration is not monotonic (dropped)"));
        }
    } else {
        d.push(Diagnostic::warning("calibration", "CNF: no energy calibration found"));
    }
    if let Some(sam) = sam {
        if let Some(t) = b.get(sam + 48..sam + 112) {
            let t = String::from_utf8_lossy(t).replace(['\0', '\u{1}'], " ").trim().to_string();
            if !t.is_empty() {
                s.title = Some(t);
            }
        }
    }
    f.slices.push(Slice { start: s.start.clone(), real_time_s: s.real_time_s, ..Slice::default() });
    f.spectra.push(s);
    (f, d)
}

/// Read an ORTEC SPC file (integer format).
pub fn read_spc(b: &[u8]) -> (SpectrumFile, Vec<Diagnostic>) {
    let mut f = SpectrumFile::new(Format::Spc);
    let mut d = Vec::new();
    let w = |n: usize| u16_at(b, 2 * (n - 1)).unwrap_or(0) as usize;
    if w(2) != 1 {
        d.push(Diagnostic::error("", format!("SPC: file type {} (only the integer format is read)", w(2))));
        return (f, d);
    }
    let (rec, n) = (w(31), w(33));
    let start = rec.saturating_sub(1) * 128;
    if rec == 0 || n == 0 || start + 4 * n > b.len() {
        d.push(Diagnostic::error("", format!("SPC: spectrum record {rec} with {n} channels beyond the end of the file")));
        return (f, d);
    }
    let mut s = Spectrum { class: Some("Foreground".into()), ..Spectrum::default() };
    s.counts = (0..n).map(|k| u32_at(b, start + 4 * k).unwrap_or(0) as f64).collect();
    match (f32_at(b, 90), f32_at(b, 94)) {
        (Some(real), Some(live)) if live > 0.0 && real >= live => {
            s.real_time_s = Some(real);
            s.live_time_s = Some(live);
        }
        (r, l) => d.push(Diagnostic::error("", format!("SPC: real/live time {r:?}/{l:?} not understood (dropped)"))),
    }
    let cal_rec = w(18);
    let cal = (cal_rec > 0)
        .then(|| (cal_rec - 1) * 128 + 20)
        .and_then(|o| Some(vec![f32_at(b, o)?, f32_at(b, o + 4)?, f32_at(b, o + 8)?]));
    match cal.map(|c| Calibration::Polynomial { coefficients: c }) {
        Some(c) if c.is_monotonic(n) => s.calibration = Some(c),
        Some(_) => d.push(Diagnostic::error("", "SPC: energy calibration is not monotonic (dropped)")),
        None => d.push(Diagnostic::warning("", "SPC: no energy calibration found")),
    }
    let text = |r: usize| -> Option<String> {
        let t = b.get((r.checked_sub(1)?) * 128..r * 128)?;
        let t = String::from_utf8_lossy(t).replace(['\0', '\u{1}'], " ").trim().to_string();
        (!t.is_empty()).then_some(t)
    };
    s.title = text(w(6));
    s.detector = text(w(7)).unwrap_or_default();
    f.slices.push(Slice { real_time_s: s.real_time_s, ..Slice::default() });
    f.spectra.push(s);
    (f, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdp11_floats() {
        // 1.0 = exponent 129, mantissa 0.5 → bytes 0x80 0x40 0x00 0x00
        assert_eq!(pdp11(&[0x80, 0x40, 0, 0], 0), Some(1.0));
        assert_eq!(pdp11(&[0x80, 0xC0, 0, 0], 0), Some(-1.0));
        assert_eq!(pdp11(&[0, 0, 0, 0], 0), Some(0.0));
        assert_eq!(pdp11(&[0, 0], 0), None);
    }

    #[test]
    fn garbage_is_diagnosed() {
        let mut b = vec![0u8; 1024];
        b[112 + 1] = 0x20;
        b[112 + 2] = 0x01;
        let (f, d) = read_cnf(&b);
        assert!(f.spectra.is_empty() && !d.is_empty());
        let mut b = vec![0u8; 512];
        b[0] = 1;
        b[2] = 1;
        b[60] = 200;
        b[64] = 100;
        let (f, d) = read_spc(&b);
        assert!(f.spectra.is_empty() && !d.is_empty());
    }
}
