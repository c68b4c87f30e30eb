//! `clearway rad occupancy`, `rad eval`, and the portal-result layer of `screen` (issue 7).
//!
//! The algorithms, the harness and the layer are in `clearway-portal`; this module reads files, parses
//! arguments and prints.

use anyhow::{Context as _, Result, anyhow, bail};
use clearway_portal::binning::{EDGES, EDGES_3MEV};
use clearway_portal::clearway_spectra::{self, Options, SpectrumFile};
use clearway_portal::eval::{self, ALGORITHMS, EvalConfig, Kind, LIBRARY};
use clearway_portal::measurement::{background_from_file, harness_setup, occupancy_from_file};
use clearway_portal::{Analyzer, Config};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct OccupancyArgs {
    /// Portal file (N42 2006/2012) holding one occupancy: time slices per panel.
    pub file: PathBuf,
    /// Background measurement of the same portal (N42). Default: tracked over the file's unoccupied slices.
    #[arg(long, value_name = "FILE")]
    pub background: Option<PathBuf>,
    /// Target false alarms per benign occupancy, per test (sets the thresholds).
    #[arg(long, default_value_t = 1e-3)]
    pub far: f64,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct EvalArgs {
    /// Data folder (holds `radiation/`).
    #[arg(long, env = "CLEARWAY_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Random seed (the run is deterministic for a seed).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Benign occupancies that set the thresholds.
    #[arg(long, default_value_t = 20_000)]
    pub benign: usize,
    /// Further benign occupancies that check the false-alarm rate.
    #[arg(long, default_value_t = 10_000)]
    pub benign_check: usize,
    /// Injections per source and strength.
    #[arg(long, default_value_t = 100)]
    pub trials: usize,
    /// False alarms per benign occupancy the thresholds are set for.
    #[arg(long, default_value_t = 1e-3)]
    pub far: f64,
    /// Write the detection-probability plot (SVG) here.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Print JSON (the whole report).
    #[arg(long)]
    pub json: bool,
}

/// Options `clearway screen` takes for this layer.
#[derive(clap::Args, Clone, Default)]
#[group(id = "portal-screen-opts")]
pub struct ScreenOpts {
    /// Portal and secondary-inspection results (JSON Lines, keyed by container or conveyance id; see
    /// docs/radiation-portal.md) to join to the filings.
    #[arg(long, value_name = "FILE")]
    pub portal_results: Option<PathBuf>,
}

fn read_spectrum_file(path: &Path, column: Option<&str>) -> Result<SpectrumFile> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let opts = Options { column: column.map(str::to_string), file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()) };
    let (f, _diags) = clearway_spectra::read_with(&bytes, &opts).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    Ok(f)
}

pub fn occupancy(a: OccupancyArgs) -> Result<ExitCode> {
    if !(a.far > 0.0 && a.far < 0.5) {
        bail!("--far must be between 0 and 0.5");
    }
    let file = read_spectrum_file(&a.file, None)?;
    let edges: &[f64] = &EDGES_3MEV;
    let background = match &a.background {
        Some(p) => {
            let bf = read_spectrum_file(p, None)?;
            let panels: Vec<String> = file.detectors();
            let panels: Vec<String> = panels.into_iter().filter(|d| file.spectra.iter().any(|s| &s.detector == d) || file.gross_counts.iter().any(|g| &g.detector == d)).collect();
            let edges_bg: Vec<f64> = if file.spectra.is_empty() { vec![edges[0], edges[edges.len() - 1]] } else { edges.to_vec() };
            Some(background_from_file(&bf, &panels, &edges_bg).map_err(|e| anyhow!("background {}: {e}", p.display()))?)
        }
        None => None,
    };
    let (occ, notes) = occupancy_from_file(&file, edges, background).map_err(|e| anyhow!("{}: {e}", a.file.display()))?;
    let cfg = Config { far: a.far, ..Config::default() };
    let analysis = Analyzer::for_edges(cfg, edges).analyze(&occ).map_err(|e| anyhow!("{e}"))?;
    if a.json {
        let v = serde_json::json!({
            "file": a.file.display().to_string(),
            "slices": occ.slices,
            "panels": occ.panels,
            "bins": occ.bins(),
            "speed_mps": occ.speed_mps,
            "far": a.far,
            "alarm": analysis.alarm,
            "class": analysis.class,
            "shadow": analysis.shadow,
            "tests": analysis.tests.iter().map(|t| serde_json::json!({
                "test": t.test,
                "applicable": t.applicable,
                "alarm": t.alarm,
                "statistic": round3(t.statistic),
                "threshold": round3(t.threshold),
                "class": t.class,
                "window": t.window,
                "detail": t.detail.iter().map(|(k, v)| ((*k).to_string(), serde_json::json!(round3(*v)))).collect::<serde_json::Map<_, _>>(),
            })).collect::<Vec<_>>(),
            "notes": notes,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{}: {} slices × {} panels × {} energy bins{}; shadowing left {:.0} % of the background",
        a.file.display(),
        occ.slices,
        occ.panels.len(),
        occ.bins(),
        occ.speed_mps.map(|s| format!(", {s:.2} m/s")).unwrap_or_default(),
        analysis.shadow * 100.0
    );
    println!("{:<14} {:>5} {:>10} {:>10}  {:<11} {}", "test", "alarm", "statistic", "threshold", "class", "window");
    for t in &analysis.tests {
        let win = t.window.map(|w| format!("slices {}–{} ({})", w.start + 1, w.start + w.slices, w.group)).unwrap_or_default();
        if t.applicable {
            println!("{:<14} {:>5} {:>10.2} {:>10.2}  {:<11} {}", t.test.as_str(), if t.alarm { "yes" } else { "no" }, t.statistic, t.threshold, t.class.as_str(), win);
        } else {
            println!("{:<14} {:>5} {:>10} {:>10}  {:<11} not applicable", t.test.as_str(), "-", "-", "-", "-");
        }
    }
    println!("decision: {} ({})", if analysis.alarm { "ALARM" } else { "no alarm" }, analysis.class.as_str());
    for n in notes {
        eprintln!("note: {n}");
    }
    Ok(ExitCode::SUCCESS)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

pub fn eval(a: EvalArgs) -> Result<ExitCode> {
    let data = a.data.clone().ok_or_else(|| anyhow!("no data folder: give --data DIR or set CLEARWAY_DATA"))?;
    let rad = data.join("radiation");
    if !rad.is_dir() {
        bail!("{} has no radiation/ folder", data.display());
    }
    if !(a.far > 0.0 && a.far < 0.5) || a.benign == 0 || a.trials == 0 {
        bail!("--far must be in (0, 0.5); --benign and --trials at least 1");
    }
    let bg = read_spectrum_file(&rad.join(eval::BACKGROUND_FILE), None)?;
    let pt = read_spectrum_file(&rad.join(eval::PASSTHROUGH_FILE), None)?;
    let mut files = Vec::with_capacity(LIBRARY.len());
    for e in LIBRARY {
        let mut f = read_spectrum_file(&rad.join(e.path), e.column)?;
        e.correct_axis(&mut f);
        let b = match e.background {
            Some(p) => Some(read_spectrum_file(&rad.join(p), None)?),
            None => None,
        };
        files.push((e, f, b));
    }
    let sources: Vec<_> = files.iter().map(|(e, f, b)| (e.name.to_string(), e.kind, e.path.to_string(), f, b.as_ref())).collect();
    let (setup, notes) = harness_setup(&bg, &pt, &sources, &EDGES).map_err(|e| anyhow!("{e}"))?;
    for n in &notes {
        eprintln!("note: {n}");
    }
    let cfg = EvalConfig { seed: a.seed, far: a.far, benign: a.benign, benign_check: a.benign_check, trials: a.trials, ..EvalConfig::default() };
    let started = std::time::Instant::now();
    let quiet = a.json || !std::io::IsTerminal::is_terminal(&std::io::stderr());
    let report = eval::run(&setup, &cfg, &mut |done, total| {
        if !quiet {
            eprint!("\r{done}/{total} occupancies");
        }
    })
    .map_err(|e| anyhow!("{e}"))?;
    if !quiet {
        eprintln!();
    }
    let secs = started.elapsed().as_secs_f64();
    if let Some(p) = &a.svg {
        let series: Vec<(String, Vec<(f64, f64)>)> = report.curves().into_iter().map(|(t, pts)| (t.as_str().to_string(), pts)).collect();
        let svg = clearway_portal::svg::line_chart(
            &format!("Detection probability at {} false alarm per {:.0} benign occupancies", 1, 1.0 / a.far),
            "source strength (net cps at closest approach, 2.5 m)",
            "mean detection probability over threat sources",
            &series,
        );
        std::fs::write(p, svg).with_context(|| format!("writing {}", p.display()))?;
    }
    if a.json {
        let mut v = serde_json::to_value(&report)?;
        v["curves"] = serde_json::to_value(report.curves())?;
        v["seconds"] = serde_json::json!(round3(secs));
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} benign occupancies set the thresholds (FAR {}), {} more check them; {} trials per source and strength; seed {}; {:.1} s",
        cfg.benign, cfg.far, cfg.benign_check, cfg.trials, cfg.seed, secs
    );
    println!(
        "background {:.0} cps (whole portal), mean occupancy {:.0} slices; strength = net cps at closest approach, 2.5 m",
        report.background_cps, report.mean_slices
    );
    println!();
    println!("{:<14} {:>9} {:>14} {:>18} {:>16} {:>22}", "algorithm", "threshold", "benign alarms", "threats detected", "NORM alarm rate", "NORM rate @ gross Pd");
    let gross_norm = report.summary(clearway_portal::Test::GrossCount).map_or(0.0, |s| s.norm_alarm_rate);
    for s in &report.algorithms {
        let cut = if gross_norm > 0.0 && s.algorithm != clearway_portal::Test::GrossCount {
            format!(" ({:+.0} %)", (s.norm_alarm_rate_at_gross_detection / gross_norm - 1.0) * 100.0)
        } else {
            String::new()
        };
        println!(
            "{:<14} {:>9.2} {:>8}/{:<5} {:>11}/{:<6} {:>15.1}% {:>15.1}%{}",
            s.algorithm.as_str(),
            s.threshold,
            s.benign_alarms,
            cfg.benign_check,
            s.threats_detected,
            s.threat_trials,
            s.norm_alarm_rate * 100.0,
            s.norm_alarm_rate_at_gross_detection * 100.0,
            cut
        );
    }
    println!();
    print!("{:<22} {:<6}", "source", "kind");
    let strengths_t = &cfg.strengths;
    let strengths_n = &cfg.norm_strengths;
    println!("  detection probability (gross / energy-window / spectral) by strength");
    for kind in [Kind::Threat, Kind::Norm] {
        let strengths = if kind == Kind::Threat { strengths_t } else { strengths_n };
        print!("{:<29}", "");
        for s in strengths.iter() {
            print!(" {:>16}", format!("{s} cps"));
        }
        println!();
        let mut names: Vec<&str> = report.points.iter().filter(|p| p.kind == kind).map(|p| p.source.as_str()).collect();
        names.dedup();
        for n in names {
            print!("{:<22} {:<6}", n, if kind == Kind::Threat { "threat" } else { "NORM" });
            for s in strengths.iter() {
                if let Some(p) = report.points.iter().find(|p| p.source == n && p.strength == *s) {
                    let f = |k: usize| p.alarms[k] as f64 / p.trials.max(1) as f64;
                    print!(" {:>16}", format!("{:.2}/{:.2}/{:.2}", f(0), f(1), f(2)));
                }
            }
            println!();
        }
    }
    let _ = ALGORITHMS;
    Ok(ExitCode::SUCCESS)
}

