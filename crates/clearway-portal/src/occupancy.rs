//! An occupancy (one vehicle passage) and the background it is judged against.
//!
//! Counts are stored flat, slice-major: `counts[(slice * panels + panel) * bins + bin]`. A gross-count
//! portal has one bin; a spectroscopic one has the energy bins of [`crate::binning`].

use serde::{Deserialize, Serialize};

use crate::PortalError;

/// Background count rates the occupancy is judged against, per panel (and per bin).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Background {
    /// Gamma count rate (counts per live second), `panels × bins`.
    pub gamma_cps: Vec<f64>,
    /// Neutron count rate per panel (counts per live second), when the portal has neutron detectors.
    #[serde(default)]
    pub neutron_cps: Option<Vec<f64>>,
    /// Live time (s) behind the estimate; its statistical uncertainty follows from it.
    pub live_s: f64,
}

/// One occupancy: time slices per panel, the background, the occupancy flag and the speed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Occupancy {
    /// Panel (detector) names, e.g. `A1` … `B4`.
    pub panels: Vec<String>,
    /// Side of the lane of each panel (0 or 1): a compact source near one side shows most there.
    pub sides: Vec<u8>,
    /// Energy bin edges (keV), `bins + 1` values.
    pub edges_kev: Vec<f64>,
    /// Number of time slices.
    pub slices: usize,
    /// Live time (s) of each slice and panel, `slices × panels`.
    pub live_s: Vec<f32>,
    /// Gamma counts, `slices × panels × bins`.
    pub counts: Vec<f32>,
    /// Neutron counts, `slices × panels`, when measured.
    #[serde(default)]
    pub neutron: Option<Vec<f32>>,
    /// Whether the occupancy sensor saw a vehicle in each slice.
    pub occupied: Vec<bool>,
    /// Vehicle speed (m/s), when reported.
    #[serde(default)]
    pub speed_mps: Option<f64>,
    pub background: Background,
}

impl Occupancy {
    pub fn bins(&self) -> usize {
        self.edges_kev.len().saturating_sub(1)
    }

    /// Sides from panel names: panels sharing the first letter of the first panel are side 0, the rest
    /// side 1; when all names share it, the first half of the panels is side 0.
    pub fn sides_from_names(names: &[String]) -> Vec<u8> {
        let first = names.first().and_then(|n| n.chars().next());
        let by_letter: Vec<u8> = names.iter().map(|n| u8::from(n.chars().next() != first)).collect();
        if by_letter.contains(&1) {
            by_letter
        } else {
            (0..names.len()).map(|i| u8::from(i >= names.len().div_ceil(2))).collect()
        }
    }

    /// Check every length and value; replace negative or non-finite counts, rates and live times by 0
    /// and report how many were replaced (a diagnostic for the caller).
    pub fn validate(&mut self) -> Result<usize, PortalError> {
        let (p, b, n) = (self.panels.len(), self.bins(), self.slices);
        crate::binning::check_edges(&self.edges_kev)?;
        if p == 0 || n == 0 {
            return Err(PortalError::Shape("an occupancy needs at least one panel and one slice".into()));
        }
        let want = |what: &str, got: usize, want: usize| {
            if got == want { Ok(()) } else { Err(PortalError::Shape(format!("{what}: {got} values, expected {want}"))) }
        };
        want("sides", self.sides.len(), p)?;
        want("live times", self.live_s.len(), n * p)?;
        want("counts", self.counts.len(), n * p * b)?;
        want("occupied flags", self.occupied.len(), n)?;
        want("background gamma rates", self.background.gamma_cps.len(), p * b)?;
        if let Some(nc) = &self.neutron {
            want("neutron counts", nc.len(), n * p)?;
        }
        if let Some(nr) = &self.background.neutron_cps {
            want("background neutron rates", nr.len(), p)?;
        }
        let mut fixed = 0;
        let mut fix32 = |v: &mut [f32]| {
            for x in v.iter_mut().filter(|x| !(x.is_finite() && **x >= 0.0)) {
                *x = 0.0;
                fixed += 1;
            }
        };
        fix32(&mut self.live_s);
        fix32(&mut self.counts);
        if let Some(nc) = &mut self.neutron {
            fix32(nc);
        }
        let mut fix64 = |v: &mut [f64]| {
            for x in v.iter_mut().filter(|x| !(x.is_finite() && **x >= 0.0)) {
                *x = 0.0;
                fixed += 1;
            }
        };
        fix64(&mut self.background.gamma_cps);
        if let Some(nr) = &mut self.background.neutron_cps {
            fix64(nr);
        }
        if !(self.background.live_s.is_finite() && self.background.live_s > 0.0) {
            self.background.live_s = 1.0;
            fixed += 1;
        }
        if self.speed_mps.is_some_and(|s| !(s.is_finite() && s >= 0.0)) {
            self.speed_mps = None;
            fixed += 1;
        }
        Ok(fixed)
    }

    /// Total gamma counts of one slice and panel.
    pub fn gross(&self, slice: usize, panel: usize) -> f64 {
        let b = self.bins();
        let o = (slice * self.panels.len() + panel) * b;
        self.counts.get(o..o + b).map_or(0.0, |r| r.iter().map(|&x| f64::from(x)).sum())
    }
}

/// Continuously tracked background: an exponentially weighted moving average of the count rates of
/// the slices in which no vehicle is present (the occupancy sensor is off). A time constant `tau_s`
/// of a few minutes follows weather and drift while averaging out counting noise; the equivalent live
/// time behind the estimate is about `tau_s` once warmed up.
#[derive(Debug, Clone, PartialEq)]
pub struct BackgroundTracker {
    tau_s: f64,
    panels: usize,
    bins: usize,
    gamma: Vec<f64>,
    neutron: Vec<f64>,
    has_neutron: bool,
    seen_s: f64,
}

impl BackgroundTracker {
    pub fn new(panels: usize, bins: usize, tau_s: f64) -> Self {
        BackgroundTracker {
            tau_s: if tau_s.is_finite() && tau_s > 0.0 { tau_s } else { 120.0 },
            panels,
            bins,
            gamma: vec![0.0; panels * bins],
            neutron: vec![0.0; panels],
            has_neutron: false,
            seen_s: 0.0,
        }
    }

    /// Feed one unoccupied slice: `counts` is `panels × bins`, `neutron` is `panels`, `live_s` per panel.
    /// Slices of the wrong shape or with no live time are ignored (returns false).
    pub fn update(&mut self, counts: &[f32], neutron: Option<&[f32]>, live_s: &[f32]) -> bool {
        if counts.len() != self.panels * self.bins || live_s.len() != self.panels {
            return false;
        }
        let dt = live_s.iter().map(|&x| f64::from(x)).filter(|x| x.is_finite() && *x > 0.0).sum::<f64>() / self.panels as f64;
        if !(dt > 0.0) {
            return false;
        }
        // Until warmed up the weight is 1/n-like (a plain mean), then dt/tau.
        let w = (dt / (self.seen_s + dt)).max(dt / self.tau_s).min(1.0);
        self.seen_s += dt;
        for p in 0..self.panels {
            let lt = f64::from(live_s[p]);
            if !(lt > 0.0) {
                continue;
            }
            for b in 0..self.bins {
                let i = p * self.bins + b;
                let r = f64::from(counts[i]).max(0.0) / lt;
                if r.is_finite() {
                    self.gamma[i] += w * (r - self.gamma[i]);
                }
            }
            if let Some(nc) = neutron.filter(|n| n.len() == self.panels) {
                let r = f64::from(nc[p]).max(0.0) / lt;
                if r.is_finite() {
                    self.neutron[p] += w * (r - self.neutron[p]);
                    self.has_neutron = true;
                }
            }
        }
        true
    }

    /// Live seconds seen so far.
    pub fn seen_s(&self) -> f64 {
        self.seen_s
    }

    /// The current estimate, or None before any slice was seen.
    pub fn background(&self) -> Option<Background> {
        (self.seen_s > 0.0).then(|| Background {
            gamma_cps: self.gamma.clone(),
            neutron_cps: self.has_neutron.then(|| self.neutron.clone()),
            live_s: self.seen_s.min(self.tau_s),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sides_from_names() {
        let n = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(Occupancy::sides_from_names(&n(&["A1", "A2", "B1", "B2"])), [0, 0, 1, 1]);
        assert_eq!(Occupancy::sides_from_names(&n(&["p1", "p2", "p3"])), [0, 0, 1]);
    }

    #[test]
    fn tracker_follows_a_step_and_ignores_bad_slices() {
        let mut t = BackgroundTracker::new(1, 1, 10.0);
        assert!(t.background().is_none());
        for _ in 0..100 {
            assert!(t.update(&[25.0], Some(&[1.0]), &[0.25]));
        }
        let b = t.background().unwrap();
        assert!((b.gamma_cps[0] - 100.0).abs() < 1e-9);
        assert_eq!(b.neutron_cps, Some(vec![4.0]));
        // A step to 200 cps: after 3 time constants (120 slices of 0.25 s) within 5 %.
        for _ in 0..120 {
            t.update(&[50.0], None, &[0.25]);
        }
        let g = t.background().unwrap().gamma_cps[0];
        assert!((g - 200.0).abs() < 10.0, "{g}");
        assert!(!t.update(&[1.0, 2.0], None, &[0.25]));
        assert!(!t.update(&[1.0], None, &[0.0]));
    }
}
