//! Small, dependency-free statistics: the normal tail and its inverse, the Poisson upper tail, the
//! Poisson deviance z, the Wilson–Hilferty χ² → z transform and the Šidák per-test level.
//!
//! Everything returns a finite number for every input (NaN and infinities are mapped to the nearest
//! meaningful finite value), so no NaN reaches a decision.

use std::f64::consts::{PI, SQRT_2};

/// erfc(x) for x ≥ 0: a power series below 2.5, a continued fraction above.
fn erfc_pos(x: f64) -> f64 {
    if x < 2.5 {
        // erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1))
        let x2 = x * x;
        let mut term = x; // (-1)^n x^(2n+1) / n!
        let mut sum = x;
        let mut n = 0.0;
        loop {
            n += 1.0;
            term *= -x2 / n;
            let t = term / (2.0 * n + 1.0);
            sum += t;
            if t.abs() <= 1e-16 * sum.abs() || n > 200.0 {
                break;
            }
        }
        1.0 - 2.0 / PI.sqrt() * sum
    } else {
        // erfc(x) = exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))
        let mut f = x;
        for k in (1..=80).rev() {
            f = x + (k as f64 / 2.0) / f;
        }
        (-x * x).exp() / PI.sqrt() / f
    }
}

/// Upper tail of the standard normal, P(Z > z).
pub fn norm_sf(z: f64) -> f64 {
    if z.is_nan() {
        return 0.5;
    }
    if z >= 0.0 { 0.5 * erfc_pos(z / SQRT_2) } else { 1.0 - 0.5 * erfc_pos(-z / SQRT_2) }
}

fn norm_pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * PI).sqrt()
}

/// The z with P(Z > z) = p (inverse upper tail), for p in (0, 1); clamped to ±38.
pub fn norm_isf(p: f64) -> f64 {
    if p.is_nan() {
        return 0.0;
    }
    if p <= 1e-300 {
        return 37.0;
    }
    if p >= 1.0 {
        return -37.0;
    }
    if p > 0.5 {
        return -norm_isf(1.0 - p);
    }
    // Start from the tail asymptote, then Newton on ln P(Z > z) = ln p.
    let t = (-2.0 * p.ln()).sqrt();
    let mut z = (t - (t.ln() + (4.0 * PI).ln() * 0.5) / t).max(0.0);
    let lp = p.ln();
    for _ in 0..40 {
        let sf = norm_sf(z).max(1e-320);
        let step = (sf.ln() - lp) / (norm_pdf(z) / sf);
        z += step;
        if step.abs() < 1e-12 {
            break;
        }
    }
    if z.is_finite() { z.clamp(-37.0, 37.0) } else { 0.0 }
}

/// ln Γ(x) for x > 0 (Stirling series after shifting x above 10).
pub fn ln_gamma(x: f64) -> f64 {
    if !(x > 0.0) || !x.is_finite() {
        return 0.0;
    }
    let mut shift = 0.0;
    let mut x = x;
    while x < 10.0 {
        shift -= x.ln();
        x += 1.0;
    }
    let x2 = x * x;
    let series = 1.0 / (12.0 * x) - 1.0 / (360.0 * x * x2) + 1.0 / (1260.0 * x2 * x2 * x) - 1.0 / (1680.0 * x2 * x2 * x2 * x);
    shift + (x - 0.5) * x.ln() - x + 0.5 * (2.0 * PI).ln() + series
}

/// P(X ≥ k) for X ~ Poisson(mu). Sums the probability mass from k upward (or its complement below k).
pub fn poisson_sf(k: u64, mu: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if !(mu > 0.0) || !mu.is_finite() {
        return if mu.is_infinite() && mu > 0.0 { 1.0 } else { 0.0 };
    }
    let ln_pmf = |j: f64| j * mu.ln() - mu - ln_gamma(j + 1.0);
    let kf = k as f64;
    if kf > mu {
        // Upper sum: terms fall from k on.
        let mut term = ln_pmf(kf).exp();
        let mut sum: f64 = 0.0;
        let mut j = kf;
        while term > 1e-18 * sum.max(1e-300) && j < kf + 1e6 {
            sum += term;
            j += 1.0;
            term *= mu / j;
        }
        sum.min(1.0)
    } else {
        // Lower sum below k, downward from k − 1.
        let mut j = kf - 1.0;
        let mut term = ln_pmf(j).exp();
        let mut sum: f64 = 0.0;
        while j >= 0.0 && term > 1e-18 * sum.max(1e-300) {
            sum += term;
            term *= j / mu;
            j -= 1.0;
        }
        (1.0 - sum).clamp(0.0, 1.0)
    }
}

/// Signed Poisson deviance: the z of observing `obs` counts when `mu` are expected, accurate in the
/// tails where the normal approximation is not (sign(obs − mu) · √(2 (obs ln(obs/mu) − (obs − mu)))).
pub fn poisson_z(obs: f64, mu: f64) -> f64 {
    if !(mu > 0.0) || !obs.is_finite() || !mu.is_finite() {
        return 0.0;
    }
    let obs = obs.max(0.0);
    let d = if obs > 0.0 { obs * (obs / mu).ln() - (obs - mu) } else { mu };
    let z = (2.0 * d.max(0.0)).sqrt();
    if obs >= mu { z } else { -z }
}

/// Wilson–Hilferty: the normal deviate of a χ² value with `dof` degrees of freedom.
pub fn chi2_z(chi2: f64, dof: f64) -> f64 {
    if !(dof > 0.0) || !chi2.is_finite() {
        return 0.0;
    }
    let a = 2.0 / (9.0 * dof);
    ((chi2.max(0.0) / dof).cbrt() - (1.0 - a)) / a.sqrt()
}

/// Per-test level so that `n_tests` independent tests together give `alpha` (Šidák).
pub fn sidak(alpha: f64, n_tests: f64) -> f64 {
    let alpha = if alpha.is_finite() { alpha.clamp(1e-300, 0.5) } else { 1e-3 };
    let n = if n_tests.is_finite() { n_tests.max(1.0) } else { 1.0 };
    // 1 − (1 − α)^(1/n), computed without cancellation.
    -((-alpha).ln_1p() / n).exp_m1()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_tail_known_values() {
        assert!((norm_sf(0.0) - 0.5).abs() < 1e-15);
        assert!((norm_sf(1.959963984540054) - 0.025).abs() < 1e-12);
        assert!((norm_sf(3.090232306167813) - 0.001).abs() < 1e-13);
        assert!((norm_sf(6.0) - 9.865876450377e-10).abs() < 1e-20);
        assert!((norm_sf(-1.0) - 0.8413447460685429).abs() < 1e-13);
        for p in [0.4, 0.1, 1e-3, 1e-6, 1e-12, 1e-30] {
            let z = norm_isf(p);
            assert!(((norm_sf(z) - p) / p).abs() < 1e-9, "{p} {z}");
        }
        assert!((norm_isf(0.975) + 1.959963984540054).abs() < 1e-9);
        assert_eq!(norm_isf(f64::NAN), 0.0);
    }

    #[test]
    fn poisson_tail_known_values() {
        // P(X ≥ 1 | 1) = 1 − e^-1
        assert!((poisson_sf(1, 1.0) - (1.0 - (-1f64).exp())).abs() < 1e-11);
        // P(X ≥ 10 | 3) = 0.0011025…
        assert!((poisson_sf(10, 3.0) - 0.001102488).abs() < 1e-8);
        // P(X ≥ 100 | 100) ≈ 0.51330
        assert!((poisson_sf(100, 100.0) - 0.5132988).abs() < 1e-6);
        assert_eq!(poisson_sf(0, 5.0), 1.0);
        assert_eq!(poisson_sf(3, 0.0), 0.0);
        assert!((ln_gamma(5.0) - 24f64.ln()).abs() < 1e-12);
        assert!((ln_gamma(0.5) - PI.sqrt().ln()).abs() < 1e-12);
    }

    #[test]
    fn transforms() {
        assert_eq!(poisson_z(100.0, 100.0), 0.0);
        assert!(poisson_z(130.0, 100.0) > 2.8 && poisson_z(130.0, 100.0) < 3.0);
        assert!(poisson_z(0.0, 4.0) < -2.8);
        assert_eq!(poisson_z(f64::NAN, 1.0), 0.0);
        // χ²(20) 99.9th percentile is 45.31
        assert!((chi2_z(45.315, 20.0) - 3.09).abs() < 0.03);
        let a = sidak(1e-3, 100.0);
        assert!((1.0 - (1.0 - a).powi(100) - 1e-3).abs() < 1e-12);
    }
}
