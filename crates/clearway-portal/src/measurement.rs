//! From `clearway-spectra` readings to the portal's types: binned spectra, a background, an occupancy.
//!
//! Panels are the file's detectors (spectra first, then gross counts); slices are the file's time
//! slices. A detector with spectra is rebinned into the energy bins with its calibration; a portal that
//! gives gross counts only becomes a one-bin occupancy (the energy tests then say "not applicable").
//! Neutron gross counts become the occupancy's neutron counts. The background is either given (another
//! file, e.g. the portal's background measurement) or tracked over the file's unoccupied slices.

use clearway_spectra::{Calibration, Radiation, Spectrum, SpectrumFile};

use crate::binning::{rebin_by, rebin_with_energies};
use crate::occupancy::{Background, BackgroundTracker, Occupancy};
use crate::PortalError;

/// A spectrum's counts in `edges` (keV). Errors without a usable calibration.
pub fn binned(s: &Spectrum, edges: &[f64]) -> Result<Vec<f64>, PortalError> {
    let cal = s.calibration.as_ref().ok_or_else(|| PortalError::Calibration(format!("spectrum of {:?} has no energy calibration", s.detector)))?;
    let n = s.counts.len();
    if !cal.is_monotonic(n) {
        return Err(PortalError::Calibration(format!("spectrum of {:?}: calibration does not increase", s.detector)));
    }
    match cal {
        Calibration::LowerEdges { energies } if energies.len() > n => rebin_with_energies(&s.counts, &energies[..=n], edges),
        _ => rebin_by(&s.counts, |c| cal.energy(c as f64), edges),
    }
}

fn live_of(s: &Spectrum, file: &SpectrumFile) -> f64 {
    s.live_time_s
        .or(s.real_time_s)
        .or_else(|| file.slices.get(s.slice).and_then(|sl| sl.real_time_s))
        .filter(|x| x.is_finite() && *x > 0.0)
        .unwrap_or(0.0)
}

/// Detector names with gamma data: spectra first, then gamma gross counts.
fn gamma_panels(file: &SpectrumFile) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let names = file.spectra.iter().map(|s| &s.detector).chain(
        file.gross_counts.iter().filter(|g| g.radiation == Radiation::Gamma).map(|g| &g.detector),
    );
    for n in names {
        if !out.contains(n) {
            out.push(n.clone());
        }
    }
    out
}

/// Background count rates per panel (`panels × bins`) from a background measurement: every spectrum of
/// a panel summed and divided by its live time. Panels missing from the file are an error.
pub fn background_from_file(file: &SpectrumFile, panels: &[String], edges: &[f64]) -> Result<Background, PortalError> {
    let nb = edges.len().saturating_sub(1);
    let mut rates = vec![0.0; panels.len() * nb];
    let mut min_live = f64::INFINITY;
    let one_bin = nb == 1;
    for (p, name) in panels.iter().enumerate() {
        let (mut sum, mut live) = (vec![0.0; nb], 0.0);
        for s in file.spectra.iter().filter(|s| &s.detector == name) {
            let lt = live_of(s, file);
            if lt <= 0.0 {
                continue;
            }
            let b = if one_bin { vec![s.total().max(0.0)] } else { binned(s, edges)? };
            sum.iter_mut().zip(&b).for_each(|(a, x)| *a += x);
            live += lt;
        }
        if live <= 0.0 && one_bin {
            for g in file.gross_counts.iter().filter(|g| &g.detector == name && g.radiation == Radiation::Gamma) {
                let lt = g.live_time_s.or(g.real_time_s).or_else(|| file.slices.get(g.slice).and_then(|s| s.real_time_s)).unwrap_or(0.0);
                if lt > 0.0 {
                    sum[0] += g.counts.max(0.0);
                    live += lt;
                }
            }
        }
        if live <= 0.0 {
            return Err(PortalError::Input(format!("background has no data with live time for panel {name:?}")));
        }
        min_live = min_live.min(live);
        for b in 0..nb {
            rates[p * nb + b] = sum[b] / live;
        }
    }
    Ok(Background { gamma_cps: rates, neutron_cps: None, live_s: if min_live.is_finite() { min_live } else { 1.0 } })
}

/// An occupancy from a portal file. With `background` None, the background is tracked over the file's
/// unoccupied slices (an error when there are none). Returns notes on anything repaired or assumed.
pub fn occupancy_from_file(
    file: &SpectrumFile,
    edges: &[f64],
    background: Option<Background>,
) -> Result<(Occupancy, Vec<String>), PortalError> {
    crate::binning::check_edges(edges)?;
    let mut notes = Vec::new();
    let panels = gamma_panels(file);
    if panels.is_empty() {
        return Err(PortalError::Input("the file has no gamma spectra or gross counts".into()));
    }
    let has_spectra = !file.spectra.is_empty();
    let edges: Vec<f64> = if has_spectra { edges.to_vec() } else { vec![edges[0], edges[edges.len() - 1]] };
    let nb = edges.len() - 1;
    let np = panels.len();
    let slice_ids: Vec<usize> = {
        let mut v: Vec<usize> =
            file.spectra.iter().map(|s| s.slice).chain(file.gross_counts.iter().map(|g| g.slice)).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let n = slice_ids.len();
    let pos = |d: &str| panels.iter().position(|x| x == d);
    let slot = |sl: usize| slice_ids.binary_search(&sl).ok();
    let mut counts = vec![0.0f32; n * np * nb];
    let mut live = vec![0.0f32; n * np];
    let mut missing_cal = 0;
    for s in &file.spectra {
        let (Some(i), Some(p)) = (slot(s.slice), pos(&s.detector)) else { continue };
        let b = if nb == 1 {
            vec![s.total().max(0.0)]
        } else {
            match binned(s, &edges) {
                Ok(b) => b,
                Err(_) => {
                    missing_cal += 1;
                    continue;
                }
            }
        };
        let row = &mut counts[(i * np + p) * nb..(i * np + p + 1) * nb];
        row.iter_mut().zip(&b).for_each(|(r, x)| *r += *x as f32);
        live[i * np + p] = live_of(s, file) as f32;
    }
    if missing_cal > 0 {
        notes.push(format!("{missing_cal} spectra without a usable energy calibration were left out"));
    }
    if !has_spectra {
        for g in file.gross_counts.iter().filter(|g| g.radiation == Radiation::Gamma) {
            let (Some(i), Some(p)) = (slot(g.slice), pos(&g.detector)) else { continue };
            counts[i * np + p] += g.counts.max(0.0) as f32;
            let lt = g.live_time_s.or(g.real_time_s).or_else(|| file.slices.get(g.slice).and_then(|s| s.real_time_s)).unwrap_or(0.0);
            live[i * np + p] = lt as f32;
        }
    }
    let neutrons = file.gross_neutron();
    let neutron = (!neutrons.is_empty()).then(|| {
        let mut v = vec![0.0f32; n * np];
        for g in neutrons {
            // Neutron detectors are often separate elements: attribute to the gamma panel of the same
            // name, else spread over the slice's first panel.
            if let Some(i) = slot(g.slice) {
                let p = pos(&g.detector).unwrap_or(0);
                v[i * np + p] += g.counts.max(0.0) as f32;
            }
        }
        v
    });
    let occupied: Vec<bool> = slice_ids.iter().map(|&sl| file.slices.get(sl).and_then(|s| s.occupied).unwrap_or(true)).collect();
    if file.slices.iter().all(|s| s.occupied.is_none()) {
        notes.push("no occupancy flags in the file: every slice taken as occupied".into());
    }
    let speed = file.slices.iter().find_map(|s| s.speed.as_ref().and_then(|v| v.m_per_s));
    let background = match background {
        Some(b) => b,
        None => {
            let mut t = BackgroundTracker::new(np, nb, 120.0);
            for i in (0..n).filter(|&i| !occupied[i]) {
                t.update(&counts[i * np * nb..(i + 1) * np * nb], neutron.as_ref().map(|v| &v[i * np..(i + 1) * np]), &live[i * np..(i + 1) * np]);
            }
            t.background().ok_or_else(|| {
                PortalError::Input("no background: the file has no unoccupied slices; give a background measurement".into())
            })?
        }
    };
    let mut occ = Occupancy {
        sides: Occupancy::sides_from_names(&panels),
        panels,
        edges_kev: edges,
        slices: n,
        live_s: live,
        counts,
        neutron,
        occupied,
        speed_mps: speed,
        background,
    };
    if occ.background.neutron_cps.is_none() && occ.neutron.is_some() {
        notes.push("neutron counts but no neutron background: neutron test not applicable".into());
    }
    let fixed = occ.validate()?;
    if fixed > 0 {
        notes.push(format!("{fixed} negative or non-finite values set to 0"));
    }
    Ok((occ, notes))
}

/// The net spectrum of a source file in `edges`: its foreground spectra summed (for a CSV, the selected
/// column only), minus the background — a background-class spectrum in the same file, else the
/// separate `background` file — scaled by live time.
pub fn net_binned(file: &SpectrumFile, background: Option<&SpectrumFile>, edges: &[f64]) -> Result<Vec<f64>, PortalError> {
    let nb = edges.len().saturating_sub(1);
    let is_bg = |s: &Spectrum| s.class.as_deref().is_some_and(|c| c.eq_ignore_ascii_case("background"));
    let fg: Vec<&Spectrum> = if file.format == clearway_spectra::Format::Csv {
        file.primary_spectrum().into_iter().collect()
    } else {
        file.spectra.iter().filter(|s| !is_bg(s)).collect()
    };
    if fg.is_empty() {
        return Err(PortalError::Input("no foreground spectrum".into()));
    }
    let mut sum = vec![0.0; nb];
    let mut live = 0.0;
    for s in &fg {
        let b = binned(s, edges)?;
        sum.iter_mut().zip(&b).for_each(|(a, x)| *a += x);
        live += live_of(s, file);
    }
    let bg_specs: Vec<(&Spectrum, &SpectrumFile)> = match background {
        Some(bf) => bf.spectra.iter().map(|s| (s, bf)).collect(),
        None if file.format != clearway_spectra::Format::Csv => file.spectra.iter().filter(|s| is_bg(s)).map(|s| (s, file)).collect(),
        None => Vec::new(),
    };
    if !bg_specs.is_empty() && live > 0.0 {
        let mut bsum = vec![0.0; nb];
        let mut blive = 0.0;
        for (s, f) in bg_specs {
            let b = binned(s, edges)?;
            bsum.iter_mut().zip(&b).for_each(|(a, x)| *a += x);
            blive += live_of(s, f);
        }
        if blive > 0.0 {
            let k = live / blive;
            sum.iter_mut().zip(&bsum).for_each(|(a, b)| *a -= k * b);
        }
    }
    Ok(sum)
}

/// The harness's real inputs: the portal background measurement, a vehicle passage with a source (its
/// pass-by profile) and the labelled source spectra (`(name, kind, origin, file, background file)`).
pub fn harness_setup(
    background: &SpectrumFile,
    passthrough: &SpectrumFile,
    sources: &[(String, crate::eval::Kind, String, &SpectrumFile, Option<&SpectrumFile>)],
    edges: &[f64],
) -> Result<(crate::eval::Setup, Vec<String>), PortalError> {
    let mut notes = Vec::new();
    let panels = gamma_panels(background);
    let bg = background_from_file(background, &panels, edges)?;
    // Pass-by: gross counts (inside the bins' range) per slice and panel of the passage.
    let (occ, _) = occupancy_from_file(passthrough, edges, Some(bg.clone()))?;
    if occ.panels != panels {
        return Err(PortalError::Input(format!("passage panels {:?} differ from background panels {:?}", occ.panels, panels)));
    }
    let np = panels.len();
    let gross: Vec<f64> = (0..occ.slices * np).map(|k| occ.gross(k / np, k % np)).collect();
    let slice_s = passthrough.slices.iter().find_map(|s| s.real_time_s).unwrap_or(0.25);
    let speed = occ.speed_mps.unwrap_or_else(|| {
        notes.push("passage has no speed: 1.07 m/s assumed".into());
        1.07
    });
    let passby = crate::eval::Passby::from_gross(&gross, np, slice_s, speed)?;
    let mut signatures = Vec::new();
    for (name, kind, origin, f, b) in sources {
        match net_binned(f, *b, edges).map(|v| crate::eval::Signature::new(name.clone(), *kind, origin.clone(), &v)) {
            Ok(Some(s)) => signatures.push(s),
            Ok(None) => notes.push(format!("{name}: no net counts in the energy range, left out")),
            Err(e) => notes.push(format!("{name}: {e}, left out")),
        }
    }
    let setup = crate::eval::Setup {
        edges: edges.to_vec(),
        sides: Occupancy::sides_from_names(&panels),
        panels,
        background_cps: bg.gamma_cps,
        passby,
        signatures,
    };
    Ok((setup, notes))
}
