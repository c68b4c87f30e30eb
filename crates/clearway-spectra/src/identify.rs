//! Nuclide identification: peaks → library matching.
//!
//! 1. [`analysis::prepare`]: net counts (background subtracted by live time when given) on an energy axis,
//!    a resolution model for the detector class; SNIP continuum; peak search and Gaussian fits; the
//!    resolution scale is refitted from the strongest peaks.
//! 2. Every library source's lines inside the measured range are merged into groups closer than half a
//!    FWHM, weighted by a generic relative efficiency, and matched to peaks within a tolerance that follows
//!    the resolution (wider at 511 keV, whose annihilation peak is Doppler-broadened).
//! 3. A source's activity scale `k` is the weighted least-squares fit of matched peak areas to expected
//!    yields. Its score adds the significance of each matched line, weighted by how well the observed area
//!    agrees with `k` × yield (intensity ratio), and subtracts a penalty for every line that should have been
//!    seen above the local detection limit but was not. The most visible line must be matched (key line);
//!    positron emitters thereby need their 511 keV peak.
//! 4. Greedy explanation: the best source is accepted, the areas it explains are removed from its peaks, and
//!    the rest are scored again. This resolves interferences such as U-235 185.7 keV against Ra-226
//!    186.2 keV: Ra-226 only claims the share of the 186 keV peak its Bi-214/Pb-214 lines support.

use crate::analysis::{self, AnalysisError, DetectorClass, Peak, Prepared};
use crate::library::{Class, Library, Source};
use crate::{Diagnostic, Spectrum};
use serde::{Deserialize, Serialize};

/// Identification options.
#[derive(Debug, Clone)]
pub struct IdentifyOptions {
    /// Most nuclides to report.
    pub max_nuclides: usize,
    /// Least peak significance (sigma) for the peak search.
    pub min_significance: f64,
    /// Least score for a source to be reported.
    pub min_score: f64,
    /// Detector class; guessed from the spectrum when `None`.
    pub detector: Option<DetectorClass>,
}

impl Default for IdentifyOptions {
    fn default() -> Self {
        IdentifyOptions { max_nuclides: 6, min_significance: 3.5, min_score: 6.0, detector: None }
    }
}

/// A library line matched to a peak.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchedPeak {
    /// Library line energy (keV; intensity-weighted for merged lines).
    pub line_kev: f64,
    /// Fitted peak centroid (keV).
    pub energy_kev: f64,
    /// Peak net area.
    pub area: f64,
    /// Peak significance (sigma).
    pub significance: f64,
}

/// One identified nuclide (source).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Nuclide {
    pub nuclide: String,
    pub class: Class,
    /// 0..1.
    pub confidence: f64,
    /// The matching score (explained significance minus penalties).
    pub score: f64,
    pub peaks: Vec<MatchedPeak>,
}

/// Result of [`identify`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identification {
    /// Best first.
    pub nuclides: Vec<Nuclide>,
    /// Every peak found.
    pub peaks: Vec<Peak>,
    pub detector: DetectorClass,
    /// Fitted FWHM scale relative to the detector class's model.
    pub resolution_scale: f64,
    pub diagnostics: Vec<Diagnostic>,
}

/// Relative full-energy efficiency, a generic shape per detector class.
fn efficiency(e: f64, class: DetectorClass) -> f64 {
    let (knee, low, slope) = match class {
        DetectorClass::Hpge => (120.0, 38.0, 0.85),
        DetectorClass::MediumResolution => (120.0, 30.0, 1.0),
        DetectorClass::Scintillator => (100.0, 28.0, 1.1),
    };
    let high = if e > knee { (e / knee).powf(-slope) } else { 1.0 };
    let lo = 1.0 - (-(e / low).powi(3)).exp();
    (high * lo).max(1e-6)
}

struct Group {
    energy: f64,
    yield_: f64,
    annihilation: bool,
}

struct Cand<'a> {
    src: &'a Source,
    groups: Vec<Group>,
}

fn groups_for(src: &Source, p: &Prepared, min_e: f64) -> Vec<Group> {
    let (lo, hi) = p.range();
    let lo = lo.max(min_e);
    let mut ls: Vec<(f64, f64, bool)> = src
        .lines
        .iter()
        .filter(|l| l.energy_kev >= lo && l.energy_kev <= hi - p.resolution.fwhm(hi))
        .map(|l| (l.energy_kev, l.intensity * efficiency(l.energy_kev, p.class), (l.energy_kev - 511.0).abs() < 0.6))
        .collect();
    ls.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<Group> = Vec::new();
    for (e, y, ann) in ls {
        if let Some(g) = out.last_mut() {
            if e - g.energy < 0.5 * p.resolution.fwhm(e) {
                let t = g.yield_ + y;
                g.energy = (g.energy * g.yield_ + e * y) / t.max(1e-300);
                g.yield_ = t;
                g.annihilation |= ann;
                continue;
            }
        }
        out.push(Group { energy: e, yield_: y, annihilation: ann });
    }
    let max = out.iter().map(|g| g.yield_).fold(0.0, f64::max);
    out.retain(|g| g.yield_ >= 0.02 * max);
    out
}

struct Residual {
    area: Vec<f64>,
}

struct Scored {
    score: f64,
    k: f64,
    matches: Vec<(usize, usize)>, // (group, peak)
}

fn tolerance(p: &Prepared, e: f64, annihilation: bool) -> f64 {
    let f = p.resolution.fwhm(e);
    let t = match p.class {
        DetectorClass::Hpge => (0.45 * f).max(0.5) + 0.0008 * e,
        DetectorClass::MediumResolution => 0.4 * f + 0.005 * e,
        DetectorClass::Scintillator => 0.35 * f + 0.015 * e,
    };
    if annihilation { t * 1.8 } else { t }
}

/// Local detection limit (counts) at energy `e`: 3 sigma of the counts within ±0.6 FWHM.
fn detection_limit(p: &Prepared, sv: &[f64], e: f64) -> f64 {
    let c = p.channel(e);
    let i = (c.floor() as usize).min(p.len().saturating_sub(1));
    let h = ((0.6 * p.fwhm_channels(i)).round() as usize).max(1);
    let lo = i.saturating_sub(h);
    let hi = (i + h + 1).min(p.len());
    3.0 * (sv[hi] - sv[lo]).max(1.0).sqrt() + 3.0
}

fn score(c: &Cand, p: &Prepared, peaks: &[Peak], res: &Residual, sv: &[f64]) -> Option<Scored> {
    if c.groups.is_empty() {
        return None;
    }
    let mut matches: Vec<(usize, usize)> = Vec::new();
    for (gi, g) in c.groups.iter().enumerate() {
        let tol = tolerance(p, g.energy, g.annihilation);
        let k = peaks.partition_point(|pk| pk.energy_kev < g.energy - tol);
        let mut best: Option<(usize, f64)> = None;
        for (pi, pk) in peaks.iter().enumerate().skip(k) {
            if pk.energy_kev > g.energy + tol {
                break;
            }
            if res.area[pi] <= 0.0 {
                continue;
            }
            let d = (pk.energy_kev - g.energy).abs();
            if best.is_none_or(|b| d < b.1) {
                best = Some((pi, d));
            }
        }
        if let Some((pi, _)) = best {
            if !matches.iter().any(|m| m.1 == pi) {
                matches.push((gi, pi));
            }
        }
    }
    if matches.is_empty() {
        return None;
    }
    // activity scale by weighted least squares
    let (mut num, mut den) = (0.0, 0.0);
    for &(gi, pi) in &matches {
        let y = c.groups[gi].yield_;
        let s2 = peaks[pi].area_sigma.max(1.0).powi(2);
        num += res.area[pi] * y / s2;
        den += y * y / s2;
    }
    if !(den > 0.0) {
        return None;
    }
    let k = num / den;
    if !(k > 0.0) || !k.is_finite() {
        return None;
    }
    // key line: the most visible group must be matched
    let vis = |g: &Group| g.yield_ / detection_limit(p, sv, g.energy);
    let key = (0..c.groups.len()).max_by(|a, b| vis(&c.groups[*a]).total_cmp(&vis(&c.groups[*b])))?;
    if !matches.iter().any(|m| m.0 == key) {
        return None;
    }
    let mut s = 0.0;
    let mut matched_any_non511 = false;
    for &(gi, pi) in &matches {
        let g = &c.groups[gi];
        let expected = k * g.yield_;
        let obs = res.area[pi];
        let sig = obs / peaks[pi].area_sigma.max(1.0);
        let r = (obs / expected.max(1e-9)).max(1e-6);
        let q = (-(r.ln().powi(2)) / (2.0 * 1.1f64.powi(2))).exp();
        // a 511 keV peak is weak evidence unless the source is a positron emitter
        let w = if g.annihilation && g.yield_ < 0.3 * c.groups.iter().map(|g| g.yield_).fold(0.0, f64::max) { 0.3 } else { 1.0 };
        if !g.annihilation {
            matched_any_non511 = true;
        }
        s += sig.min(40.0).sqrt() * 2.0 * (0.25 + 0.75 * q) * w;
    }
    let _ = matched_any_non511;
    let mut penalty = 0.0;
    for (gi, g) in c.groups.iter().enumerate() {
        if matches.iter().any(|m| m.0 == gi) {
            continue;
        }
        let m = k * g.yield_ / detection_limit(p, sv, g.energy);
        if m > 1.5 {
            penalty += (m - 1.5).min(6.0) * 1.5;
        }
    }
    Some(Scored { score: s - penalty, k, matches })
}

/// Identify the nuclides in `fg` (after subtracting `bg` scaled by live time, when given).
pub fn identify(fg: &Spectrum, bg: Option<&Spectrum>, lib: &Library, opts: &IdentifyOptions) -> Result<Identification, AnalysisError> {
    let mut p = analysis::prepare(fg, bg, opts.detector)?;
    let mut diagnostics = Vec::new();
    let mut cont = analysis::continuum(&p);
    let mut peaks = analysis::find_peaks(&p, &cont, opts.min_significance);
    let before = p.resolution.scale;
    let after = analysis::calibrate_resolution(&mut p, &peaks);
    if (after / before - 1.0).abs() > 0.2 {
        cont = analysis::continuum(&p);
        peaks = analysis::find_peaks(&p, &cont, opts.min_significance);
    }
    if peaks.is_empty() {
        diagnostics.push(Diagnostic::warning("", "no peaks found"));
    }
    let mut sv = vec![0.0; p.len() + 1];
    for i in 0..p.len() {
        sv[i + 1] = sv[i] + p.variance[i] + 0.05 * cont[i].max(0.0);
    }
    let min_e = match p.class {
        DetectorClass::Hpge => 20.0,
        _ => 30.0,
    };
    let cands: Vec<Cand> = lib.sources.iter().map(|s| Cand { src: s, groups: groups_for(s, &p, min_e) }).collect();
    let mut res = Residual { area: peaks.iter().map(|k| k.area.max(0.0)).collect() };
    let mut taken = vec![false; cands.len()];
    let mut out = Vec::new();
    while out.len() < opts.max_nuclides {
        let mut best: Option<(usize, Scored)> = None;
        for (ci, c) in cands.iter().enumerate() {
            if taken[ci] {
                continue;
            }
            if let Some(s) = score(c, &p, &peaks, &res, &sv) {
                if best.as_ref().is_none_or(|b| s.score > b.1.score) {
                    best = Some((ci, s));
                }
            }
        }
        let Some((ci, s)) = best else { break };
        if !(s.score >= opts.min_score) {
            break;
        }
        taken[ci] = true;
        let c = &cands[ci];
        let mut mp = Vec::new();
        for &(gi, pi) in &s.matches {
            let g = &c.groups[gi];
            let pk = &peaks[pi];
            mp.push(MatchedPeak {
                line_kev: round3(g.energy),
                energy_kev: round3(pk.energy_kev),
                area: round3(pk.area),
                significance: round3(pk.significance),
            });
            let explained = (s.k * g.yield_).min(res.area[pi]);
            res.area[pi] -= explained;
        }
        mp.sort_by(|a, b| b.significance.total_cmp(&a.significance));
        let confidence = (1.0 - (-s.score / 20.0).exp()).clamp(0.0, 0.99);
        out.push(Nuclide { nuclide: c.src.name.clone(), class: c.src.class, confidence: round3(confidence), score: round3(s.score), peaks: mp });
    }
    Ok(Identification { nuclides: out, peaks, detector: p.class, resolution_scale: p.resolution.scale, diagnostics })
}

fn round3(x: f64) -> f64 {
    if x.is_finite() { (x * 1000.0).round() / 1000.0 } else { 0.0 }
}
