//! Spectrum analysis: energy axis, rebinning, live-time-scaled background subtraction, continuum
//! estimation (SNIP), peak search with significance and Gaussian peak fits on a local linear continuum.
//!
//! Everything works on a [`Prepared`] spectrum: net counts, their variance, the channel edges in keV and a
//! resolution model ([`Resolution`]). All results are finite: degenerate inputs give no peaks, never NaN.

use crate::{Calibration, Spectrum};

/// Detector family, which sets the default resolution model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DetectorClass {
    /// High-purity germanium: FWHM ≈ 1–2 keV.
    Hpge,
    /// NaI, CsI, plastic...: FWHM ≈ 7–9 % at 662 keV.
    Scintillator,
    /// LaBr3, CZT, CdTe: FWHM ≈ 3 % at 662 keV.
    MediumResolution,
}

impl DetectorClass {
    /// A short name for people (`HPGe`, `medium-resolution`, `scintillator`).
    pub fn name(self) -> &'static str {
        match self {
            DetectorClass::Hpge => "HPGe",
            DetectorClass::MediumResolution => "medium-resolution",
            DetectorClass::Scintillator => "scintillator",
        }
    }
    /// Guess from the detector description, then from the channel width and count.
    pub fn guess(s: &Spectrum) -> DetectorClass {
        let kind = s.detector_kind.as_deref().unwrap_or("").to_ascii_lowercase();
        if kind.contains("hpge") || kind.contains("ge ") || kind == "ge" || kind.contains("germanium") {
            return DetectorClass::Hpge;
        }
        if kind.contains("labr") || kind.contains("czt") || kind.contains("cdte") || kind.contains("cebr") {
            return DetectorClass::MediumResolution;
        }
        if kind.contains("nai") || kind.contains("csi") || kind.contains("pvt") || kind.contains("plastic") {
            return DetectorClass::Scintillator;
        }
        let n = s.counts.len();
        match &s.calibration {
            Some(c) if n > 1 => {
                let kev_per_ch = (c.energy(n as f64) - c.energy(0.0)) / n as f64;
                if n >= 4096 && kev_per_ch < 0.6 { DetectorClass::Hpge } else { DetectorClass::Scintillator }
            }
            _ => {
                if n >= 8192 {
                    DetectorClass::Hpge
                } else {
                    DetectorClass::Scintillator
                }
            }
        }
    }
}

/// Resolution model: FWHM (keV) as a function of energy, `sqrt(a² + b·E + (c·E)²)`, times a scale fitted to
/// the data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resolution {
    pub a: f64,
    pub b: f64,
    pub c: f64,
    pub scale: f64,
}

impl Resolution {
    pub fn for_class(c: DetectorClass) -> Resolution {
        match c {
            DetectorClass::Hpge => Resolution { a: 0.9, b: 0.0012, c: 0.0, scale: 1.0 },
            // ≈ 7.8 % at 662 keV, ∝ √E
            DetectorClass::Scintillator => Resolution { a: 2.0, b: 4.0, c: 0.0, scale: 1.0 },
            DetectorClass::MediumResolution => Resolution { a: 1.0, b: 0.6, c: 0.0, scale: 1.0 },
        }
    }
    /// FWHM in keV at `e` keV.
    pub fn fwhm(&self, e: f64) -> f64 {
        let e = e.max(1.0);
        self.scale * (self.a * self.a + self.b * e + (self.c * e) * (self.c * e)).sqrt()
    }
}

/// A spectrum ready for analysis: net counts with variance on an energy axis.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// Net counts per channel (after background subtraction, if any).
    pub counts: Vec<f64>,
    /// Variance of each channel's net count (≥ 1).
    pub variance: Vec<f64>,
    /// Channel edges in keV (`counts.len() + 1` values, increasing).
    pub edges: Vec<f64>,
    pub class: DetectorClass,
    pub resolution: Resolution,
    /// Live time of the foreground (s), if known.
    pub live_time_s: Option<f64>,
    /// FWHM in channels at each channel (from `resolution`; refreshed by [`Prepared::set_resolution_scale`]).
    fwhm_ch: Vec<f64>,
}

/// Why a spectrum cannot be analysed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    #[error("spectrum has no usable energy calibration")]
    NoCalibration,
    #[error("spectrum has fewer than 16 channels")]
    TooShort,
}

/// Channel edges (keV) of a spectrum, or `None` without a monotonic calibration.
pub fn edges(s: &Spectrum) -> Option<Vec<f64>> {
    let c = s.calibration.as_ref()?;
    let n = s.counts.len();
    if !c.is_monotonic(n) {
        return None;
    }
    let e: Vec<f64> = (0..=n).map(|i| c.energy(i as f64)).collect();
    if e.windows(2).all(|w| w[1] > w[0]) && e.iter().all(|x| x.is_finite()) { Some(e) } else { None }
}

/// Redistribute counts given on `from_edges` onto `to_edges` (keV), assuming counts uniform within a
/// channel. Counts outside the target range are dropped.
pub fn rebin_to(counts: &[f64], from_edges: &[f64], to_edges: &[f64]) -> Vec<f64> {
    let m = to_edges.len().saturating_sub(1);
    let mut out = vec![0.0; m];
    if m == 0 || from_edges.len() < counts.len() + 1 {
        return out;
    }
    let mut j = 0usize;
    for (i, &c) in counts.iter().enumerate() {
        let (lo, hi) = (from_edges[i], from_edges[i + 1]);
        let w = hi - lo;
        if !(w > 0.0) || c == 0.0 {
            continue;
        }
        while j < m && to_edges[j + 1] <= lo {
            j += 1;
        }
        let mut k = j;
        while k < m && to_edges[k] < hi {
            let ov = hi.min(to_edges[k + 1]) - lo.max(to_edges[k]);
            if ov > 0.0 {
                out[k] += c * ov / w;
            }
            k += 1;
        }
    }
    out
}

/// Sum groups of `factor` adjacent channels (the last partial group is kept). The calibration is rescaled.
pub fn rebin(s: &Spectrum, factor: usize) -> Spectrum {
    let factor = factor.max(1);
    let mut out = s.clone();
    out.counts = s.counts.chunks(factor).map(|c| c.iter().sum()).collect();
    out.calibration = s.calibration.as_ref().map(|c| match c {
        Calibration::Polynomial { coefficients } => Calibration::Polynomial {
            coefficients: coefficients.iter().enumerate().map(|(i, v)| v * (factor as f64).powi(i as i32)).collect(),
        },
        Calibration::LowerEdges { energies } => {
            let mut e: Vec<f64> = energies.iter().step_by(factor).copied().collect();
            if let Some(last) = energies.last() {
                if (energies.len() - 1) % factor != 0 {
                    e.push(*last);
                }
            }
            Calibration::LowerEdges { energies: e }
        }
    });
    out
}

/// Sum spectra channel by channel (live and real times add). Spectra whose channel count or calibration
/// differs from the first are rebinned onto the first one's energy axis; without calibrations they must have
/// the same channel count (others are skipped). `None` for an empty list.
pub fn sum(spectra: &[&Spectrum]) -> Option<Spectrum> {
    let first = *spectra.first()?;
    let mut out = first.clone();
    let to = edges(first);
    for s in &spectra[1..] {
        let same = s.counts.len() == out.counts.len() && s.calibration == first.calibration;
        let add: Vec<f64> = if same {
            s.counts.clone()
        } else {
            match (&to, edges(s)) {
                (Some(t), Some(f)) => rebin_to(&s.counts, &f, t),
                _ => continue,
            }
        };
        for (o, a) in out.counts.iter_mut().zip(add) {
            *o += a;
        }
        out.live_time_s = match (out.live_time_s, s.live_time_s) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
        out.real_time_s = match (out.real_time_s, s.real_time_s) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
    }
    if spectra.len() > 1 {
        out.detector = format!("sum of {} spectra", spectra.len());
    }
    Some(out)
}

/// Prepare a foreground, optionally subtracting a background scaled by the live-time ratio (the background
/// is rebinned onto the foreground's energy axis when its calibration differs).
pub fn prepare(fg: &Spectrum, bg: Option<&Spectrum>, class: Option<DetectorClass>) -> Result<Prepared, AnalysisError> {
    if fg.counts.len() < 16 {
        return Err(AnalysisError::TooShort);
    }
    let edges = edges(fg).ok_or(AnalysisError::NoCalibration)?;
    let class = class.unwrap_or_else(|| DetectorClass::guess(fg));
    let mut counts: Vec<f64> = fg.counts.iter().map(|c| if c.is_finite() { *c } else { 0.0 }).collect();
    let mut variance: Vec<f64> = counts.iter().map(|c| c.abs().max(1.0)).collect();
    if let Some(bg) = bg {
        let k = match (fg.live_time_s.or(fg.real_time_s), bg.live_time_s.or(bg.real_time_s)) {
            (Some(a), Some(b)) if a > 0.0 && b > 0.0 => a / b,
            _ => 1.0,
        };
        let b = match edges_of(bg) {
            Some(be) if bg.counts.len() == counts.len() && be.iter().zip(&edges).all(|(x, y)| (x - y).abs() < 1e-6) => {
                bg.counts.clone()
            }
            Some(be) => rebin_to(&bg.counts, &be, &edges),
            None if bg.counts.len() == counts.len() => bg.counts.clone(),
            None => vec![0.0; counts.len()],
        };
        for i in 0..counts.len() {
            let bv = if b[i].is_finite() { b[i].max(0.0) } else { 0.0 };
            counts[i] -= k * bv;
            variance[i] += k * k * bv;
        }
    }
    let mut p = Prepared {
        counts,
        variance,
        edges,
        class,
        resolution: Resolution::for_class(class),
        live_time_s: fg.live_time_s,
        fwhm_ch: Vec::new(),
    };
    p.refresh_fwhm();
    robust_variance(&mut p);
    Ok(p)
}

fn edges_of(s: &Spectrum) -> Option<Vec<f64>> {
    edges(s)
}

/// Raise each channel's variance to a robust local estimate from first differences (blocks of 64 channels):
/// background-subtracted traces carry more noise than their counts say.
fn robust_variance(p: &mut Prepared) {
    let n = p.counts.len();
    let block = 64usize;
    let mut d: Vec<f64> = Vec::with_capacity(block);
    let mut start = 0;
    while start < n {
        let end = (start + block).min(n);
        d.clear();
        for i in start..end.min(n - 1) {
            d.push((p.counts[i + 1] - p.counts[i]).abs());
        }
        if d.len() >= 8 {
            let mid = d.len() / 2;
            d.select_nth_unstable_by(mid, |a, b| a.total_cmp(b));
            let med = d[mid];
            // for Gaussian noise, median |x_i+1 - x_i| = 0.6745·√2·σ
            let v = (med / (0.6745 * std::f64::consts::SQRT_2)).powi(2);
            if v.is_finite() {
                for x in &mut p.variance[start..end] {
                    if *x < v {
                        *x = v;
                    }
                }
            }
        }
        start = end;
    }
}

impl Prepared {
    /// Number of channels.
    pub fn len(&self) -> usize {
        self.counts.len()
    }
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }
    /// Centre energy (keV) of channel coordinate `x` (fractional; `i + 0.5` is the centre of channel `i`).
    pub fn energy(&self, x: f64) -> f64 {
        let n = self.counts.len();
        let i = (x.floor().max(0.0) as usize).min(n.saturating_sub(1));
        let f = (x - i as f64).clamp(0.0, 1.0);
        self.edges[i] + f * (self.edges[i + 1] - self.edges[i])
    }
    /// Channel coordinate of energy `e` (keV), clamped to the range.
    pub fn channel(&self, e: f64) -> f64 {
        let n = self.counts.len();
        if e <= self.edges[0] {
            return 0.0;
        }
        if e >= self.edges[n] {
            return n as f64;
        }
        let i = self.edges.partition_point(|x| *x <= e).saturating_sub(1).min(n - 1);
        let w = self.edges[i + 1] - self.edges[i];
        i as f64 + if w > 0.0 { (e - self.edges[i]) / w } else { 0.0 }
    }
    /// FWHM in channels at channel `i`.
    #[inline]
    pub fn fwhm_channels(&self, i: usize) -> f64 {
        let i = i.min(self.counts.len().saturating_sub(1));
        self.fwhm_ch[i]
    }
    fn refresh_fwhm(&mut self) {
        let n = self.counts.len();
        self.fwhm_ch = (0..n)
            .map(|i| {
                let w = (self.edges[i + 1] - self.edges[i]).max(1e-9);
                (self.resolution.fwhm(self.edges[i]) / w).clamp(0.8, 1e6)
            })
            .collect();
    }
    /// Set the resolution scale (FWHM multiplier) and refresh what depends on it.
    pub fn set_resolution_scale(&mut self, scale: f64) {
        if scale.is_finite() && scale > 0.0 {
            self.resolution.scale = scale;
            self.refresh_fwhm();
        }
    }
    /// Energy range covered (keV).
    pub fn range(&self) -> (f64, f64) {
        (self.edges[0], self.edges[self.edges.len() - 1])
    }
}

/// Continuum under the peaks by the SNIP algorithm on the square-root transformed counts, with a clipping
/// window that follows the resolution (≈ 1.5 FWHM per side), decreasing from the widest.
pub fn continuum(p: &Prepared) -> Vec<f64> {
    let n = p.len();
    // SNIP clips towards the lower envelope, so on noisy counts it sits below the mean; smoothing over
    // about half a FWHM first (a running mean) removes most of that bias
    let raw: Vec<f64> = p.counts.iter().map(|c| c.max(0.0)).collect();
    let mut pre = vec![0.0; n + 1];
    for i in 0..n {
        pre[i + 1] = pre[i] + raw[i];
    }
    let mut v: Vec<f64> = (0..n)
        .map(|i| {
            let h = ((0.25 * p.fwhm_channels(i)).round() as usize).min(i).min(n - 1 - i);
            ((pre[i + h + 1] - pre[i - h]) / (2 * h + 1) as f64).sqrt()
        })
        .collect();
    let w: Vec<usize> = (0..n).map(|i| ((1.5 * p.fwhm_channels(i)).ceil() as usize).clamp(1, 400)).collect();
    let maxw = w.iter().copied().max().unwrap_or(1);
    // first[k]: the lowest channel whose window reaches k; channels below it keep their value in round k
    let mut first = vec![n; maxw + 2];
    let mut reach = 0;
    for (i, &wi) in w.iter().enumerate() {
        while reach < wi {
            reach += 1;
            first[reach] = i;
        }
    }
    // Rounds run k = maxw … 1 and change only [first[k], n − k); first[k] does not grow as k falls, so
    // after a swap `tmp` already equals `v` outside the range the next round writes.
    let mut tmp = v.clone();
    for k in (1..=maxw).rev() {
        let start = first[k].max(k);
        if n <= 2 * k || start >= n - k {
            continue;
        }
        for i in start..n - k {
            let vi = v[i];
            let m = 0.5 * (v[i - k] + v[i + k]);
            tmp[i] = if k <= w[i] && m < vi { m } else { vi };
        }
        std::mem::swap(&mut v, &mut tmp);
    }
    v.into_iter().map(|y| y * y).collect()
}

/// A peak found in a spectrum.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Peak {
    /// Centroid energy (keV).
    pub energy_kev: f64,
    /// Centroid channel coordinate.
    pub channel: f64,
    /// Net area (counts) above the continuum.
    pub area: f64,
    /// One-sigma uncertainty of the area.
    pub area_sigma: f64,
    /// Area over its uncertainty.
    pub significance: f64,
    /// FWHM (keV), from the fit when it converged, else the resolution model.
    pub fwhm_kev: f64,
    /// Continuum counts under the peak (within ±1 FWHM).
    pub continuum: f64,
    /// Whether the Gaussian fit converged.
    pub fitted: bool,
}

/// Peak search: a top-hat filter of width ≈ 1.2 FWHM on the counts above the SNIP continuum; local
/// maxima with significance ≥ `min_significance` are fitted (Gaussian + linear continuum). Sorted by
/// energy.
pub fn find_peaks(p: &Prepared, cont: &[f64], min_significance: f64) -> Vec<Peak> {
    let n = p.len();
    if n < 16 || cont.len() != n {
        return Vec::new();
    }
    // prefix sums of net counts and variance
    let mut sn = vec![0.0; n + 1];
    let mut sv = vec![0.0; n + 1];
    let mut sc = vec![0.0; n + 1];
    for i in 0..n {
        sn[i + 1] = sn[i] + (p.counts[i] - cont[i]);
        sv[i + 1] = sv[i] + p.variance[i] + 0.05 * cont[i].max(0.0);
        sc[i + 1] = sc[i] + cont[i].max(0.0);
    }
    let mut z = vec![0.0f64; n];
    let mut half = vec![1usize; n];
    for i in 0..n {
        let h = ((0.6 * p.fwhm_channels(i)).round() as usize).max(1);
        half[i] = h;
        if i < h || i + h >= n {
            continue;
        }
        let net = sn[i + h + 1] - sn[i - h];
        let var = sv[i + h + 1] - sv[i - h];
        z[i] = if var > 0.0 { net / var.sqrt() } else { 0.0 };
    }
    let mut peaks = Vec::new();
    let mut i = 1;
    while i + 1 < n {
        let h = half[i];
        if z[i] >= min_significance && i >= h && i + h < n {
            // a peak is the highest filter response within ±1 FWHM
            let r = (p.fwhm_channels(i).round() as usize).max(1);
            let lo = i.saturating_sub(r);
            let hi = (i + r).min(n - 1);
            let is_max = (lo..=hi).all(|j| z[j] < z[i] || (z[j] == z[i] && j >= i));
            if is_max {
                if let Some(pk) = fit_peak(p, cont, i, &sn, &sv, &sc) {
                    // scintillators: continuum structure (Compton edges, backscatter) passes the filter;
                    // keep only peaks a Gaussian of about the expected width fits
                    let model = p.resolution.fwhm(pk.energy_kev);
                    let shaped = p.class == DetectorClass::Hpge
                        || (pk.fitted && pk.fwhm_kev > 0.5 * model && pk.fwhm_kev < 2.0 * model);
                    if shaped && pk.significance >= min_significance * 0.8 {
                        peaks.push(pk);
                    }
                }
                i += h.max(1);
                continue;
            }
        }
        i += 1;
    }
    peaks.sort_by(|a, b| a.energy_kev.total_cmp(&b.energy_kev));
    // merge peaks that converged onto the same centroid
    peaks.dedup_by(|b, a| (b.energy_kev - a.energy_kev).abs() < 0.3 * a.fwhm_kev.min(b.fwhm_kev));
    peaks
}

/// Fit a Gaussian on a linear continuum around channel `i0`; on failure, the top-hat estimate.
fn fit_peak(p: &Prepared, cont: &[f64], i0: usize, sn: &[f64], sv: &[f64], sc: &[f64]) -> Option<Peak> {
    let n = p.len();
    let fw = p.fwhm_channels(i0);
    let s0 = fw / 2.3548;
    // window-based estimate (±1 FWHM)
    let h = (fw.round() as usize).max(1);
    let lo = i0.saturating_sub(h);
    let hi = (i0 + h + 1).min(n);
    let net_w = sn[hi] - sn[lo];
    let var_w = (sv[hi] - sv[lo]).max(1.0);
    let cont_w = sc[hi] - sc[lo];
    // centroid from the net counts in ±0.6 FWHM
    let hh = ((0.6 * fw).round() as usize).max(1);
    let (mut num, mut den) = (0.0, 0.0);
    for j in i0.saturating_sub(hh)..(i0 + hh + 1).min(n) {
        let v = (p.counts[j] - cont[j]).max(0.0);
        num += v * (j as f64 + 0.5);
        den += v;
    }
    let mu0 = if den > 0.0 { num / den } else { i0 as f64 + 0.5 };
    let fallback = Peak {
        energy_kev: p.energy(mu0),
        channel: mu0,
        area: net_w,
        area_sigma: var_w.sqrt(),
        significance: net_w / var_w.sqrt(),
        fwhm_kev: p.resolution.fwhm(p.energy(mu0)),
        continuum: cont_w,
        fitted: false,
    };
    // weak peaks keep the window estimate (a fit adds little and costs most of the search time), except
    // for scintillators, where the fitted width separates peaks from continuum structure
    if fallback.significance < 8.0 && p.class == DetectorClass::Hpge {
        // unfitted: keep only what stands clear of the threshold
        return (fallback.significance >= 4.5).then_some(fallback);
    }
    // LM fit over ±2 FWHM with parameters (c0, c1, height, mu, sigma)
    let r = (2.0 * fw).ceil() as usize;
    let a = i0.saturating_sub(r);
    let b = (i0 + r + 1).min(n);
    if b - a < 7 {
        return Some(fallback);
    }
    let xs: Vec<f64> = (a..b).map(|j| j as f64 + 0.5).collect();
    let ys = &p.counts[a..b];
    let ws: Vec<f64> = p.variance[a..b].iter().map(|v| 1.0 / v.max(1.0)).collect();
    let xm = mu0;
    let c_at = |j: usize| cont[j];
    let c0 = 0.5 * (c_at(a) + c_at(b - 1));
    let c1 = (c_at(b - 1) - c_at(a)) / ((b - a) as f64).max(1.0);
    let height = (net_w.max(1.0)) / (s0 * (2.0 * std::f64::consts::PI).sqrt()) / 0.955;
    let mut th = [c0, c1, height, mu0, s0];
    let model = |t: &[f64; 5], x: f64| -> (f64, [f64; 5]) {
        let dx = x - t[3];
        let s = t[4];
        let g = (-0.5 * dx * dx / (s * s)).exp();
        let v = t[0] + t[1] * (x - xm) + t[2] * g;
        (v, [1.0, x - xm, g, t[2] * g * dx / (s * s), t[2] * g * dx * dx / (s * s * s)])
    };
    // χ², gradient and normal matrix at one parameter set, in one pass: a step is judged by its χ² and,
    // when accepted, its normal equations are already there
    let eval = |t: &[f64; 5]| -> (f64, [f64; 5], [[f64; 5]; 5]) {
        let mut c2 = 0.0;
        let mut g = [0.0f64; 5];
        let mut jtj = [[0.0f64; 5]; 5];
        for ((x, y), w) in xs.iter().zip(ys).zip(&ws) {
            let (v, d) = model(t, *x);
            let r = y - v;
            c2 += (r * r) * w;
            for k in 0..5 {
                let wd = w * d[k];
                g[k] += wd * r;
                for l in k..5 {
                    jtj[k][l] += wd * d[l];
                }
            }
        }
        for k in 0..5 {
            for l in 0..k {
                jtj[k][l] = jtj[l][k];
            }
        }
        (c2, g, jtj)
    };
    let mut lambda = 1e-3;
    let (mut cur, mut g, mut jtj) = eval(&th);
    // Levenberg–Marquardt: a rejected step only raises the damping and solves again
    'outer: for _ in 0..12 {
        loop {
            let mut m = jtj;
            for k in 0..5 {
                m[k][k] *= 1.0 + lambda;
                m[k][k] += 1e-12;
            }
            let Some(step) = solve5(m, g) else { break 'outer };
            let mut nt = th;
            for k in 0..5 {
                nt[k] += step[k];
            }
            nt[4] = nt[4].clamp(0.4 * s0, 2.5 * s0);
            nt[3] = nt[3].clamp(mu0 - fw, mu0 + fw);
            let (nc, ng, njtj) = eval(&nt);
            if nc.is_finite() && nc <= cur {
                let done = (cur - nc) < 1e-4 * cur.max(1.0);
                th = nt;
                cur = nc;
                g = ng;
                jtj = njtj;
                lambda = (lambda * 0.3).max(1e-9);
                if done {
                    break 'outer;
                }
                break;
            }
            lambda *= 10.0;
            if lambda > 1e8 {
                break 'outer;
            }
        }
    }
    let area = th[2] * th[4] * (2.0 * std::f64::consts::PI).sqrt();
    let ok = th.iter().all(|v| v.is_finite()) && area > 0.0 && th[2] > 0.0 && area < 5.0 * net_w.abs().max(var_w.sqrt()) + 10.0;
    if !ok {
        return Some(fallback);
    }
    // area uncertainty: counts in ±1.5 sigma of the fit window
    let var_area = {
        let lo = (th[3] - 2.0 * th[4]).floor().max(0.0) as usize;
        let hi = ((th[3] + 2.0 * th[4]).ceil() as usize + 1).min(n);
        (sv[hi] - sv[lo]).max(1.0)
    };
    let sigma = var_area.sqrt();
    let e = p.energy(th[3]);
    let e_hi = p.energy(th[3] + th[4]);
    let e_lo = p.energy(th[3] - th[4]);
    let fwhm = (e_hi - e_lo) * 0.5 * 2.3548;
    Some(Peak {
        energy_kev: e,
        channel: th[3],
        area,
        area_sigma: sigma,
        significance: area / sigma,
        fwhm_kev: if fwhm.is_finite() && fwhm > 0.0 { fwhm } else { fallback.fwhm_kev },
        continuum: cont_w,
        fitted: true,
    })
}

fn solve5(mut m: [[f64; 5]; 5], mut v: [f64; 5]) -> Option<[f64; 5]> {
    for c in 0..5 {
        let piv = (c..5).max_by(|a, b| m[*a][c].abs().total_cmp(&m[*b][c].abs()))?;
        if m[piv][c].abs() < 1e-300 {
            return None;
        }
        m.swap(c, piv);
        v.swap(c, piv);
        for r in c + 1..5 {
            let f = m[r][c] / m[c][c];
            for k in c..5 {
                m[r][k] -= f * m[c][k];
            }
            v[r] -= f * v[c];
        }
    }
    let mut x = [0.0; 5];
    for r in (0..5).rev() {
        let mut s = v[r];
        for k in r + 1..5 {
            s -= m[r][k] * x[k];
        }
        x[r] = s / m[r][r];
    }
    if x.iter().all(|v| v.is_finite()) { Some(x) } else { None }
}

/// Refine the resolution scale from the widths of the strongest fitted peaks (median ratio of fitted to
/// model FWHM, clamped to [0.5, 2.5]). Returns the new scale.
pub fn calibrate_resolution(p: &mut Prepared, peaks: &[Peak]) -> f64 {
    let mut strong: Vec<&Peak> = peaks.iter().filter(|k| k.fitted && k.significance > 15.0).collect();
    strong.sort_by(|a, b| b.significance.total_cmp(&a.significance));
    let mut r: Vec<f64> = strong.iter().take(8).map(|k| k.fwhm_kev / p.resolution.fwhm(k.energy_kev)).collect();
    if r.len() >= 3 {
        r.sort_by(|a, b| a.total_cmp(b));
        let med = r[r.len() / 2];
        if med.is_finite() {
            let sc = (p.resolution.scale * med).clamp(0.5, 2.5);
            p.set_resolution_scale(sc);
        }
    }
    p.resolution.scale
}

#[cfg(test)]
mod tests {
    use super::*;

    fn synth(n: usize, peaks: &[(f64, f64)]) -> Spectrum {
        // 0.5 keV/channel, HPGe-like peaks of FWHM ~1.5 keV on a falling continuum
        let counts = (0..n)
            .map(|i| {
                let e = i as f64 * 0.5 + 0.25;
                let mut v = 200.0 * (-e / 800.0).exp() + 5.0;
                for (pe, a) in peaks {
                    let s = 1.5 / 2.3548;
                    v += a * 0.5 / (s * (2.0 * std::f64::consts::PI).sqrt()) * (-0.5 * ((e - pe) / s).powi(2)).exp();
                }
                v.round()
            })
            .collect();
        Spectrum {
            counts,
            calibration: Some(Calibration::Polynomial { coefficients: vec![0.0, 0.5] }),
            detector_kind: Some("HPGe".into()),
            live_time_s: Some(100.0),
            ..Spectrum::default()
        }
    }

    #[test]
    fn finds_and_fits_peaks() {
        let s = synth(4096, &[(661.7, 5000.0), (1332.5, 2000.0)]);
        let p = prepare(&s, None, None).unwrap();
        let c = continuum(&p);
        let pk = find_peaks(&p, &c, 4.0);
        assert_eq!(pk.len(), 2, "{pk:?}");
        assert!((pk[0].energy_kev - 661.7).abs() < 0.2);
        assert!((pk[0].area - 5000.0).abs() < 300.0, "{}", pk[0].area);
        assert!((pk[1].energy_kev - 1332.5).abs() < 0.2);
    }

    #[test]
    fn background_subtraction_scales_by_live_time() {
        let fg = synth(1024, &[(200.0, 3000.0)]);
        let mut bg = synth(1024, &[]);
        bg.live_time_s = Some(50.0);
        for c in bg.counts.iter_mut() {
            *c *= 0.5;
        }
        let p = prepare(&fg, Some(&bg), None).unwrap();
        let total: f64 = p.counts.iter().sum();
        assert!((total - 3000.0).abs() < 100.0, "{total}");
    }

    #[test]
    fn rebin_keeps_counts() {
        let s = synth(1000, &[(100.0, 1000.0)]);
        let r = rebin(&s, 3);
        assert_eq!(r.counts.len(), 334);
        assert_eq!(r.total(), s.total());
        let e = edges(&s).unwrap();
        let to: Vec<f64> = (0..=300).map(|i| i as f64 * 1.7).collect();
        let moved = rebin_to(&s.counts, &e, &to);
        let inside: f64 = s.counts.iter().enumerate().filter(|(i, _)| (*i as f64 + 1.0) * 0.5 <= 510.0).map(|(_, c)| c).sum();
        assert!((moved.iter().sum::<f64>() - inside).abs() < 1e-6 * inside);
    }
}
