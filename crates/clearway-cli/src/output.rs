//! Tables and explanations for people.

use clearway_core::{Action, Decision};
use std::io::{Result, Write};

use clearway_service::ingest::IngestReport as Summary;

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_owned() } else { format!("{}…", s.chars().take(n - 1).collect::<String>()) }
}

fn actions(a: &[Action]) -> String {
    a.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(",")
}

pub fn table_header(out: &mut dyn Write) -> Result<()> {
    writeln!(out, "{:<22} {:>3} {:<6} {:>5}  {:<26} TOP REASONS", "FILING", "V", "LANE", "SCORE", "ACTIONS")
}

pub fn table_row(out: &mut dyn Write, d: &Decision, duplicate: bool) -> Result<()> {
    let mut reasons: Vec<String> = d.top_reasons(2).into_iter().map(str::to_owned).collect();
    // A lane set by the random draw says so: first when no finding raised the score, else last.
    if let Some(r) = d.random.as_ref().filter(|r| r.selected) {
        let random = format!("selected at random (rate {:.2} %)", r.rate * 100.0);
        if d.findings.iter().any(|f| f.weight > 0.0) { reasons.push(random) } else { reasons.insert(0, random) }
    }
    let reasons = reasons.join("; ");
    let reasons = if duplicate { format!("(already stored) {reasons}") } else { reasons };
    writeln!(
        out,
        "{:<22} {:>3} {:<6} {:>5.1}  {:<26} {}",
        truncate(&d.filing_id, 22),
        d.version,
        d.lane.as_str(),
        d.score,
        truncate(&actions(&d.actions), 26),
        truncate(&reasons, 110)
    )
}

pub fn summary_line(s: &Summary) -> String {
    let lanes: Vec<String> =
        clearway_core::Lane::ALL.iter().map(|l| format!("{} {}", l.as_str(), s.lanes.get(l.as_str()).copied().unwrap_or(0))).collect();
    let mut line = format!("screened {} filings: {}; rejected {}", s.decisions, lanes.join(", "), s.rejected);
    if s.duplicates > 0 {
        line.push_str(&format!("; {} already stored (stored decision returned)", s.duplicates));
    }
    if s.warnings > 0 {
        line.push_str(&format!("; {} warnings", s.warnings));
    }
    match s.envelope_errors() {
        0 => {}
        1 => line.push_str("; 1 interchange with envelope errors (stored as a reject of the interchange)"),
        n => line.push_str(&format!("; {n} interchanges with envelope errors (each stored as a reject of the interchange)")),
    }
    match s.responses_read {
        0 => {}
        1 => line.push_str("; 1 response read back"),
        n => line.push_str(&format!("; {n} responses read back")),
    }
    line
}

/// The full explanation of one decision.
pub fn explain(out: &mut dyn Write, d: &Decision) -> Result<()> {
    let stage = serde_json::to_value(d.stage).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    writeln!(out, "filing {} version {} ({stage})", d.filing_id, d.version)?;
    writeln!(out, "lane    {}   score {:.1}   actions {}", d.lane.as_str(), d.score, actions(&d.actions))?;
    if let Some(f) = &d.fast {
        if f.eligible {
            writeln!(out, "FAST    eligible")?;
        } else {
            writeln!(out, "FAST    not eligible: {}", f.missing.join("; "))?;
        }
    }
    if let Some(r) = &d.random {
        writeln!(
            out,
            "random  draw {:.6} at rate {:.3} % (seed {}): {}",
            r.draw,
            r.rate * 100.0,
            r.seed,
            if r.selected { "selected" } else { "not selected" }
        )?;
    }
    writeln!(out, "engine  {}   config {}", d.engine_version, d.config_hash)?;
    if d.findings.is_empty() {
        writeln!(out, "no findings")?;
    }
    for f in &d.findings {
        writeln!(out, "  {:+6.1}  {:<15} {:<22} {}", f.weight, f.layer, f.code, f.message)?;
        if let Some(a) = f.action {
            writeln!(out, "          asks for {}", a.as_str())?;
        }
        for (k, v) in &f.evidence {
            writeln!(out, "          {k} = {v}")?;
        }
    }
    Ok(())
}
