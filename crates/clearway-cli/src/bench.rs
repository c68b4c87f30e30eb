//! `clearway bench pipeline`: throughput of parse, parse + assess and parse + assess + SQLite store,
//! side by side with the floor (parsing the same JSON into `serde_json::Value`), in one run, on one core.

use anyhow::Result;
use clearway_engine::{Pipeline, Prior, Registry};
use clearway_store::{Store, sqlite::SqliteStore};
use std::collections::HashMap;
use std::hint::black_box;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clearway_service::ingest::{self, IngestOptions, Input};
use clearway_service::{Screener, ServiceError};

#[derive(clap::Subcommand)]
pub enum BenchCommand {
    /// Filings per second through the pipeline, against the serde_json::Value floor.
    Pipeline(PipelineArgs),
    /// Filings per second through N targeting profiles, side by side with the same rules in CEL.
    Profiles(crate::profiles::BenchArgs),
}

#[derive(clap::Args)]
pub struct PipelineArgs {
    /// Filings to generate and push through.
    #[arg(long, default_value_t = 100_000)]
    pub count: usize,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Repetitions of each measurement (the best is reported).
    #[arg(long, default_value_t = 3)]
    pub repeat: usize,
    /// Reference data directory, to include existence checks.
    #[arg(long, env = "CLEARWAY_REFERENCE")]
    pub reference: Option<PathBuf>,
    /// Skip the SQLite measurement.
    #[arg(long)]
    pub no_store: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(serde::Serialize)]
struct Measure {
    stage: &'static str,
    filings: usize,
    seconds: f64,
    filings_per_sec: f64,
    us_per_filing: f64,
    vs_floor: f64,
    /// This thread's CPU time (the single-threaded stages only): what a loaded machine does not inflate.
    cpu_seconds: Option<f64>,
    filings_per_cpu_sec: Option<f64>,
}

/// CPU time this thread has run, from the scheduler's statistics (Linux); `None` elsewhere.
pub(crate) fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(Duration::from_nanos(s.split_whitespace().next()?.parse().ok()?))
}

/// Best wall time and best thread CPU time over `repeat` runs.
fn best(repeat: usize, mut f: impl FnMut() -> Result<()>) -> Result<(Duration, Option<Duration>)> {
    let mut best = Duration::MAX;
    let mut best_cpu: Option<Duration> = None;
    for _ in 0..repeat.max(1) {
        let c = thread_cpu();
        let t = Instant::now();
        f()?;
        best = best.min(t.elapsed());
        if let (Some(c0), Some(c1)) = (c, thread_cpu()) {
            best_cpu = Some(best_cpu.map_or(c1 - c0, |b| b.min(c1 - c0)));
        }
    }
    Ok((best, best_cpu))
}

pub fn run(cmd: BenchCommand) -> Result<ExitCode> {
    match cmd {
        BenchCommand::Pipeline(a) => pipeline(a),
        BenchCommand::Profiles(a) => crate::profiles::bench(a),
    }
}

fn pipeline(a: PipelineArgs) -> Result<ExitCode> {
    let generator = clearway_synth::Generator::new(clearway_synth::Config {
        count: a.count,
        seed: a.seed,
        start: "2026-11-02T00:00:00Z".parse()?,
        days: 7,
    });
    let registry = Registry::new(generator.memberships());
    let mut input = Vec::with_capacity(a.count * 1600);
    for f in generator {
        serde_json::to_writer(&mut input, &f)?;
        input.push(b'\n');
    }
    // The readers take 'static sources; the input lives for the whole run anyway.
    let input: &'static [u8] = Box::leak(input.into_boxed_slice());
    let reference = match &a.reference {
        Some(d) => clearway_service::pipeline::load_reference(d)?,
        None => Default::default(),
    };
    let pipeline = Screener::new(Pipeline::new(Default::default(), reference, registry));
    let n = a.count;
    let lines = || input.split(|b| *b == b'\n').filter(|l| !l.is_empty());

    let floor = best(a.repeat, || {
        for l in lines() {
            black_box(serde_json::from_slice::<serde_json::Value>(l)?);
        }
        Ok(())
    })?;
    let parse = best(a.repeat, || {
        for r in clearway_formats::records(std::io::Cursor::new(input)) {
            black_box(r);
        }
        Ok(())
    })?;
    let assess = best(a.repeat, || {
        let mut first: HashMap<String, Prior> = HashMap::new();
        for r in clearway_formats::records(std::io::Cursor::new(input)) {
            if let Ok(p) = r.outcome {
                let f = &p.filing;
                let prior = if f.version > 1 { first.get(&f.id) } else { None };
                black_box(pipeline.assess(f, prior));
                if f.version == 1 {
                    // A bounded window of recent originals, like `screen`'s overlay of uncommitted batches
                    // (the store answers for older ones there; the generator amends within ~64 filings).
                    if first.len() >= 8192 {
                        first.clear();
                    }
                    first.insert(f.id.clone(), Prior { first_filed_at: f.times.filed_at, versions: 1 });
                }
            }
        }
        Ok(())
    })?;
    let mut stages = vec![("serde_json::Value (floor)", floor), ("parse", parse), ("parse + assess", assess)];
    let dir = tempfile::tempdir()?;
    if !a.no_store {
        let mut i = 0;
        let stored = best(a.repeat, || {
            i += 1;
            let path = dir.path().join(format!("bench{i}.db"));
            let open = || -> Result<Box<dyn Store>, ServiceError> { Ok(Box::new(SqliteStore::open(&path)?)) };
            let inputs = vec![Input { name: "bench".into(), source: Box::new(std::io::Cursor::new(input)) }];
            let summary = ingest::run(inputs, &pipeline, &open, &IngestOptions::default(), &mut |_| {}, &|_| {})?;
            anyhow::ensure!(summary.decisions as usize == n, "stored {} of {n}", summary.decisions);
            Ok(())
        })?;
        // Several threads: this thread's CPU time would say nothing.
        stages.push(("screen: 3 threads + SQLite", (stored.0, None)));
    }
    let rows: Vec<Measure> = stages
        .iter()
        .map(|(stage, (d, cpu))| Measure {
            stage,
            filings: n,
            seconds: d.as_secs_f64(),
            filings_per_sec: n as f64 / d.as_secs_f64(),
            us_per_filing: d.as_secs_f64() * 1e6 / n as f64,
            vs_floor: d.as_secs_f64() / floor.0.as_secs_f64(),
            cpu_seconds: cpu.map(|c| c.as_secs_f64()),
            filings_per_cpu_sec: cpu.map(|c| n as f64 / c.as_secs_f64()),
        })
        .collect();
    let mut out = std::io::stdout().lock();
    if a.json {
        let v = serde_json::json!({"count": n, "bytes": input.len(), "layers": pipeline.layer_names(), "stages": rows});
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
    } else {
        writeln!(out, "{} filings, {:.1} MB of JSON Lines, layers: {}", n, input.len() as f64 / 1e6, pipeline.layer_names().join(", "))?;
        writeln!(out, "{:<28} {:>12} {:>10} {:>9} {:>16}", "stage", "filings/s", "µs/filing", "× floor", "filings/CPU-s")?;
        for m in &rows {
            let cpu = m.filings_per_cpu_sec.map_or_else(|| "-".to_string(), |v| format!("{v:.0}"));
            writeln!(out, "{:<28} {:>12.0} {:>10.2} {:>9.2} {:>16}", m.stage, m.filings_per_sec, m.us_per_filing, m.vs_floor, cpu)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
