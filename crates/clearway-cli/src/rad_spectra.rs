//! `clearway rad parse` and `rad identify`: instrument files and isotope identification (issue 7).

use anyhow::{Context as _, Result, anyhow, bail};
use clearway_spectra::analysis::{self, DetectorClass};
use clearway_spectra::identify::{self, IdentifyOptions};
use clearway_spectra::library::Library;
use clearway_spectra::{Diagnostic, Format, Options, Severity, Spectrum, SpectrumFile};
use serde_json::{Value, json};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ParseArgs {
    /// The instrument file: N42 (2006 or 2012), IAEA SPE, CSV, RadiaCode XML, CNF or SPC (detected from content).
    pub file: PathBuf,
    /// CSV: the count column to treat as the spectrum (header name or 1-based number; default the last).
    #[arg(long, value_name = "NAME")]
    pub column: Option<String>,
    /// Also list every spectrum (always in --json).
    #[arg(long)]
    pub spectra: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct IdentifyArgs {
    /// The spectrum file (any format `rad parse` reads).
    pub file: PathBuf,
    /// A background spectrum file, subtracted after scaling by the live-time ratio.
    #[arg(long, value_name = "FILE")]
    pub background: Option<PathBuf>,
    /// CSV: the count column to analyse (header name or 1-based number; default the last).
    #[arg(long, value_name = "NAME")]
    pub column: Option<String>,
    /// Analyse only this spectrum of the file (0-based index as `rad parse --spectra` lists them). By default
    /// every spectrum of the file's primary measurement class is summed (e.g. all panels of a portal).
    #[arg(long, value_name = "N")]
    pub spectrum: Option<usize>,
    /// Gamma-line library: `lines_decay_2012.min.json[.gz]`, `gamma_lines_decay2012_selected.csv` or a line CSV
    /// as shipped; default the library shipped in the binary (FISPACT-II decay_2012 lines of every source).
    #[arg(long, value_name = "FILE")]
    pub library: Option<PathBuf>,
    /// Detector class (sets the resolution model); guessed from the file by default.
    #[arg(long, value_enum)]
    pub detector: Option<DetectorArg>,
    /// Most nuclides to report.
    #[arg(long, default_value_t = 6)]
    pub max: usize,
    /// Print JSON: `{"nuclides": [{"nuclide", "class", "confidence", "peaks"}...], ...}`, best first.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::ValueEnum, Clone, Copy)]
pub enum DetectorArg {
    Hpge,
    Scintillator,
    Medium,
}

fn read_file(path: &Path, column: Option<&str>) -> Result<(SpectrumFile, Vec<Diagnostic>)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let opts = Options { column: column.map(str::to_string), file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()) };
    clearway_spectra::read_with(&bytes, &opts).map_err(|e| anyhow!("{}: {e}", path.display()))
}

fn print_diagnostics(path: &Path, d: &[Diagnostic]) {
    for x in d {
        eprintln!("{}: {x}", path.display());
    }
}

fn fmt_s(v: Option<f64>) -> String {
    v.map_or("-".into(), |v| format!("{v:.2}"))
}

fn spectrum_json(i: usize, s: &Spectrum) -> Value {
    json!({
        "index": i,
        "detector": s.detector,
        "slice": s.slice,
        "sample": s.sample,
        "class": s.class,
        "title": s.title,
        "channels": s.channels(),
        "live_time_s": s.live_time_s,
        "real_time_s": s.real_time_s,
        "total_counts": s.total(),
        "calibration": s.calibration,
        "energy_range_kev": s.calibration.as_ref().map(|c| [c.energy(0.0), c.energy(s.channels() as f64)]),
    })
}

pub fn parse(a: ParseArgs) -> Result<ExitCode> {
    let (f, diags) = read_file(&a.file, a.column.as_deref())?;
    let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
    let mut channels: Vec<usize> = f.spectra.iter().map(Spectrum::channels).collect();
    channels.sort_unstable();
    channels.dedup();
    let real: f64 = f.spectra.iter().filter_map(|s| s.real_time_s).sum();
    let occupied = f.slices.iter().filter(|s| s.occupied == Some(true)).count();
    let flagged = f.slices.iter().filter(|s| s.occupied.is_some()).count();
    let speeds: Vec<f64> = f.slices.iter().filter_map(|s| s.speed.as_ref().and_then(|v| v.m_per_s)).collect();
    let neutron: f64 = f.gross_neutron().iter().map(|g| g.counts).sum();
    if a.json {
        let v = json!({
            "file": a.file.display().to_string(),
            "format": f.format,
            "instrument": f.instrument,
            "detectors": f.detectors(),
            "n_spectra": f.spectra.len(),
            "n_slices": f.slices.len(),
            "channels": channels,
            "live_time_s": f.sum_live_time_s(),
            "real_time_s": real,
            "total_counts": f.total_counts(),
            "primary": f.primary,
            "occupancy": {
                "slices_with_flag": flagged,
                "occupied_slices": occupied,
                "speed_m_per_s": speeds.first(),
                "speed": f.slices.iter().find_map(|s| s.speed.clone()),
                "item_distance_m": f.item_distance_m,
                "lane": f.instrument.lane,
                "detector_status": f.instrument.detector_status,
            },
            "gross_counts": { "given": f.gross_counts.len(), "neutron_total": neutron },
            "remarks": f.remarks,
            "spectra": f.spectra.iter().enumerate().map(|(i, s)| spectrum_json(i, s)).collect::<Vec<_>>(),
            "diagnostics": diags,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print_diagnostics(&a.file, &diags);
        let ins = &f.instrument;
        let inst: Vec<&str> = [ins.manufacturer.as_deref(), ins.model.as_deref(), ins.kind.as_deref(), ins.id.as_deref()].into_iter().flatten().collect();
        println!("{:<14} {}", "file", a.file.display());
        println!("{:<14} {}", "format", f.format.name());
        if !inst.is_empty() {
            println!("{:<14} {}", "instrument", inst.join(" / "));
        }
        let dets = f.detectors();
        println!("{:<14} {} ({})", "detectors", dets.len(), dets.join(" "));
        println!("{:<14} {} in {} time slice(s)", "spectra", f.spectra.len(), f.slices.len());
        println!("{:<14} {}", "channels", channels.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "));
        println!("{:<14} {:.2} s (sum over spectra)", "live time", f.sum_live_time_s());
        println!("{:<14} {:.2} s (sum over spectra)", "real time", real);
        println!("{:<14} {:.0}", "total counts", f.total_counts());
        if flagged > 0 || !speeds.is_empty() || ins.lane.is_some() || f.item_distance_m.is_some() {
            let mut occ = vec![format!("occupied in {occupied} of {flagged} flagged slices")];
            if let Some(s) = f.slices.iter().find_map(|s| s.speed.as_ref()) {
                occ.push(format!("speed {} {}", s.value, s.unit));
            }
            if let Some(l) = ins.lane {
                occ.push(format!("lane {l}"));
            }
            if let Some(d) = f.item_distance_m {
                occ.push(format!("item distance {d} m"));
            }
            println!("{:<14} {}", "occupancy", occ.join(", "));
        }
        if !ins.detector_status.is_empty() {
            let bad: Vec<&str> = ins.detector_status.iter().filter(|d| !d.operational).map(|d| d.detector.as_str()).collect();
            let ok = ins.detector_status.len() - bad.len();
            let extra = if bad.is_empty() { String::new() } else { format!("; not operational: {}", bad.join(" ")) };
            println!("{:<14} {ok} operational{extra}", "detector state");
        }
        if !f.gross_counts.is_empty() {
            println!("{:<14} {} given ({} neutron counts)", "gross counts", f.gross_counts.len(), neutron);
        }
        for r in &f.remarks {
            println!("{:<14} {r}", "remark");
        }
        if a.spectra || f.spectra.len() <= 16 {
            println!();
            println!("{:>5} {:<14} {:>5} {:<11} {:>7} {:>10} {:>10} {:>12}  ENERGY (keV)", "#", "DETECTOR", "SLICE", "CLASS", "CHAN", "LIVE (s)", "REAL (s)", "COUNTS");
            for (i, s) in f.spectra.iter().enumerate() {
                let range = s.calibration.as_ref().map_or("uncalibrated".into(), |c| format!("{:.1}–{:.1}", c.energy(0.0), c.energy(s.channels() as f64)));
                println!(
                    "{:>5} {:<14} {:>5} {:<11} {:>7} {:>10} {:>10} {:>12.0}  {}",
                    i,
                    s.detector.chars().take(14).collect::<String>(),
                    s.slice,
                    s.class.as_deref().unwrap_or("-"),
                    s.channels(),
                    fmt_s(s.live_time_s),
                    fmt_s(s.real_time_s),
                    s.total(),
                    range
                );
            }
        }
    }
    Ok(if errors > 0 { ExitCode::from(2) } else { ExitCode::SUCCESS })
}

/// Load the line library: the given file (decay-data JSON, optionally gzipped, or a line CSV), else the
/// library shipped in the binary (the same lines as the decay data give).
fn library(path: Option<&PathBuf>) -> Result<(Library, String)> {
    let Some(path) = path.cloned() else {
        let lib = Library::embedded();
        let what = format!("shipped ({} sources, FISPACT-II decay_2012 lines)", lib.sources.len());
        return Ok((lib, what));
    };
    let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let text = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut s = String::new();
        flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut s).with_context(|| format!("decompressing {}", path.display()))?;
        s
    } else {
        String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8", path.display()))?
    };
    let lib = if text.trim_start().starts_with('{') {
        Library::from_decay_json(&text)
    } else if text.starts_with('#') || text.starts_with("source,") {
        Library::from_lines_csv(&text)
    } else {
        Library::from_selected_csv(&text)
    }
        .map_err(|e| anyhow!("{}: {e}", path.display()))?;
    Ok((lib, path.display().to_string()))
}

/// The spectrum to analyse: one chosen by index, else the sum of the primary class's spectra.
fn pick(f: &SpectrumFile, index: Option<usize>, path: &Path) -> Result<Spectrum> {
    if let Some(i) = index {
        return f.spectra.get(i).cloned().ok_or_else(|| anyhow!("{}: no spectrum {i} (it has {})", path.display(), f.spectra.len()));
    }
    let Some(p) = f.primary_spectrum() else { bail!("{}: no spectrum", path.display()) };
    if f.format == Format::Csv {
        return Ok(p.clone());
    }
    let same: Vec<&Spectrum> = f.spectra.iter().filter(|s| s.class == p.class && s.calibration.is_some()).collect();
    if same.len() > 1 && p.calibration.is_some() {
        return analysis::sum(&same).ok_or_else(|| anyhow!("{}: no spectrum", path.display()));
    }
    Ok(p.clone())
}

pub fn identify(a: IdentifyArgs) -> Result<ExitCode> {
    let (f, diags) = read_file(&a.file, a.column.as_deref())?;
    if !a.json {
        print_diagnostics(&a.file, &diags);
    }
    let fg = pick(&f, a.spectrum, &a.file)?;
    let mut bg_note = None;
    let bg: Option<Spectrum> = match &a.background {
        Some(p) => {
            let (bf, bd) = read_file(p, None)?;
            if !a.json {
                print_diagnostics(p, &bd);
            }
            let bgs: Vec<&Spectrum> = bf.spectra.iter().filter(|s| s.calibration.is_some() || s.channels() == fg.channels()).collect();
            bg_note = Some(p.display().to_string());
            Some(analysis::sum(&bgs).ok_or_else(|| anyhow!("{}: no spectrum", p.display()))?)
        }
        None if f.format != Format::Csv && a.spectrum.is_none() => {
            let b = f.background_spectrum().filter(|b| !std::ptr::eq(*b, f.primary_spectrum().unwrap_or(b)) && b.class != fg.class).cloned();
            if b.is_some() {
                bg_note = Some("the file's own background spectrum".into());
            }
            b
        }
        None => None,
    };
    let (lib, lib_note) = library(a.library.as_ref())?;
    let opts = IdentifyOptions {
        max_nuclides: a.max,
        detector: a.detector.map(|d| match d {
            DetectorArg::Hpge => DetectorClass::Hpge,
            DetectorArg::Scintillator => DetectorClass::Scintillator,
            DetectorArg::Medium => DetectorClass::MediumResolution,
        }),
        ..IdentifyOptions::default()
    };
    let id = identify::identify(&fg, bg.as_ref(), &lib, &opts).map_err(|e| anyhow!("{}: {e}", a.file.display()))?;
    if a.json {
        let v = json!({
            "file": a.file.display().to_string(),
            "format": f.format,
            "spectrum": { "detector": fg.detector, "channels": fg.channels(), "live_time_s": fg.live_time_s, "total_counts": fg.total() },
            "background": bg_note,
            "library": lib_note,
            "detector": id.detector,
            "resolution_scale": id.resolution_scale,
            "peaks_found": id.peaks.len(),
            "nuclides": id.nuclides.iter().map(|n| json!({
                "nuclide": n.nuclide,
                "class": n.class,
                "confidence": n.confidence,
                "score": n.score,
                "peaks": n.peaks,
            })).collect::<Vec<_>>(),
            "diagnostics": diags.iter().chain(&id.diagnostics).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        for d in &id.diagnostics {
            eprintln!("{}: {d}", a.file.display());
        }
        println!("spectrum   {} ({} channels, live {} s, {:.0} counts)", fg.detector, fg.channels(), fmt_s(fg.live_time_s), fg.total());
        if let Some(b) = &bg_note {
            println!("background {b} (scaled by live time)");
        }
        println!("detector   {} (resolution ×{:.2}), {} peaks", id.detector.name(), id.resolution_scale, id.peaks.len());
        println!("library    {lib_note}");
        println!();
        if id.nuclides.is_empty() {
            println!("no nuclide identified");
        } else {
            println!("{:<22} {:<10} {:>10}  PEAKS (keV, significance)", "NUCLIDE", "CLASS", "CONFIDENCE");
            for n in &id.nuclides {
                let peaks: Vec<String> = n.peaks.iter().take(6).map(|p| format!("{:.1} ({:.0}σ)", p.energy_kev, p.significance)).collect();
                println!("{:<22} {:<10} {:>10.2}  {}", n.nuclide, n.class.name(), n.confidence, peaks.join(", "));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
