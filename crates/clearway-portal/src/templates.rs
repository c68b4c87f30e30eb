//! Spectral shapes of naturally occurring radioactive material (NORM) in the algorithm's energy bins:
//! the nuisance directions the spectral test projects out.
//!
//! Built from physics, not from any measured item (so the evaluation's NORM items are not used to tune
//! the test that judges them): the principal gamma lines of K-40, the U-238 series in equilibrium (Ra-226
//! and progeny) and the Th-232 series in equilibrium, with emission probabilities per decay of the series
//! head (Tl-208 lines carry the 35.94 % branch), folded through a coarse detector response — a photopeak
//! with relative efficiency falling as E^-0.85 above 120 keV, and each line's Compton continuum spread
//! flat from the lowest edge to its Compton edge with a continuum-to-peak ratio growing with energy.

/// One gamma line: energy (keV), emissions per decay of the series head.
type Line = (f64, f64);

/// K-40: 1460.8 keV (10.66 %).
pub const K40: &[Line] = &[(1460.8, 0.1066)];

/// U-238 series in equilibrium (Th-234, Pa-234m, Ra-226, Pb-214, Bi-214), with U-235 at natural abundance.
pub const U_SERIES: &[Line] = &[
    (63.3, 0.037),
    (92.6, 0.056),
    (185.7, 0.0263),
    (186.2, 0.0364),
    (241.9, 0.0743),
    (295.2, 0.1928),
    (351.9, 0.356),
    (609.3, 0.4549),
    (768.4, 0.0489),
    (934.1, 0.031),
    (1001.0, 0.0084),
    (1120.3, 0.1491),
    (1238.1, 0.0583),
    (1377.7, 0.0399),
    (1764.5, 0.1531),
    (2204.2, 0.0489),
];

/// Th-232 series in equilibrium (Ac-228, Pb-212, Bi-212, Tl-208 × 0.3594).
pub const TH_SERIES: &[Line] = &[
    (209.3, 0.0389),
    (238.6, 0.436),
    (241.0, 0.041),
    (300.1, 0.0318),
    (338.3, 0.1127),
    (510.8, 0.0812),
    (583.2, 0.3055),
    (727.3, 0.0667),
    (794.9, 0.0425),
    (860.6, 0.0448),
    (911.2, 0.258),
    (964.8, 0.0499),
    (969.0, 0.158),
    (2614.5, 0.3578),
];

fn photopeak_efficiency(e: f64) -> f64 {
    if e >= 120.0 { (e / 120.0).powf(-0.85) } else { (e / 120.0).powi(2).max(0.05) }
}

fn continuum_to_peak(e: f64) -> f64 {
    (2.5 * (e / 662.0).powf(0.5)).clamp(0.1, 6.0)
}

/// The shape of a set of lines in the bins `edges` (normalised to sum 1; all zero if nothing falls in).
pub fn shape(lines: &[Line], edges: &[f64]) -> Vec<f64> {
    let nb = edges.len().saturating_sub(1);
    let mut out = vec![0.0; nb];
    if nb == 0 {
        return out;
    }
    let (lo, hi) = (edges[0], edges[nb]);
    for &(e, y) in lines {
        let peak = y * photopeak_efficiency(e);
        if let Some(b) = crate::binning::bin_of(edges, e) {
            out[b] += peak;
        }
        // Compton edge: E · 2E/m c² / (1 + 2E/m c²).
        let k = 2.0 * e / 511.0;
        let edge = (e * k / (1.0 + k)).min(hi);
        if edge > lo {
            let total = peak * continuum_to_peak(e);
            let density = total / (edge - lo);
            for (b, slot) in out.iter_mut().enumerate() {
                let (a, z) = (edges[b], edges[b + 1].min(edge));
                if z > a {
                    *slot += density * (z - a);
                }
            }
        }
    }
    let sum: f64 = out.iter().sum();
    if sum > 0.0 {
        out.iter_mut().for_each(|x| *x /= sum);
    }
    out
}

/// Natural uranium chemically separated from its radium (uranium glazes, uranium glass): U-238 with
/// Th-234 and Pa-234m, U-235 at natural abundance, no Ra-226 progeny.
pub const URANIUM: &[Line] = &[(63.3, 0.037), (92.6, 0.056), (143.8, 0.00504), (163.3, 0.00234), (185.7, 0.0263), (205.3, 0.0023), (766.4, 0.0032), (1001.0, 0.0084)];

/// The NORM shapes in `edges`, named: K-40, the U-238 series, the Th-232 series and separated natural
/// uranium (glazes).
pub fn norm_shapes(edges: &[f64]) -> Vec<(&'static str, Vec<f64>)> {
    vec![
        ("K-40", shape(K40, edges)),
        ("U-238 series", shape(U_SERIES, edges)),
        ("Th-232 series", shape(TH_SERIES, edges)),
        ("uranium", shape(URANIUM, edges)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binning::{EDGES, bin_of};

    #[test]
    fn shapes_put_weight_on_their_lines() {
        let k = shape(K40, &EDGES);
        assert!((k.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let kb = bin_of(&EDGES, 1460.8).unwrap();
        assert!(k[kb] > 0.1 && k[kb] == k.iter().cloned().fold(0.0, f64::max));
        let th = shape(TH_SERIES, &EDGES);
        assert!(th[bin_of(&EDGES, 238.6).unwrap()] > th[bin_of(&EDGES, 661.7).unwrap()]);
        assert!(shape(U_SERIES, &[0.0]).is_empty());
    }
}

