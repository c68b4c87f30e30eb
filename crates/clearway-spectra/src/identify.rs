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
    /// Local detection limit (counts) at this energy.
    dl: f64,
}

struct Cand<'a> {
    src: &'a Source,
    groups: Vec<Group>,
    /// Group indices, most visible (yield over detection limit) first.
    order: Vec<usize>,
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
        out.push(Group { energy: e, yield_: y, annihilation: ann, dl: 0.0 });
    }
    // Weak lines are dropped relative to the strongest characteristic line: the 511 keV annihilation
    // line is shared by every positron emitter, so it does not set the scale when the source has other
    // lines (Ga-68's 1077 keV line is 1 % of its 511 keV yield but is what tells it from F-18).
    let max_char = out.iter().filter(|g| !g.annihilation).map(|g| g.yield_).fold(0.0, f64::max);
    let max = if max_char > 0.0 { max_char } else { out.iter().map(|g| g.yield_).fold(0.0, f64::max) };
    out.retain(|g| g.annihilation || g.yield_ >= 0.02 * max);
    out
}

struct Residual {
    area: Vec<f64>,
}

struct Scored {
    score: f64,
    rank: f64,
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

fn match_groups(c: &Cand, p: &Prepared, peaks: &[Peak], res: &Residual, gain: f64, extra: f64) -> Vec<(usize, usize)> {
    let mut matches: Vec<(usize, usize)> = Vec::new();
    for (gi, g) in c.groups.iter().enumerate() {
        let e = g.energy * gain;
        let tol = tolerance(p, g.energy, g.annihilation) + extra * g.energy;
        let k = peaks.partition_point(|pk| pk.energy_kev < e - tol);
        let mut best: Option<(usize, f64)> = None;
        for (pi, pk) in peaks.iter().enumerate().skip(k) {
            if pk.energy_kev > e + tol {
                break;
            }
            if res.area[pi] <= 0.0 {
                continue;
            }
            let d = (pk.energy_kev - e).abs();
            if best.is_none_or(|b| d < b.1) {
                best = Some((pi, d));
            }
        }
        if let Some((pi, _)) = best {
            if let Some(m) = matches.iter_mut().find(|m| m.1 == pi) {
                // one peak, one line group: keep the stronger group
                if c.groups[m.0].yield_ < g.yield_ {
                    m.0 = gi;
                }
            } else {
                matches.push((gi, pi));
            }
        }
    }
    matches
}

fn score(c: &Cand, p: &Prepared, peaks: &[Peak], res: &Residual, sv: &[f64]) -> Option<Scored> {
    if c.groups.is_empty() {
        return None;
    }
    // energy-scale drift: try the gains that put the most visible lines on their nearest peaks
    let max_drift = match p.class {
        DetectorClass::Hpge => 0.006,
        DetectorClass::MediumResolution => 0.015,
        DetectorClass::Scintillator => 0.0,
    };
    let order = &c.order;
    let mut gains = vec![1.0];
    if max_drift > 0.0 {
        let wide = match_groups(c, p, peaks, res, 1.0, max_drift);
        for gi in order.iter().take(3) {
            if let Some(m) = wide.iter().find(|m| m.0 == *gi) {
                let g = peaks[m.1].energy_kev / c.groups[*gi].energy;
                if (g - 1.0).abs() <= max_drift && c.groups[*gi].energy > 100.0 {
                    gains.push(g);
                }
            }
        }
    }
    let mut matches = Vec::new();
    let mut best_w = -1.0;
    for g in gains {
        let m = match_groups(c, p, peaks, res, g, 0.0);
        let w: f64 = m.iter().map(|(_, pi)| (res.area[*pi] / peaks[*pi].area_sigma.max(1.0)).max(0.0).min(40.0).sqrt()).sum();
        if w > best_w + 1e-9 {
            best_w = w;
            matches = m;
        }
    }
    if matches.is_empty() {
        return None;
    }
    // activity scale: weighted mean of log(observed / yield); low-energy lines (uncertain efficiency) count less
    let (mut num, mut den) = (0.0, 0.0);
    for &(gi, pi) in &matches {
        let g = &c.groups[gi];
        let sig = (res.area[pi] / peaks[pi].area_sigma.max(1.0)).clamp(0.0, 50.0);
        let w = sig * if g.energy < 120.0 { 0.3 } else { 1.0 };
        num += w * (res.area[pi].max(1e-9) / g.yield_).ln();
        den += w;
    }
    if !(den > 0.0) {
        return None;
    }
    let k = (num / den).exp();
    if !(k > 0.0) || !k.is_finite() {
        return None;
    }
    // key line: the most visible group must be matched
    let key = *order.first()?;
    let _ = sv;
    let key2 = order.get(1).copied().unwrap_or(key);
    if !matches.iter().any(|m| m.0 == key || m.0 == key2) {
        return None;
    }
    let ymax = c.groups.iter().map(|g| g.yield_).fold(0.0, f64::max);
    let (mut evidence, mut strength) = (0.0, 0.0);
    for &(gi, pi) in &matches {
        let g = &c.groups[gi];
        let expected = k * g.yield_;
        let obs = res.area[pi];
        let sig = (obs / peaks[pi].area_sigma.max(1.0)).max(0.0);
        let r = (obs / expected.max(1e-9)).max(1e-6);
        // intensity-ratio agreement; the efficiency model is less sure far from the key line and at low energy
        let spread: f64 = if g.energy < 120.0 { 1.8 } else { 0.45 + 0.35 * (g.energy / c.groups[key].energy).ln().abs() };
        let q = 0.1 + 0.9 * (-(r.ln().powi(2)) / (2.0 * spread * spread)).exp();
        // a 511 keV peak is weak evidence unless the source is a positron emitter
        let w = if g.annihilation && g.yield_ < 0.3 * ymax { 0.3 } else { 1.0 };
        evidence += 2.0 * sig.min(40.0).sqrt() * q * w;
        strength += sig.min(500.0) * q * w * if g.energy < 120.0 { 0.5 } else { 1.0 };
    }
    let (mut pen_e, mut pen_s) = (0.0, 0.0);
    for (gi, g) in c.groups.iter().enumerate() {
        if matches.iter().any(|m| m.0 == gi) {
            continue;
        }
        // a line within one FWHM of another peak may hide in it (unresolved): no penalty, unless the line
        // is expected far stronger than everything it could hide in
        let e = g.energy;
        let f = p.resolution.fwhm(e);
        let k0 = peaks.partition_point(|pk| pk.energy_kev < e - f);
        let near = peaks[k0..].iter().take_while(|pk| pk.energy_kev <= e + f).map(|pk| pk.area.max(0.0)).reduce(f64::max);
        if near.is_some_and(|area| k * g.yield_ <= HIDE_RATIO * area + g.dl) {
            continue;
        }
        let m = k * g.yield_ / g.dl;
        // below 120 keV the efficiency (and self-absorption) is uncertain: penalise only gross absences, gently
        let (floor, weight) = if e < 120.0 { (4.0, 0.3) } else { (1.5, 1.0) };
        if m > floor {
            pen_e += (m - floor).min(6.0) * 1.5 * weight;
            pen_s += (3.0 * m).min(100.0) * weight;
        }
    }
    let evidence = evidence - pen_e;
    Some(Scored { score: evidence, rank: strength - pen_s, k, matches })
}

/// Fitted resolution scales at or beyond which the stated energy axis is doubted (peaks far wider, or far
/// narrower, than the detector class allows at their stated energies).
const GAIN_DOUBT_WIDE: f64 = 2.0;
const GAIN_DOUBT_NARROW: f64 = 0.6;

/// A missing line may hide in a peak within one FWHM only if it is expected at most this many times that
/// peak's area (plus the local detection limit).
const HIDE_RATIO: f64 = 2.0;

/// Identify the nuclides in `fg` (after subtracting `bg` scaled by live time, when given).
///
/// Gain check: when the fitted peak widths are far outside the detector class's resolution at the stated
/// energies (a FWHM scale ≥ 2 or ≤ 0.6), the energy axis is doubted. The commonest cause is a calibration
/// meant for another channel count (spectra rebinned or acquired at 2× or 4× the channels), so the axis is
/// tried at ×½, ×¼ (wide peaks) or ×2, ×4 (narrow peaks). A rescaled reading is taken only when its peaks
/// then have a plausible width (scale 0.6–1.6) and it explains the spectrum far better (a top source with at
/// least two matched lines, scoring at least twice the stated axis's top and 12 more); a warning names the factor, and the peak energies reported are
/// on the corrected axis.
pub fn identify(
    fg: &Spectrum,
    bg: Option<&Spectrum>,
    lib: &Library,
    opts: &IdentifyOptions,
) -> Result<Identification, AnalysisError> {
    let first = identify_on_axis(fg, bg, lib, opts)?;
    let factors: &[f64] = if first.resolution_scale >= GAIN_DOUBT_WIDE {
        &[0.5, 0.25]
    } else if first.resolution_scale <= GAIN_DOUBT_NARROW {
        &[2.0, 4.0]
    } else {
        &[]
    };
    let top = |id: &Identification| id.nuclides.first().map_or(0.0, |n| n.score);
    let mut best: Option<(f64, Identification)> = None;
    // the detector class stays what it was (a class guessed from the channel width would move with the axis)
    let pinned = IdentifyOptions {
        detector: Some(first.detector),
        ..opts.clone()
    };
    for &f in factors {
        let fg2 = rescaled(fg, f);
        let bg2 = bg.map(|b| rescaled(b, f));
        let Ok(id) = identify_on_axis(&fg2, bg2.as_ref(), lib, &pinned) else {
            continue;
        };
        let plausible = id.resolution_scale > GAIN_DOUBT_NARROW && id.resolution_scale < 1.6;
        // one peak on a new axis always matches some line: two or more must agree
        let lines = id.nuclides.first().map_or(0, |n| n.peaks.len());
        let better = lines >= 2 && top(&id) >= (2.0 * top(&first)).max(top(&first) + 12.0);
        if plausible && better && best.as_ref().is_none_or(|b| top(&id) > top(&b.1)) {
            best = Some((f, id));
        }
    }
    let Some((f, mut id)) = best else {
        return Ok(first);
    };
    let name = id
        .nuclides
        .first()
        .map_or(String::new(), |n| n.nuclide.clone());
    id.diagnostics.insert(
        0,
        Diagnostic::warning(
            "calibration",
            format!(
                "energy calibration looks off by a factor of {:.0}: peaks are {:.1}× {} than the {} resolution model at the \
                 stated energies, and on the axis ×{} they have the expected width and {name} explains them; identified on \
                 the corrected axis (recalibrate the instrument)",
                if f < 1.0 { 1.0 / f } else { f },
                if f < 1.0 { first.resolution_scale } else { 1.0 / first.resolution_scale },
                if f < 1.0 { "wider" } else { "narrower" },
                id.detector.name(),
                if f < 1.0 { format!("1/{:.0}", 1.0 / f) } else { format!("{f:.0}") },
            ),
        ),
    );
    Ok(id)
}

/// `s` with its energy axis multiplied by `f`.
fn rescaled(s: &Spectrum, f: f64) -> Spectrum {
    let mut out = s.clone();
    if let Some(c) = out.calibration.as_mut() {
        c.scale(f);
    }
    out
}

fn identify_on_axis(fg: &Spectrum, bg: Option<&Spectrum>, lib: &Library, opts: &IdentifyOptions) -> Result<Identification, AnalysisError> {
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
    let cands: Vec<Cand> = lib
        .sources
        .iter()
        .map(|s| {
            let mut groups = groups_for(s, &p, min_e);
            for g in groups.iter_mut() {
                g.dl = detection_limit(&p, &sv, g.energy);
            }
            let mut order: Vec<usize> = (0..groups.len()).collect();
            order.sort_by(|a, b| (groups[*b].yield_ / groups[*b].dl).total_cmp(&(groups[*a].yield_ / groups[*a].dl)));
            Cand { src: s, groups, order }
        })
        .collect();
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
                if s.score >= opts.min_score && best.as_ref().is_none_or(|b| s.rank > b.1.rank) {
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
        // members of an accepted natural chain are explained by it: natural uranium carries the U-235 family
        // (U-235 itself, Ra-223), so enrichment is not asserted without a U-235/U-238 ratio test
        for (ci2, c2) in cands.iter().enumerate() {
            if explained_by_chain(&c.src.name, &c2.src.name) {
                taken[ci2] = true;
            }
        }
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

/// Whether `other` is part of the natural chain `accepted` (and so not reported beside it).
fn explained_by_chain(accepted: &str, other: &str) -> bool {
    let members: &[&str] = match accepted {
        "U-238 series" => &["U-235 (enriched U)", "Ra-223", "Ra-226", "Uranium (processed)", "Pb-210"],
        "Uranium (processed)" => &["U-235 (enriched U)", "Ra-223"],
        "Ra-226" => &["Pb-210"],
        _ => &[],
    };
    members.contains(&other)
}

fn round3(x: f64) -> f64 {
    if x.is_finite() { (x * 1000.0).round() / 1000.0 } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Calibration;

    /// An HPGe-like spectrum, 0.25 keV/channel, with Gaussian peaks of the HPGe model's width.
    fn hpge(peaks: &[(f64, f64)]) -> Spectrum {
        let res = analysis::Resolution::for_class(DetectorClass::Hpge);
        let counts = (0..8192)
            .map(|i| {
                let e = i as f64 * 0.25 + 0.125;
                let mut v = 400.0 * (-e / 600.0).exp() + 10.0;
                for (pe, a) in peaks {
                    let s = res.fwhm(*pe) / 2.3548;
                    v += a * 0.25 / (s * (2.0 * std::f64::consts::PI).sqrt())
                        * (-0.5 * ((e - pe) / s).powi(2)).exp();
                }
                v.round()
            })
            .collect();
        Spectrum {
            counts,
            calibration: Some(Calibration::Polynomial {
                coefficients: vec![0.0, 0.25],
            }),
            live_time_s: Some(300.0),
            detector_kind: Some("HPGe".into()),
            ..Spectrum::default()
        }
    }

    /// A Tc-99m spectrum on a scintillator: Co-57's weak 136 keV line sits on the 140.5 keV peak, and its
    /// strong 122 keV line (expected 8× that peak) cannot hide in it, so Co-57 is not a better match.
    #[test]
    fn a_missing_line_far_stronger_than_the_peak_beside_it_is_not_hidden() {
        let lib = Library::from_selected_csv(
            "nuclide,half_life_s,line_type,energy_keV,energy_unc_keV,emission_prob_per_decay,emission_prob_unc\n\
             Tc99m,21624.0,gamma,140.511,0.001,0.89,0.01\n\
             Co57,23483500.0,gamma,122.061,0.0001,0.8551,0.0006\n\
             Co57,23483500.0,gamma,136.474,0.0003,0.1071,0.0015\n",
        )
        .unwrap();
        // 1,024 channels of 3 keV, FWHM 7.5 % at 662 keV (∝ √E), on a falling continuum
        let fwhm = |e: f64| 0.075 * 661.7 * (e / 661.7).sqrt();
        let counts = (0..1024)
            .map(|i| {
                let e = i as f64 * 3.0 + 1.5;
                let sd = fwhm(140.5) / 2.3548;
                (300.0 * (-e / 300.0).exp() + 20.0 + 30_000.0 * 3.0 / (sd * (2.0 * std::f64::consts::PI).sqrt()) * (-0.5 * ((e - 140.5) / sd).powi(2)).exp()).round()
            })
            .collect();
        let s = Spectrum {
            counts,
            calibration: Some(Calibration::Polynomial { coefficients: vec![0.0, 3.0] }),
            detector_kind: Some("CsI".into()),
            live_time_s: Some(300.0),
            ..Spectrum::default()
        };
        let id = identify(&s, None, &lib, &IdentifyOptions::default()).unwrap();
        let names: Vec<&str> = id.nuclides.iter().map(|n| n.nuclide.as_str()).collect();
        assert_eq!(names.first(), Some(&"Tc-99m"), "{names:?}");
    }

    #[test]
    fn a_calibration_off_by_four_is_found_and_named() {
        let lib = Library::builtin();
        let good = hpge(&[(661.7, 40_000.0), (1173.2, 20_000.0), (1332.5, 18_000.0)]);
        let id = identify(&good, None, &lib, &IdentifyOptions::default()).unwrap();
        assert!(
            id.diagnostics
                .iter()
                .all(|d| d.location.path.as_deref() != Some("calibration")),
            "{:?}",
            id.diagnostics
        );
        let names: Vec<&str> = id.nuclides.iter().map(|n| n.nuclide.as_str()).collect();
        assert!(
            names.contains(&"Cs-137") && names.contains(&"Co-60"),
            "{names:?}"
        );

        // the same counts with a calibration four times too steep (meant for a quarter of the channels)
        let off = rescaled(&good, 4.0);
        let id4 = identify(&off, None, &lib, &IdentifyOptions::default()).unwrap();
        let names4: Vec<&str> = id4.nuclides.iter().map(|n| n.nuclide.as_str()).collect();
        assert_eq!(names4[..2], names[..2], "{names4:?}");
        let d = id4
            .diagnostics
            .iter()
            .find(|d| d.location.path.as_deref() == Some("calibration"))
            .expect("a calibration warning");
        assert!(d.message.contains("factor of 4"), "{}", d.message);
        // peak energies are reported on the corrected axis
        assert!(
            id4.nuclides[0]
                .peaks
                .iter()
                .any(|p| (p.energy_kev - 661.7).abs() < 1.0 || (p.energy_kev - 1332.5).abs() < 1.0)
        );

        // a spectrum that is merely noisy is not rescaled
        let flat = hpge(&[]);
        let idf = identify(&flat, None, &lib, &IdentifyOptions::default()).unwrap();
        assert!(
            idf.nuclides.is_empty()
                && idf
                    .diagnostics
                    .iter()
                    .all(|d| d.location.path.as_deref() != Some("calibration"))
        );
    }
}
