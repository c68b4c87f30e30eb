//! Energy bins: the few dozen windows the portal algorithms work in, and rebinning a channel spectrum
//! (with its energy calibration) into them.
//!
//! The default edges are chosen so that the lines that matter at a portal fall into different bins:
//! Am-241 59.5, Ba-133 81 / 356, Tc-99m 140.5, U-235 185.7, Pb-212 238.6, Ir-192 316.5, Bi-214 609.3,
//! Cs-137 661.7, Co-60 1173.2 / 1332.5, K-40 1460.8 keV.

use crate::PortalError;

/// Default bin edges (keV) up to 1650 keV (the energy range of the labelled library spectra used by the
/// evaluation); [`EDGES_3MEV`] continues to 3 MeV for files that reach it.
pub const EDGES: [f64; 23] = [
    30.0, 50.0, 70.0, 100.0, 130.0, 160.0, 200.0, 250.0, 310.0, 340.0, 375.0, 420.0, 480.0, 560.0, 630.0, 700.0, 800.0,
    900.0, 1050.0, 1250.0, 1400.0, 1520.0, 1650.0,
];

/// [`EDGES`] continued to 3 MeV (Bi-214 1764, 2204; Tl-208 2614 keV).
pub const EDGES_3MEV: [f64; 26] = [
    30.0, 50.0, 70.0, 100.0, 130.0, 160.0, 200.0, 250.0, 310.0, 340.0, 375.0, 420.0, 480.0, 560.0, 630.0, 700.0, 800.0,
    900.0, 1050.0, 1250.0, 1400.0, 1520.0, 1650.0, 2000.0, 2400.0, 3000.0,
];

/// Index of the bin holding energy `e` (keV), if inside the edges.
pub fn bin_of(edges: &[f64], e: f64) -> Option<usize> {
    if edges.len() < 2 || !(e >= edges[0]) || e >= edges[edges.len() - 1] {
        return None;
    }
    Some(edges.partition_point(|&x| x <= e) - 1)
}

/// Check that edges are finite and strictly increasing, with at least one bin.
pub fn check_edges(edges: &[f64]) -> Result<(), PortalError> {
    if edges.len() < 2 {
        return Err(PortalError::Shape("energy bins need at least two edges".into()));
    }
    if edges.iter().any(|e| !e.is_finite()) || edges.windows(2).any(|w| w[1] <= w[0]) {
        return Err(PortalError::Shape("energy bin edges must be finite and strictly increasing".into()));
    }
    Ok(())
}

/// Energy (keV) at the low edge of channel `ch` for polynomial calibration coefficients
/// (E = c0 + c1·ch + c2·ch² + …).
pub fn channel_energy(coeffs: &[f64], ch: f64) -> f64 {
    coeffs.iter().rev().fold(0.0, |acc, c| acc * ch + c)
}

/// Rebin channel counts into `edges`, sharing each channel's counts between the bins its energy span
/// overlaps. Negative or non-finite channel counts count as zero. Errors when the calibration does not
/// increase over the channels used.
pub fn rebin_channels(counts: &[f64], coeffs: &[f64], edges: &[f64]) -> Result<Vec<f64>, PortalError> {
    rebin_by(counts, |c| channel_energy(coeffs, c as f64), edges)
}

/// Rebin counts given the low edge of every channel plus the upper edge of the last one
/// (`lows.len() == counts.len() + 1`).
pub fn rebin_with_energies(counts: &[f64], lows: &[f64], edges: &[f64]) -> Result<Vec<f64>, PortalError> {
    if lows.len() != counts.len() + 1 {
        return Err(PortalError::Shape(format!("{} channel edges for {} channels", lows.len(), counts.len())));
    }
    rebin_by(counts, |c| lows[c], edges)
}

/// Rebin counts with `edge(c)` the energy of the low edge of channel `c` (and `edge(n)` the upper edge
/// of the last). Only channels with counts are visited, so sparse slices of long spectra are cheap.
pub fn rebin_by(counts: &[f64], edge: impl Fn(usize) -> f64, edges: &[f64]) -> Result<Vec<f64>, PortalError> {
    check_edges(edges)?;
    let nb = edges.len() - 1;
    let mut out = vec![0.0; nb];
    let (lo_all, hi_all) = (edges[0], edges[nb]);
    for (c, &n) in counts.iter().enumerate() {
        if !(n > 0.0) || !n.is_finite() {
            continue;
        }
        let (a, b) = (edge(c), edge(c + 1));
        if !a.is_finite() || !b.is_finite() || b <= a {
            if b < hi_all && a > lo_all {
                return Err(PortalError::Calibration(format!("energy calibration does not increase at channel {c}")));
            }
            continue;
        }
        if b <= lo_all || a >= hi_all {
            continue;
        }
        let width = b - a;
        let mut k = bin_of(edges, a.max(lo_all)).unwrap_or(0);
        let mut x = a.max(lo_all);
        let end = b.min(hi_all);
        while x < end && k < nb {
            let upper = edges[k + 1].min(end);
            out[k] += n * (upper - x) / width;
            x = upper;
            k += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fall_in_distinct_bins() {
        let b = |e| bin_of(&EDGES, e).unwrap();
        assert_ne!(b(609.3), b(661.7));
        assert_ne!(b(1332.5), b(1460.8));
        assert_ne!(b(1173.2), b(1332.5));
        assert_ne!(b(59.5), b(81.0));
        assert_eq!(bin_of(&EDGES, 10.0), None);
        assert_eq!(bin_of(&EDGES, 1650.0), None);
        assert_eq!(bin_of(&EDGES, f64::NAN), None);
    }

    #[test]
    fn rebin_conserves_counts_inside_range() {
        // 0.5 keV per channel from 0: 4000 channels to 2000 keV, 1 count each.
        let counts = vec![1.0; 4000];
        let out = rebin_channels(&counts, &[0.0, 0.5], &EDGES).unwrap();
        let total: f64 = out.iter().sum();
        assert!((total - (1650.0 - 30.0) * 2.0).abs() < 1e-6, "{total}");
        assert!((out[0] - 40.0).abs() < 1e-9);
        // Negative counts are ignored, a falling calibration is an error.
        assert_eq!(rebin_channels(&[-5.0, 2.0], &[100.0, 1.0], &EDGES).unwrap().iter().sum::<f64>(), 2.0);
        assert!(rebin_channels(&[1.0; 10], &[500.0, -10.0], &EDGES).is_err());
        assert!(check_edges(&[1.0, 1.0]).is_err());
    }
}
