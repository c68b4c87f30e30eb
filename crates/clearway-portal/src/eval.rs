//! The evaluation harness — the field's method: inject source signatures into benign occupancies, set
//! each algorithm's threshold for an operational false-alarm rate on benign traffic, report detection
//! probability per source and strength, and the nuisance-alarm rate on NORM loads.
//!
//! **Benign occupancies.** From a real portal background (count rates per panel and energy bin) and a
//! real vehicle passage (its per-panel pass-by profile): each simulated vehicle has a speed (1–2.5 m/s),
//! a length (10–20 m: 3 m cab, 1 m gap, trailer) and a shadowing depth (5–35 % on the trailer, half of it
//! on the cab), smoothed over the panels' ±2 m field of view. The true background drifts from the tracked
//! one (±2 %, 1 σ), the tracked one has the counting noise of 120 s of live time, and every slice, panel
//! and bin is a Poisson draw (0.25 s slices, 0.24 s live). Neutron background 0.5 cps per panel.
//!
//! **Injected sources.** A labelled spectrum's shape, scaled to a strength (net portal count rate at
//! closest approach with the source 2.5 m from each side, in cps), placed at a random point of the
//! trailer and a random lateral position (1–4 m from side 0 of a 5 m lane; each side scaled by 1/r²),
//! moved past the panels with the real pass-by profile stretched to the vehicle's speed (dwell time).
//! A NORM load is the same total strength spread evenly along the trailer (distributed, not compact).
//!
//! **Thresholds.** Per algorithm, the statistic's (1 − FAR) quantile over `benign` calibration
//! occupancies; the false-alarm rate is then checked on a separate set of benign occupancies.
//!
//! Seeded and deterministic: every occupancy draws from its own ChaCha8 stream, keyed by the seed, what
//! is being simulated and the trial number.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, Poisson};
use serde::Serialize;

use crate::analysis::{Analyzer, Config, Test};
use crate::occupancy::{Background, Occupancy};
use crate::PortalError;
use clearway_spectra::SpectrumFile;

/// What an injected signature is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// Industrial, medical or special-nuclear-material surrogate: should alarm.
    Threat,
    /// Naturally occurring radioactive material: a nuisance alarm if it alarms.
    Norm,
}

/// A labelled source spectrum in the harness's energy bins.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signature {
    pub name: String,
    pub kind: Kind,
    /// Where the spectrum came from (file).
    pub origin: String,
    /// Counts per bin, normalised to sum 1.
    #[serde(skip)]
    pub shape: Vec<f64>,
}

impl Signature {
    /// A signature from binned counts (negative bins set to 0); None when nothing is left.
    pub fn new(name: impl Into<String>, kind: Kind, origin: impl Into<String>, binned: &[f64]) -> Option<Signature> {
        let v: Vec<f64> = binned.iter().map(|&x| if x.is_finite() && x > 0.0 { x } else { 0.0 }).collect();
        let s: f64 = v.iter().sum();
        (s > 0.0).then(|| Signature { name: name.into(), kind, origin: origin.into(), shape: v.iter().map(|x| x / s).collect() })
    }
}

/// A real vehicle pass-by: per-panel response to a compact source, per slice, at a known speed.
#[derive(Debug, Clone, PartialEq)]
pub struct Passby {
    /// Slice duration (s).
    pub slice_s: f64,
    pub speed_mps: f64,
    /// Response per slice and panel (`slices × panels`), floor-subtracted, normalised so that the
    /// panel sum at the peak slice is 1.
    pub profile: Vec<f64>,
    pub panels: usize,
    /// Slice of the peak.
    pub peak: usize,
}

impl Passby {
    /// From gross counts per slice and panel (`slices × panels`): subtract each panel's minimum, normalise.
    pub fn from_gross(gross: &[f64], panels: usize, slice_s: f64, speed_mps: f64) -> Result<Passby, PortalError> {
        if panels == 0 || gross.len() < 3 * panels || gross.len() % panels != 0 {
            return Err(PortalError::Shape("a pass-by needs at least 3 slices of every panel".into()));
        }
        if !(slice_s > 0.0 && speed_mps > 0.0 && slice_s.is_finite() && speed_mps.is_finite()) {
            return Err(PortalError::Input("a pass-by needs a positive slice time and speed".into()));
        }
        let n = gross.len() / panels;
        let clean = |x: f64| if x.is_finite() { x } else { 0.0 };
        let mins: Vec<f64> = (0..panels).map(|p| (0..n).map(|i| clean(gross[i * panels + p])).fold(f64::INFINITY, f64::min)).collect();
        let mut profile: Vec<f64> = (0..n * panels).map(|k| (clean(gross[k]) - mins[k % panels]).max(0.0)).collect();
        let totals: Vec<f64> = (0..n).map(|i| profile[i * panels..(i + 1) * panels].iter().sum()).collect();
        let (peak, &top) = totals.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).unwrap_or((0, &0.0));
        if !(top > 0.0) {
            return Err(PortalError::Input("the pass-by shows no source".into()));
        }
        profile.iter_mut().for_each(|x| *x /= top);
        Ok(Passby { slice_s, speed_mps, profile, panels, peak })
    }

    /// Response of panel `p` with the source `u` metres past the panels (negative: approaching),
    /// interpolated; 0 outside the recording.
    pub fn response(&self, p: usize, u: f64) -> f64 {
        let n = self.profile.len() / self.panels;
        let x = self.peak as f64 + u / (self.speed_mps * self.slice_s);
        if !(x >= 0.0) || x > (n - 1) as f64 {
            return 0.0;
        }
        let i = x.floor() as usize;
        let f = x - i as f64;
        let a = self.profile[i * self.panels + p];
        let b = if i + 1 < n { self.profile[(i + 1) * self.panels + p] } else { a };
        a + f * (b - a)
    }
}

/// Everything real the harness works from.
#[derive(Debug, Clone)]
pub struct Setup {
    pub edges: Vec<f64>,
    pub panels: Vec<String>,
    pub sides: Vec<u8>,
    /// Real background count rates (cps), `panels × bins`.
    pub background_cps: Vec<f64>,
    pub passby: Passby,
    pub signatures: Vec<Signature>,
}

/// Harness settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalConfig {
    pub seed: u64,
    /// False alarms per benign occupancy the thresholds are set for.
    pub far: f64,
    /// Benign occupancies to set the thresholds.
    pub benign: usize,
    /// Further benign occupancies to check the false-alarm rate.
    pub benign_check: usize,
    /// Injections per source and strength.
    pub trials: usize,
    /// Threat strengths (net cps at closest approach, 2.5 m).
    pub strengths: Vec<f64>,
    /// NORM load strengths (same unit, spread over the trailer).
    pub norm_strengths: Vec<f64>,
    pub slice_s: f64,
    pub live_fraction: f64,
    pub neutron_cps_per_panel: f64,
    /// Shadowing depth of the cab as a fraction of the trailer's (1 = uniform shadowing: no cab, no gap).
    pub cab_shadow: f64,
    /// Relative drift (1 σ) of the true background from the tracked one.
    pub drift_sd: f64,
}

impl Default for EvalConfig {
    fn default() -> Self {
        EvalConfig {
            seed: 7,
            far: 1e-3,
            benign: 20_000,
            benign_check: 10_000,
            trials: 100,
            strengths: vec![25.0, 50.0, 100.0, 200.0, 400.0, 800.0],
            norm_strengths: vec![200.0, 400.0, 800.0, 1600.0],
            slice_s: 0.25,
            live_fraction: 0.96,
            neutron_cps_per_panel: 0.5,
            cab_shadow: 0.5,
            drift_sd: 0.02,
        }
    }
}

/// The algorithms compared.
pub const ALGORITHMS: [Test; 3] = [Test::GrossCount, Test::EnergyWindow, Test::Spectral];

/// One algorithm's totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlgorithmSummary {
    pub algorithm: Test,
    /// Threshold on the statistic set for the target false-alarm rate.
    pub threshold: f64,
    /// False alarms on the independent benign check set, and the rate.
    pub benign_alarms: usize,
    pub benign_far: f64,
    /// Injected threat occupancies detected, of all.
    pub threats_detected: usize,
    pub threat_trials: usize,
    /// NORM occupancies that alarmed (nuisance alarms), of all.
    pub norm_alarms: usize,
    pub norm_trials: usize,
    pub norm_alarm_rate: f64,
    /// NORM nuisance-alarm rate with the threshold moved so this algorithm detects as many injected
    /// threats as gross count does.
    pub norm_alarm_rate_at_gross_detection: f64,
}

/// Detection (or nuisance-alarm) probability of one source at one strength.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    pub source: String,
    pub kind: Kind,
    pub strength: f64,
    pub trials: usize,
    /// Alarms per algorithm, in [`ALGORITHMS`] order.
    pub alarms: [usize; 3],
}

/// The evaluation's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub config: EvalConfig,
    pub sources: Vec<Signature>,
    pub algorithms: Vec<AlgorithmSummary>,
    pub points: Vec<Point>,
    /// Mean background (cps, whole portal) and mean benign occupancy length (slices), for scale.
    pub background_cps: f64,
    pub mean_slices: f64,
}

impl Report {
    /// Mean detection probability over threat sources at each strength, per algorithm.
    pub fn curves(&self) -> Vec<(Test, Vec<(f64, f64)>)> {
        ALGORITHMS
            .iter()
            .enumerate()
            .map(|(a, &t)| {
                let pts = self
                    .config
                    .strengths
                    .iter()
                    .map(|&s| {
                        let (hit, n) = self
                            .points
                            .iter()
                            .filter(|p| p.kind == Kind::Threat && p.strength == s)
                            .fold((0, 0), |(h, n), p| (h + p.alarms[a], n + p.trials));
                        (s, if n > 0 { hit as f64 / n as f64 } else { 0.0 })
                    })
                    .collect();
                (t, pts)
            })
            .collect()
    }

    pub fn summary(&self, t: Test) -> Option<&AlgorithmSummary> {
        self.algorithms.iter().find(|a| a.algorithm == t)
    }
}

/// A simulated vehicle.
struct Vehicle {
    speed: f64,
    length: f64,
    depth: f64,
    slices: usize,
    drift: f64,
    cab: f64,
}

const LANE_M: f64 = 5.0;
const REF_M: f64 = 2.5;
const MARGIN_M: f64 = 3.0;

fn stream(seed: u64, what: u64, a: u64, b: u64) -> ChaCha8Rng {
    let mut h = seed ^ 0x9e37_79b9_7f4a_7c15;
    for x in [what, a, b] {
        h = (h ^ x).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h ^= h >> 31;
    }
    ChaCha8Rng::seed_from_u64(h)
}

/// An injected source: strength, position in the trailer (m behind the front), lateral distance from side 0.
enum Load {
    None,
    Compact { shape: usize, strength: f64, behind_front: f64, lateral: f64 },
    Distributed { shape: usize, strength: f64 },
}

/// The simulator: draws occupancies from the setup.
pub struct Simulator<'a> {
    setup: &'a Setup,
    cfg: &'a EvalConfig,
    nb: usize,
}

impl<'a> Simulator<'a> {
    pub fn new(setup: &'a Setup, cfg: &'a EvalConfig) -> Result<Self, PortalError> {
        crate::binning::check_edges(&setup.edges)?;
        let nb = setup.edges.len() - 1;
        let np = setup.panels.len();
        if np == 0 || setup.sides.len() != np || setup.background_cps.len() != np * nb || setup.passby.panels != np {
            return Err(PortalError::Shape("harness setup: panels, sides, background and pass-by disagree".into()));
        }
        if setup.signatures.iter().any(|s| s.shape.len() != nb) {
            return Err(PortalError::Shape("harness setup: a signature is not in the harness's bins".into()));
        }
        Ok(Simulator { setup, cfg, nb })
    }

    fn vehicle(&self, rng: &mut ChaCha8Rng) -> Vehicle {
        let speed = rng.random_range(1.0..2.5);
        let length = rng.random_range(10.0..20.0);
        let depth = rng.random_range(0.05..0.35);
        let slices = ((length + 2.0 * MARGIN_M) / (speed * self.cfg.slice_s)).ceil() as usize;
        let drift = if self.cfg.drift_sd > 0.0 { Normal::new(0.0, self.cfg.drift_sd).map(|d| d.sample(rng)).unwrap_or(0.0) } else { 0.0 };
        Vehicle { speed, length, depth, slices: slices.max(8), drift, cab: self.cfg.cab_shadow }
    }

    /// Material density at `x` m behind the vehicle front: cab (a fraction), gap none, trailer full.
    fn material(v: &Vehicle, x: f64) -> f64 {
        if !(0.0..=v.length).contains(&x) {
            0.0
        } else if v.cab >= 1.0 {
            1.0
        } else if x < 3.0 {
            v.cab
        } else if x < 4.0 {
            0.0
        } else {
            1.0
        }
    }

    /// One occupancy with an optional load; the RNG decides everything else.
    fn occupancy(&self, rng: &mut ChaCha8Rng, load: &Load) -> Occupancy {
        let s = self.setup;
        let (np, nb) = (s.panels.len(), self.nb);
        let v = self.vehicle(rng);
        let n = v.slices;
        let live = (self.cfg.slice_s * self.cfg.live_fraction) as f32;
        let bg_live = 120.0;
        // Tracked background: Poisson noise of 120 s; the truth drifts from it.
        let mut est = vec![0.0; np * nb];
        for (k, &r) in s.background_cps.iter().enumerate() {
            let m = r * bg_live;
            est[k] = if m > 0.0 { Poisson::new(m).map(|d| d.sample(rng)).unwrap_or(m) / bg_live } else { 0.0 };
        }
        let truth = 1.0 + v.drift;
        let mut counts = vec![0.0f32; n * np * nb];
        let mut neutron = vec![0.0f32; n * np];
        let mut occupied = vec![false; n];
        let mut mean = vec![0.0; nb];
        // Distributed loads: point sources every 0.5 m along the trailer.
        let points: Vec<(f64, f64)> = match *load {
            Load::None => vec![],
            Load::Compact { behind_front, lateral, strength, .. } => vec![(behind_front, strength * Self::lateral_gain(lateral, 0) ), (behind_front, strength * Self::lateral_gain(lateral, 1))],
            Load::Distributed { strength, .. } => {
                let m = (((v.length - 4.5) / 0.5).floor() as usize).max(1);
                (0..m).flat_map(|j| {
                    let x = 4.5 + 0.5 * j as f64;
                    let each = strength / m as f64;
                    [(x, each * Self::lateral_gain(LANE_M / 2.0, 0)), (x, each * Self::lateral_gain(LANE_M / 2.0, 1))]
                })
                .collect()
            }
        };
        let shape = match *load {
            Load::Compact { shape, .. } | Load::Distributed { shape, .. } => Some(&s.signatures[shape].shape),
            Load::None => None,
        };
        for i in 0..n {
            let t = (i as f64 + 0.5) * self.cfg.slice_s;
            let front = -MARGIN_M + v.speed * t; // front position past the panels
            occupied[i] = front >= 0.0 && front - v.length <= 0.0;
            // Shadowing: material over the panels' ±2 m view.
            let cover = (0..9).map(|k| Self::material(&v, front - (-2.0 + 0.5 * k as f64))).sum::<f64>() / 9.0;
            let f = truth * (1.0 - v.depth * cover);
            for p in 0..np {
                // Source rate seen by this panel: points are (behind_front, strength for side j) pairs, even
                // entries side 0, odd side 1.
                let side = s.sides[p] as usize;
                let mut src = 0.0;
                for (j, &(x, st)) in points.iter().enumerate() {
                    if j % 2 == side {
                        src += st * s.passby.response(p, front - x);
                    }
                }
                for b in 0..nb {
                    let mut m = s.background_cps[p * nb + b] * f;
                    if let Some(sh) = shape {
                        m += src * sh[b];
                    }
                    m *= f64::from(live);
                    mean[b] = m;
                }
                let row = &mut counts[(i * np + p) * nb..(i * np + p + 1) * nb];
                for b in 0..nb {
                    row[b] = if mean[b] > 0.0 { Poisson::new(mean[b]).map(|d| d.sample(rng)).unwrap_or(0.0) as f32 } else { 0.0 };
                }
                let nm = self.cfg.neutron_cps_per_panel * f64::from(live);
                neutron[i * np + p] = if nm > 0.0 { Poisson::new(nm).map(|d| d.sample(rng)).unwrap_or(0.0) as f32 } else { 0.0 };
            }
        }
        Occupancy {
            panels: s.panels.clone(),
            sides: s.sides.clone(),
            edges_kev: s.edges.clone(),
            slices: n,
            live_s: vec![live; n * np],
            counts,
            neutron: Some(neutron),
            occupied,
            speed_mps: Some(v.speed),
            background: Background {
                gamma_cps: est,
                neutron_cps: Some(vec![self.cfg.neutron_cps_per_panel; np]),
                live_s: bg_live,
            },
        }
    }

    /// 1/r² gain of side `side` for a source `lateral` m from side 0, relative to 2.5 m.
    fn lateral_gain(lateral: f64, side: usize) -> f64 {
        let d = if side == 0 { lateral } else { LANE_M - lateral };
        (REF_M / d.max(0.5)).powi(2)
    }

    /// A benign occupancy (for tests and benches).
    pub fn benign(&self, seed_stream: u64) -> Occupancy {
        let mut rng = stream(self.cfg.seed, 1, seed_stream, 0);
        self.occupancy(&mut rng, &Load::None)
    }

    /// An occupancy with source `sig` (index into the setup's signatures) at `strength`.
    pub fn injected(&self, sig: usize, strength: f64, trial: u64) -> Occupancy {
        let mut rng = stream(self.cfg.seed, 3, (sig as u64) << 32 | strength.to_bits() >> 32, trial);
        let kind = self.setup.signatures.get(sig).map(|s| s.kind);
        let load = match kind {
            None => Load::None,
            Some(Kind::Norm) => Load::Distributed { shape: sig, strength },
            Some(Kind::Threat) => {
                // Position drawn after the vehicle from its own stream, so it does not disturb the vehicle draw.
                let mut pr = stream(self.cfg.seed, 4, sig as u64, trial);
                let behind = pr.random_range(4.5..9.5);
                let lateral = pr.random_range(1.0..4.0);
                Load::Compact { shape: sig, strength, behind_front: behind, lateral }
            }
        };
        self.occupancy(&mut rng, &load)
    }
}

/// The (1 − far) quantile: the value that `round(n · far)` statistics exceed.
fn threshold_for(stats: &mut [f64], far: f64) -> f64 {
    if stats.is_empty() {
        return f64::INFINITY;
    }
    stats.sort_by(|a, b| b.total_cmp(a));
    let k = ((stats.len() as f64 * far).round() as usize).min(stats.len() - 1);
    stats[k]
}

/// Run the evaluation. `progress` is called with (done, total) occupancies now and then.
pub fn run(setup: &Setup, cfg: &EvalConfig, progress: &mut dyn FnMut(usize, usize)) -> Result<Report, PortalError> {
    let sim = Simulator::new(setup, cfg)?;
    let analyzer = Analyzer::for_edges(Config::default(), &setup.edges);
    let threats: Vec<usize> = (0..setup.signatures.len()).filter(|&i| setup.signatures[i].kind == Kind::Threat).collect();
    let norms: Vec<usize> = (0..setup.signatures.len()).filter(|&i| setup.signatures[i].kind == Kind::Norm).collect();
    let total = cfg.benign + cfg.benign_check + cfg.trials * (threats.len() * cfg.strengths.len() + norms.len() * cfg.norm_strengths.len());
    let mut done = 0usize;
    let mut tick = |done: &mut usize| {
        *done += 1;
        if *done % 500 == 0 {
            progress(*done, total);
        }
    };
    let stats_of = |o: &Occupancy| -> Result<[f64; 3], PortalError> {
        let a = analyzer.analyze(o)?;
        Ok([a.statistic(Test::GrossCount), a.statistic(Test::EnergyWindow), a.statistic(Test::Spectral)])
    };
    // Calibration.
    let mut cal: [Vec<f64>; 3] = Default::default();
    let (mut bg_sum, mut slices_sum) = (0.0, 0.0);
    for t in 0..cfg.benign {
        let o = sim.benign(t as u64);
        bg_sum += o.background.gamma_cps.iter().sum::<f64>();
        slices_sum += o.slices as f64;
        let s = stats_of(&o)?;
        for a in 0..3 {
            cal[a].push(s[a]);
        }
        tick(&mut done);
    }
    let thr: Vec<f64> = cal.iter_mut().map(|v| threshold_for(v, cfg.far)).collect();
    // Independent check.
    let mut benign_alarms = [0usize; 3];
    for t in 0..cfg.benign_check {
        let s = stats_of(&sim.benign((cfg.benign + t) as u64))?;
        for a in 0..3 {
            benign_alarms[a] += usize::from(s[a] > thr[a]);
        }
        tick(&mut done);
    }
    // Injections.
    let mut points = Vec::new();
    let mut threat_stats: [Vec<f64>; 3] = Default::default();
    let mut norm_stats: [Vec<f64>; 3] = Default::default();
    for (group, strengths) in [(&threats, &cfg.strengths), (&norms, &cfg.norm_strengths)] {
        for &sig in group.iter() {
            for &st in strengths.iter() {
                let mut alarms = [0usize; 3];
                for trial in 0..cfg.trials {
                    let s = stats_of(&sim.injected(sig, st, trial as u64))?;
                    for a in 0..3 {
                        alarms[a] += usize::from(s[a] > thr[a]);
                        if setup.signatures[sig].kind == Kind::Threat {
                            threat_stats[a].push(s[a]);
                        } else {
                            norm_stats[a].push(s[a]);
                        }
                    }
                    tick(&mut done);
                }
                points.push(Point { source: setup.signatures[sig].name.clone(), kind: setup.signatures[sig].kind, strength: st, trials: cfg.trials, alarms });
            }
        }
    }
    let gross_detected = threat_stats[0].iter().filter(|&&x| x > thr[0]).count();
    let mut algorithms = Vec::new();
    for (a, &t) in ALGORITHMS.iter().enumerate() {
        let det = threat_stats[a].iter().filter(|&&x| x > thr[a]).count();
        let na = norm_stats[a].iter().filter(|&&x| x > thr[a]).count();
        // Threshold giving gross count's number of detections: the gross_detected-th largest threat statistic.
        let mut sorted = threat_stats[a].clone();
        sorted.sort_by(|x, y| y.total_cmp(x));
        let eq_thr = if gross_detected == 0 { f64::INFINITY } else { sorted.get(gross_detected - 1).copied().unwrap_or(f64::INFINITY) };
        let na_eq = norm_stats[a].iter().filter(|&&x| x >= eq_thr).count();
        let nn = norm_stats[a].len();
        algorithms.push(AlgorithmSummary {
            algorithm: t,
            threshold: thr[a],
            benign_alarms: benign_alarms[a],
            benign_far: if cfg.benign_check > 0 { benign_alarms[a] as f64 / cfg.benign_check as f64 } else { 0.0 },
            threats_detected: det,
            threat_trials: threat_stats[a].len(),
            norm_alarms: na,
            norm_trials: nn,
            norm_alarm_rate: if nn > 0 { na as f64 / nn as f64 } else { 0.0 },
            norm_alarm_rate_at_gross_detection: if nn > 0 { na_eq as f64 / nn as f64 } else { 0.0 },
        });
    }
    progress(total, total);
    Ok(Report {
        config: cfg.clone(),
        sources: setup.signatures.clone(),
        algorithms,
        points,
        background_cps: if cfg.benign > 0 { bg_sum / cfg.benign as f64 } else { 0.0 },
        mean_slices: if cfg.benign > 0 { slices_sum / cfg.benign as f64 } else { 0.0 },
    })
}

/// Analysis thresholds matching a report's calibrated ones.
pub fn thresholds(report: &Report) -> crate::Thresholds {
    let mut t = crate::Thresholds::default();
    for a in &report.algorithms {
        t.set(a.algorithm, a.threshold);
    }
    t
}

/// One labelled spectrum of the evaluation, relative to the data folder's `radiation/`.
#[derive(Debug, Clone, Copy)]
pub struct LibraryEntry {
    pub path: &'static str,
    pub name: &'static str,
    pub kind: Kind,
    /// Background measurement to subtract (same instrument), if the file is not background-subtracted.
    pub background: Option<&'static str>,
    /// CSV count column.
    pub column: Option<&'static str>,
    /// Factor the file's energy axis needs (1 for all but one file: `Hg-197m.csv` is recorded on an axis
    /// 4.008× too steep — its Au x-ray, 77, 134, 191 and 279 keV peaks sit at 4.008× those energies, which
    /// identification's gain check reports).
    pub axis_factor: f64,
}

impl LibraryEntry {
    /// Apply [`LibraryEntry::axis_factor`] to every spectrum of a file read for this entry.
    pub fn correct_axis(&self, f: &mut SpectrumFile) {
        if self.axis_factor == 1.0 {
            return;
        }
        for c in f.spectra.iter_mut().filter_map(|s| s.calibration.as_mut()) {
            c.scale(self.axis_factor);
        }
    }
}

const fn og(path: &'static str, name: &'static str, kind: Kind) -> LibraryEntry {
    LibraryEntry { path, name, kind, background: None, column: Some("Clean_Spectrum"), axis_factor: 1.0 }
}

/// The real inputs of the harness (under the data folder's `radiation/`).
pub const BACKGROUND_FILE: &str = "n42/interspec_background_20100317.n42";
pub const PASSTHROUGH_FILE: &str = "n42/interspec_passthrough.n42";

/// The labelled source and NORM spectra injected by the harness. Threats are industrial, medical and
/// calibration sources; NORM loads are K-40, uranium- and thorium-series items. La-138 and Lu-176
/// (natural, but not cargo NORM) and trinitite are left out.
pub const LIBRARY: &[LibraryEntry] = &[
    LibraryEntry { path: "n42/interspec_ba133_source_640s_20100317.n42", name: "Ba-133 (portal)", kind: Kind::Threat, background: Some(BACKGROUND_FILE), column: None, axis_factor: 1.0 },
    og("opengamma_db/Am-241.csv", "Am-241", Kind::Threat),
    og("opengamma_db/Ac-225.csv", "Ac-225", Kind::Threat),
    og("opengamma_db/Ba-131.csv", "Ba-131", Kind::Threat),
    LibraryEntry { path: "opengamma_db/Bi-207.csv", name: "Bi-207", kind: Kind::Threat, background: None, column: Some("Spectrum"), axis_factor: 1.0 },
    og("opengamma_db/Co-60.csv", "Co-60", Kind::Threat),
    og("opengamma_db/Cr-51.csv", "Cr-51", Kind::Threat),
    LibraryEntry { path: "opengamma_db/Cs-137.csv", name: "Cs-137", kind: Kind::Threat, background: None, column: Some("Spectrum"), axis_factor: 1.0 },
    og("opengamma_db/Er-169.csv", "Er-169", Kind::Threat),
    LibraryEntry { axis_factor: 1.0 / 4.008, ..og("opengamma_db/Hg-197m.csv", "Hg-197m", Kind::Threat) },
    og("opengamma_db/I-124.csv", "I-124", Kind::Threat),
    og("opengamma_db/I-125.csv", "I-125", Kind::Threat),
    og("opengamma_db/Lu-177m.csv", "Lu-177m", Kind::Threat),
    og("opengamma_db/Pb-210.csv", "Pb-210", Kind::Threat),
    og("opengamma_db/Re-186.csv", "Re-186", Kind::Threat),
    og("opengamma_db/Sm-153.csv", "Sm-153", Kind::Threat),
    LibraryEntry { path: "radiacode/Ba133_a.xml", name: "Ba-133 (CsI)", kind: Kind::Threat, background: Some("radiacode/bg.xml"), column: None, axis_factor: 1.0 },
    LibraryEntry { path: "radiacode/Co60_a.xml", name: "Co-60 (CsI)", kind: Kind::Threat, background: Some("radiacode/bg.xml"), column: None, axis_factor: 1.0 },
    LibraryEntry { path: "radiacode/data_am241.xml", name: "Am-241 (CsI)", kind: Kind::Threat, background: Some("radiacode/bg.xml"), column: None, axis_factor: 1.0 },
    og("opengamma_db/K-40.csv", "K-40", Kind::Norm),
    og("opengamma_db/CeramicPipe1820.csv", "Ceramic pipe", Kind::Norm),
    og("opengamma_db/Fiestaware.csv", "Fiestaware (U glaze)", Kind::Norm),
    og("opengamma_db/Pitchblende.csv", "Pitchblende", Kind::Norm),
    og("opengamma_db/Zeunerite.csv", "Zeunerite", Kind::Norm),
    og("opengamma_db/ThoriumSource.csv", "Thorium", Kind::Norm),
    og("opengamma_db/RadiumDial.csv", "Radium dial", Kind::Norm),
    LibraryEntry { path: "radiacode/data_th232_plus_background.xml", name: "Th-232 (CsI)", kind: Kind::Norm, background: None, column: None, axis_factor: 1.0 },
];

/// A synthetic setup for tests and benchmarks when the real data is absent: an 8-panel portal
/// (A1–A4, B1–B4) with 110 cps of K/U/Th-plus-scatter background per panel, a 1/r³-like pass-by at
/// 1.07 m/s over 133 slices, and four signatures built from line data (Ba-133, Cs-137 threats; K-40,
/// Th-series NORM).
pub fn synthetic_setup() -> Setup {
    use crate::binning::EDGES;
    use crate::templates::{K40, TH_SERIES, U_SERIES, shape};
    let edges = EDGES.to_vec();
    let nb = edges.len() - 1;
    let (k, u, th) = (shape(K40, &edges), shape(U_SERIES, &edges), shape(TH_SERIES, &edges));
    let mut sc: Vec<f64> = (0..nb).map(|b| (-(0.5 * (edges[b] + edges[b + 1]) / 200.0)).exp() * (edges[b + 1] - edges[b])).collect();
    let t: f64 = sc.iter().sum();
    sc.iter_mut().for_each(|x| *x /= t);
    let bg: Vec<f64> = (0..nb).map(|b| 110.0 * (0.45 * sc[b] + 0.2 * k[b] + 0.2 * u[b] + 0.15 * th[b])).collect();
    let panels: Vec<String> = ["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4"].iter().map(|s| s.to_string()).collect();
    let np = panels.len();
    let n = 133;
    let gross: Vec<f64> = (0..n * np)
        .map(|kk| {
            let i = kk / np;
            let u = 1.07 * 0.25 * (i as f64 - 88.0);
            1000.0 / (1.0 + (u / 2.5).powi(2)).powf(1.5) + 50.0
        })
        .collect();
    let passby = Passby::from_gross(&gross, np, 0.25, 1.07).unwrap_or(Passby { slice_s: 0.25, speed_mps: 1.07, profile: vec![0.0; n * np], panels: np, peak: 0 });
    let sig = |name: &str, kind, lines: &[(f64, f64)]| Signature::new(name, kind, "line data", &shape(lines, &edges));
    let signatures = [
        sig("Ba-133", Kind::Threat, &[(81.0, 0.33), (276.4, 0.07), (302.9, 0.18), (356.0, 0.62), (383.8, 0.09)]),
        sig("Cs-137", Kind::Threat, &[(661.7, 0.85)]),
        sig("K-40", Kind::Norm, K40),
        sig("Th-232 series", Kind::Norm, TH_SERIES),
    ]
    .into_iter()
    .flatten()
    .collect();
    Setup {
        sides: Occupancy::sides_from_names(&panels),
        background_cps: (0..np).flat_map(|_| bg.iter().copied()).collect(),
        edges,
        panels,
        passby,
        signatures,
    }
}
