//! The identification library: *sources* (what an officer would name — `Cs-137`, `Th-232` series,
//! `Ga-68` …) built from per-nuclide gamma and x-ray lines and a table of decay-chain members
//! ([`SOURCES`]: member nuclides with branching / equilibrium activity ratios, and a [`Class`]).
//!
//! Line data come from the text of `nuclide_data/lines_decay_2012.min.json` (FISPACT-II decay_2012,
//! absolute emission probability = intensity × norm; [`Library::from_decay_json`]) or the derived CSV
//! `gamma_lines_decay2012_selected.csv` ([`Library::from_selected_csv`]); without either, [`Library::builtin`]
//! holds the key lines of the brief.

use serde::{Deserialize, Serialize};

/// Class of a source, as the pipeline acts on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Class {
    /// Naturally occurring radioactive material (K-40, U and Th series, Ra-226, La-138, Lu-176 ...).
    #[serde(rename = "NORM")]
    Norm,
    /// Medical isotopes (diagnostics and therapy).
    #[serde(rename = "medical")]
    Medical,
    /// Industrial and calibration sources.
    #[serde(rename = "industrial")]
    Industrial,
    /// Special nuclear material (enriched U, Pu, U-233) and Np-237.
    #[serde(rename = "SNM")]
    Snm,
}

impl Class {
    pub fn name(self) -> &'static str {
        match self {
            Class::Norm => "NORM",
            Class::Medical => "medical",
            Class::Industrial => "industrial",
            Class::Snm => "SNM",
        }
    }
}

/// One source definition: name, class, members `(nuclide as in the decay data, activity per parent decay)`.
pub struct SourceDef {
    pub name: &'static str,
    pub class: Class,
    pub members: &'static [(&'static str, f64)],
}

use Class::*;

/// The sources identification considers. Member activity ratios are facts of the decay schemes
/// (secular equilibrium for the natural series; branching fractions otherwise).
pub const SOURCES: &[SourceDef] = &[
    // industrial and calibration
    SourceDef { name: "Am-241", class: Industrial, members: &[("Am241", 1.0)] },
    SourceDef { name: "Ba-133", class: Industrial, members: &[("Ba133", 1.0)] },
    SourceDef { name: "Cd-109", class: Industrial, members: &[("Cd109", 1.0), ("Ag109m", 1.0)] },
    SourceDef { name: "Co-57", class: Industrial, members: &[("Co57", 1.0)] },
    SourceDef { name: "Co-60", class: Industrial, members: &[("Co60", 1.0)] },
    SourceDef { name: "Cs-134", class: Industrial, members: &[("Cs134", 1.0)] },
    SourceDef { name: "Cs-137", class: Industrial, members: &[("Cs137", 1.0), ("Ba137m", 0.944)] },
    SourceDef { name: "Eu-152", class: Industrial, members: &[("Eu152", 1.0)] },
    SourceDef { name: "Eu-154", class: Industrial, members: &[("Eu154", 1.0)] },
    SourceDef { name: "Eu-155", class: Industrial, members: &[("Eu155", 1.0)] },
    SourceDef { name: "Ir-192", class: Industrial, members: &[("Ir192", 1.0)] },
    SourceDef { name: "Se-75", class: Industrial, members: &[("Se75", 1.0)] },
    SourceDef { name: "Yb-169", class: Industrial, members: &[("Yb169", 1.0)] },
    SourceDef { name: "Gd-153", class: Industrial, members: &[("Gd153", 1.0)] },
    SourceDef { name: "Tm-170", class: Industrial, members: &[("Tm170", 1.0)] },
    SourceDef { name: "Mn-54", class: Industrial, members: &[("Mn54", 1.0)] },
    SourceDef { name: "Na-22", class: Industrial, members: &[("Na22", 1.0)] },
    SourceDef { name: "Y-88", class: Industrial, members: &[("Y88", 1.0)] },
    SourceDef { name: "Zn-65", class: Industrial, members: &[("Zn65", 1.0)] },
    SourceDef { name: "Bi-207", class: Industrial, members: &[("Bi207", 1.0)] },
    SourceDef { name: "Ag-110m", class: Industrial, members: &[("Ag110m", 1.0)] },
    SourceDef { name: "Sb-124", class: Industrial, members: &[("Sb124", 1.0)] },
    SourceDef { name: "Sb-125", class: Industrial, members: &[("Sb125", 1.0)] },
    SourceDef { name: "Hg-203", class: Industrial, members: &[("Hg203", 1.0)] },
    SourceDef { name: "Fe-59", class: Industrial, members: &[("Fe59", 1.0)] },
    SourceDef { name: "Cf-252", class: Industrial, members: &[("Cf252", 1.0)] },
    // medical
    SourceDef { name: "Tc-99m", class: Medical, members: &[("Tc99m", 1.0)] },
    SourceDef { name: "Mo-99", class: Medical, members: &[("Mo99", 1.0), ("Tc99m", 0.876)] },
    SourceDef { name: "I-123", class: Medical, members: &[("I123", 1.0)] },
    SourceDef { name: "I-124", class: Medical, members: &[("I124", 1.0)] },
    SourceDef { name: "I-125", class: Medical, members: &[("I125", 1.0)] },
    SourceDef { name: "I-131", class: Medical, members: &[("I131", 1.0), ("Xe131m", 0.011)] },
    SourceDef { name: "F-18", class: Medical, members: &[("F18", 1.0)] },
    SourceDef { name: "Ga-67", class: Medical, members: &[("Ga67", 1.0)] },
    SourceDef { name: "Ga-68", class: Medical, members: &[("Ge68", 1.0), ("Ga68", 1.0)] },
    SourceDef { name: "In-111", class: Medical, members: &[("In111", 1.0)] },
    SourceDef { name: "Tl-201", class: Medical, members: &[("Tl201", 1.0)] },
    SourceDef { name: "Lu-177", class: Medical, members: &[("Lu177", 1.0)] },
    SourceDef { name: "Lu-177m", class: Medical, members: &[("Lu177m", 1.0), ("Lu177", 0.214)] },
    SourceDef { name: "Sm-153", class: Medical, members: &[("Sm153", 1.0)] },
    SourceDef { name: "Re-186", class: Medical, members: &[("Re186", 1.0)] },
    SourceDef { name: "Re-188", class: Medical, members: &[("Re188", 1.0)] },
    SourceDef { name: "Xe-133", class: Medical, members: &[("Xe133", 1.0)] },
    SourceDef { name: "Cr-51", class: Medical, members: &[("Cr51", 1.0)] },
    SourceDef { name: "Ba-131", class: Medical, members: &[("Ba131", 1.0)] },
    SourceDef { name: "Er-169", class: Medical, members: &[("Er169", 1.0)] },
    SourceDef { name: "Hg-197m", class: Medical, members: &[("Hg197m", 1.0), ("Hg197", 0.91)] },
    SourceDef { name: "Ho-166", class: Medical, members: &[("Ho166", 1.0)] },
    SourceDef { name: "Cu-64", class: Medical, members: &[("Cu64", 1.0)] },
    // Zr-89 decays to Y-89m (99 %), whose 909 keV line is what a spectrum shows
    SourceDef { name: "Zr-89", class: Medical, members: &[("Zr89", 1.0), ("Y89m", 0.99)] },
    SourceDef { name: "Rb-82", class: Medical, members: &[("Rb82", 1.0)] },
    SourceDef { name: "Sr-85", class: Medical, members: &[("Sr85", 1.0)] },
    SourceDef {
        name: "Ac-225",
        class: Medical,
        members: &[("Ac225", 1.0), ("Fr221", 1.0), ("At217", 1.0), ("Bi213", 1.0), ("Tl209", 0.0214), ("Po213", 0.978)],
    },
    SourceDef {
        name: "Ra-223",
        class: Medical,
        members: &[("Ra223", 1.0), ("Rn219", 1.0), ("Po215", 1.0), ("Pb211", 1.0), ("Bi211", 1.0), ("Tl207", 0.997)],
    },
    // NORM
    SourceDef { name: "K-40", class: Norm, members: &[("K40", 1.0)] },
    SourceDef {
        name: "Ra-226",
        class: Norm,
        members: &[("Ra226", 1.0), ("Rn222", 1.0), ("Po218", 1.0), ("Pb214", 1.0), ("Bi214", 1.0), ("Po214", 1.0)],
    },
    SourceDef {
        name: "U-238 series",
        class: Norm,
        members: &[
            ("U238", 1.0),
            ("Th234", 1.0),
            ("Pa234m", 1.0),
            ("U234", 1.0),
            ("Th230", 1.0),
            ("Ra226", 1.0),
            ("Rn222", 1.0),
            ("Pb214", 1.0),
            ("Bi214", 1.0),
            ("Pb210", 1.0),
            ("U235", 0.046),
            ("Th231", 0.046),
            ("Th227", 0.046),
            ("Ra223", 0.046),
            ("Rn219", 0.046),
            ("Pb211", 0.046),
            ("Bi211", 0.046),
        ],
    },
    SourceDef {
        name: "Uranium (processed)",
        class: Norm,
        members: &[("U238", 1.0), ("Th234", 1.0), ("Pa234m", 1.0), ("U234", 1.0), ("U235", 0.046), ("Th231", 0.046)],
    },
    SourceDef {
        name: "Th-232 series",
        class: Norm,
        members: &[
            ("Th232", 1.0),
            ("Ac228", 1.0),
            ("Th228", 1.0),
            ("Ra224", 1.0),
            ("Rn220", 1.0),
            ("Pb212", 1.0),
            ("Bi212", 1.0),
            ("Tl208", 0.3594),
        ],
    },
    SourceDef { name: "Pb-210", class: Norm, members: &[("Pb210", 1.0)] },
    SourceDef { name: "La-138", class: Norm, members: &[("La138", 1.0)] },
    SourceDef { name: "Lu-176", class: Norm, members: &[("Lu176", 1.0)] },
    SourceDef { name: "Be-7", class: Norm, members: &[("Be7", 1.0)] },
    // special nuclear material
    SourceDef { name: "U-235 (enriched U)", class: Snm, members: &[("U235", 1.0), ("Th231", 1.0), ("U238", 0.05), ("Th234", 0.05), ("Pa234m", 0.05)] },
    SourceDef { name: "Pu-239", class: Snm, members: &[("Pu239", 1.0)] },
    SourceDef { name: "U-233", class: Snm, members: &[("U233", 1.0)] },
    SourceDef { name: "Np-237", class: Snm, members: &[("Np237", 1.0), ("Pa233", 1.0)] },
];

/// One emission line of a source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub energy_kev: f64,
    /// Photons per decay of the source's parent.
    pub intensity: f64,
    /// An x-ray (or annihilation) line rather than a nuclear gamma.
    pub xray: bool,
    /// The member nuclide that emits it.
    pub nuclide: String,
}

/// A source with its lines (strongest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub name: String,
    pub class: Class,
    pub lines: Vec<Line>,
}

/// The set of sources identification matches against.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Library {
    pub sources: Vec<Source>,
}

/// Library errors.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LibraryError {
    #[error("decay data JSON: {0}")]
    Json(String),
    #[error("line CSV, line {line}: {message}")]
    Csv { line: u64, message: String },
}

/// The shipped library (see [`Library::embedded`]).
const EMBEDDED_LINES: &str = include_str!("../data/library_lines.csv");

/// Lowest line energy kept (keV).
const MIN_ENERGY: f64 = 20.0;

impl Library {
    /// Build from per-nuclide lines `(nuclide, energy keV, photons per decay, is x-ray)`.
    fn build(lines: &[(String, f64, f64, bool)]) -> Library {
        let mut sources = Vec::new();
        for def in SOURCES {
            let mut ls: Vec<Line> = Vec::new();
            for (nuc, ratio) in def.members {
                for (n, e, p, x) in lines.iter().filter(|l| l.0 == *nuc) {
                    let _ = n;
                    if *e >= MIN_ENERGY && p * ratio > 0.0 {
                        ls.push(Line { energy_kev: *e, intensity: p * ratio, xray: *x, nuclide: nuc.to_string() });
                    }
                }
            }
            if ls.is_empty() {
                continue;
            }
            let max = ls.iter().map(|l| l.intensity).fold(0.0, f64::max);
            // keep lines ≥ 1 % of the strongest (x-rays ≥ 2 %), at most 40
            ls.retain(|l| l.intensity >= max * if l.xray { 0.02 } else { 0.01 });
            ls.sort_by(|a, b| b.intensity.total_cmp(&a.intensity));
            ls.truncate(40);
            sources.push(Source { name: def.name.to_string(), class: def.class, lines: ls });
        }
        Library { sources }
    }

    /// From the text of `lines_decay_2012.min.json` (nuclide → {gamma, x-ray: {lines: {energies (eV),
    /// intensities, norms}}}).
    pub fn from_decay_json(text: &str) -> Result<Library, LibraryError> {
        let v: serde_json::Value = serde_json::from_str(text).map_err(|e| LibraryError::Json(e.to_string()))?;
        let obj = v.as_object().ok_or_else(|| LibraryError::Json("top level is not an object".into()))?;
        let wanted: std::collections::HashSet<&str> = SOURCES.iter().flat_map(|s| s.members.iter().map(|m| m.0)).collect();
        let mut lines = Vec::new();
        for (nuc, data) in obj {
            if !wanted.contains(nuc.as_str()) {
                continue;
            }
            for (kind, xray) in [("gamma", false), ("x-ray", true)] {
                let Some(l) = data.get(kind).and_then(|k| k.get("lines")) else { continue };
                let arr = |k: &str| -> Vec<f64> {
                    l.get(k).and_then(|a| a.as_array()).map(|a| a.iter().map(|x| x.as_f64().unwrap_or(0.0)).collect()).unwrap_or_default()
                };
                let (e, i, n) = (arr("energies"), arr("intensities"), arr("norms"));
                for k in 0..e.len() {
                    let p = i.get(k).copied().unwrap_or(0.0) * n.get(k).copied().unwrap_or(1.0);
                    let kev = e[k] / 1000.0;
                    if p.is_finite() && p > 0.0 && kev.is_finite() {
                        // 511 keV annihilation photons are listed among x-rays; keep them flagged as such
                        lines.push((nuc.clone(), kev, p, xray));
                    }
                }
            }
        }
        if lines.is_empty() {
            return Err(LibraryError::Json("no lines for any library nuclide".into()));
        }
        Ok(Library::build(&lines))
    }

    /// From the text of `gamma_lines_decay2012_selected.csv` (columns nuclide, half_life_s, line_type,
    /// energy_keV, energy_unc_keV, emission_prob_per_decay, ...).
    pub fn from_selected_csv(text: &str) -> Result<Library, LibraryError> {
        let mut lines = Vec::new();
        for (i, l) in text.lines().enumerate().skip(1) {
            let f: Vec<&str> = l.split(',').collect();
            if f.len() < 6 {
                if l.trim().is_empty() {
                    continue;
                }
                return Err(LibraryError::Csv { line: i as u64 + 1, message: "fewer than 6 fields".into() });
            }
            let e: f64 = f[3].trim().parse().map_err(|_| LibraryError::Csv { line: i as u64 + 1, message: format!("energy {:?}", f[3]) })?;
            let p: f64 = f[5].trim().parse().map_err(|_| LibraryError::Csv { line: i as u64 + 1, message: format!("probability {:?}", f[5]) })?;
            if e.is_finite() && p.is_finite() && p > 0.0 {
                lines.push((f[0].trim().to_string(), e, p, f[2].trim() != "gamma"));
            }
        }
        Ok(Library::build(&lines))
    }

    /// The library shipped with Clearway: the lines of every [`SOURCES`] member from the FISPACT-II
    /// decay_2012 data (the `actigamma` package's `lines_decay_2012.min.json`, Apache-2.0), exactly as
    /// [`Library::from_decay_json`] builds them, stored in `data/library_lines.csv` (written by
    /// [`Library::to_lines_csv`]; a test checks it against the decay data and rewrites it on request).
    pub fn embedded() -> Library {
        // the file is part of the crate and checked by tests: it always parses
        Library::from_lines_csv(EMBEDDED_LINES).unwrap_or_default()
    }

    /// The library's lines as CSV: `#` comment lines (provenance), then `source,nuclide,energy_kev,
    /// photons_per_decay,xray`, sources in [`SOURCES`] order, lines strongest first. Numbers are written so
    /// that they read back to the same `f64`.
    pub fn to_lines_csv(&self, provenance: &str) -> String {
        let mut out = String::new();
        for l in provenance.lines() {
            out.push_str("# ");
            out.push_str(l);
            out.push('\n');
        }
        out.push_str("source,nuclide,energy_kev,photons_per_decay,xray\n");
        for s in &self.sources {
            for l in &s.lines {
                out.push_str(&format!("{},{},{},{},{}\n", s.name, l.nuclide, l.energy_kev, l.intensity, u8::from(l.xray)));
            }
        }
        out
    }

    /// Read what [`Library::to_lines_csv`] wrote. A source name must be one of [`SOURCES`] (its class comes
    /// from there).
    pub fn from_lines_csv(text: &str) -> Result<Library, LibraryError> {
        let mut sources: Vec<Source> = Vec::new();
        let mut header = false;
        for (i, l) in text.lines().enumerate() {
            let line = i as u64 + 1;
            let err = |message: String| LibraryError::Csv { line, message };
            if l.starts_with('#') || l.trim().is_empty() {
                continue;
            }
            if !header {
                header = true;
                continue;
            }
            let f: Vec<&str> = l.split(',').collect();
            let [name, nuclide, e, p, x] = f[..] else { return Err(err(format!("{} fields, expected 5", f.len()))) };
            let def = SOURCES.iter().find(|d| d.name == name).ok_or_else(|| err(format!("unknown source {name:?}")))?;
            let energy_kev: f64 = e.parse().map_err(|_| err(format!("energy {e:?}")))?;
            let intensity: f64 = p.parse().map_err(|_| err(format!("photons per decay {p:?}")))?;
            if !(energy_kev.is_finite() && energy_kev > 0.0 && intensity.is_finite() && intensity > 0.0) {
                return Err(err("energy and photons per decay must be positive".into()));
            }
            let xray = match x {
                "0" => false,
                "1" => true,
                _ => return Err(err(format!("xray {x:?} (0 or 1)"))),
            };
            if sources.last().is_none_or(|s| s.name != name) {
                sources.push(Source { name: name.to_string(), class: def.class, lines: Vec::new() });
            }
            if let Some(s) = sources.last_mut() {
                s.lines.push(Line { energy_kev, intensity, xray, nuclide: nuclide.to_string() });
            }
        }
        Ok(Library { sources })
    }

    /// A small built-in library: the key lines of the brief (keV, approximate photons per decay), for use
    /// when no line data are available.
    pub fn builtin() -> Library {
        let t: &[(&str, f64, f64)] = &[
            ("Cs137", 661.7, 0.90),
            ("Ba137m", 661.7, 0.0),
            ("Co60", 1173.2, 0.9985),
            ("Co60", 1332.5, 0.9998),
            ("Am241", 59.5, 0.36),
            ("Ba133", 356.0, 0.62),
            ("Ba133", 81.0, 0.33),
            ("Ba133", 302.9, 0.18),
            ("Ir192", 316.5, 0.83),
            ("Ir192", 468.1, 0.48),
            ("Ir192", 308.5, 0.30),
            ("I131", 364.5, 0.81),
            ("I131", 637.0, 0.073),
            ("Tc99m", 140.5, 0.89),
            ("K40", 1460.8, 0.107),
            ("Tl208", 2614.5, 0.998),
            ("Tl208", 583.2, 0.85),
            ("Ac228", 911.2, 0.26),
            ("Pb212", 238.6, 0.44),
            ("Bi214", 609.3, 0.46),
            ("Bi214", 1764.5, 0.15),
            ("Bi214", 1120.3, 0.15),
            ("Pb214", 351.9, 0.36),
            ("Pb214", 295.2, 0.18),
            ("U235", 185.7, 0.57),
            ("U235", 143.8, 0.11),
            ("Ra226", 186.2, 0.036),
            ("Eu152", 121.8, 0.28),
            ("Eu152", 344.3, 0.27),
            ("Eu152", 1408.0, 0.21),
            ("Na22", 1274.5, 0.999),
            ("Na22", 511.0, 1.8),
            ("Th234", 63.3, 0.037),
            ("Pa234m", 1001.0, 0.0083),
        ];
        let lines: Vec<(String, f64, f64, bool)> =
            t.iter().filter(|l| l.2 > 0.0).map(|(n, e, p)| (n.to_string(), *e, *p, *e == 511.0)).collect();
        Library::build(&lines)
    }

    /// The source named `name` (case-insensitive), if any.
    pub fn get(&self, name: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.name.eq_ignore_ascii_case(name))
    }
}
