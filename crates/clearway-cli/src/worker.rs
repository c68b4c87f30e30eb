//! `clearway publish` and `clearway worker`: arguments and printing over `clearway_worker` (intake to
//! NATS JetStream, the worker loop, configuration roll-out, status).

use anyhow::{Context as _, Result};
use clearway_service::PipelineOptions;
use clearway_service::ingest::Input;
use clearway_worker::intake::{PublishOptions, Published};
use clearway_worker::worker::WorkerOptions;
use clearway_worker::{Topology, config, status};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crate::{DbArgs, EXIT_REJECTED};

/// Where the stream is and how it is cut.
#[derive(clap::Args, Clone)]
pub struct StreamArgs {
    /// NATS server with JetStream.
    #[arg(long, env = "CLEARWAY_NATS", default_value = "nats://127.0.0.1:4222")]
    pub nats: String,
    /// Subject partitions (fixed when the stream is first created).
    #[arg(long, default_value_t = 16)]
    pub partitions: u32,
    /// Seconds a delivered message may stay unacknowledged before it is delivered again.
    #[arg(long, default_value_t = 30)]
    pub ack_wait: u64,
}

impl StreamArgs {
    fn topology(&self) -> Topology {
        Topology {
            partitions: self.partitions,
            ack_wait: Duration::from_secs(self.ack_wait.max(1)),
            ..Topology::default()
        }
    }
}

#[derive(clap::Args)]
pub struct PublishArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub stream: StreamArgs,
    /// One line of JSON per input record (queued or rejected) instead of a summary.
    #[arg(long)]
    pub json: bool,
    /// Publish the configuration the flags below name (one set for every worker), not filings.
    #[arg(long)]
    pub rollout: bool,
    /// Engine configuration (JSON) for `--rollout`.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Reference data directory for `--rollout`.
    #[arg(long, env = "CLEARWAY_REFERENCE")]
    pub reference: Option<PathBuf>,
    /// Trusted-trader registry for `--rollout`.
    #[arg(long)]
    pub traders: Option<PathBuf>,
    /// Assessment bundle for `--rollout`.
    #[arg(long)]
    pub bundle: Option<PathBuf>,
    #[command(flatten)]
    pub profiles: crate::profiles::ScreenOpts,
    #[command(flatten)]
    pub model: crate::model::ScreenOpts,
    #[command(flatten)]
    pub names: crate::names::ScreenOpts,
    #[command(flatten)]
    pub portal: crate::rad_portal::ScreenOpts,
    /// Input files (any format `screen` reads); `-` reads stdin.
    pub inputs: Vec<PathBuf>,
}

impl PublishArgs {
    fn pipeline_options(&self) -> PipelineOptions {
        PipelineOptions {
            config: self.config.clone(),
            reference: self.reference.clone(),
            traders: self.traders.clone(),
            profiles: self.profiles.profiles.clone(),
            selectivity: self.profiles.selectivity.clone(),
            model: self.model.model.clone(),
            lists: !self.names.no_lists,
            list_bands: self.names.list_bands.clone(),
            portal_results: self.portal.portal_results.clone(),
            bundle: self.bundle.clone(),
            ..Default::default()
        }
    }
}

#[derive(clap::Args)]
pub struct WorkerArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub stream: StreamArgs,
    /// This worker's name in heartbeats (default: host and process id).
    #[arg(long)]
    pub id: Option<String>,
    /// Messages per batch (one transaction).
    #[arg(long, default_value_t = 1000)]
    pub batch: usize,
    /// Deliveries after which a failing message goes to the dead-letter stream.
    #[arg(long, default_value_t = 5)]
    pub max_deliver: i64,
    /// Serve Prometheus `/metrics` here (e.g. 127.0.0.1:9464).
    #[arg(long)]
    pub metrics_listen: Option<std::net::SocketAddr>,
    /// Where published configuration sets are unpacked.
    #[arg(long)]
    pub work_dir: Option<PathBuf>,
    /// Print the workers (with the configuration hash each runs), the queue and the dead letters, and exit.
    #[arg(long)]
    pub status: bool,
}

fn runtime() -> Result<clearway_worker::Runtime> {
    Ok(clearway_worker::runtime()?)
}

pub fn publish(args: PublishArgs) -> Result<ExitCode> {
    let rt = runtime()?;
    if args.rollout {
        let set = config::ConfigSet::pack(&args.pipeline_options())?;
        let (ptr, rev) = rt.block_on(async {
            let js = clearway_worker::jetstream(&args.stream.nats).await?;
            config::publish(&js, &set)
                .await
                .map_err(anyhow::Error::from)
        })?;
        println!(
            "configuration {} published ({} files, revision {rev}); workers switch at their next batch",
            ptr.set, ptr.files
        );
        return Ok(ExitCode::SUCCESS);
    }
    anyhow::ensure!(!args.inputs.is_empty(), "no input files (or --rollout)");
    let mut inputs = Vec::new();
    for p in &args.inputs {
        let name = p.display().to_string();
        if name == "-" {
            inputs.push(Input {
                name,
                source: Box::new(std::io::stdin()),
            });
        } else {
            let f = std::fs::File::open(p).with_context(|| format!("opening {name}"))?;
            inputs.push(Input {
                name,
                source: Box::new(f),
            });
        }
    }
    let mut store = clearway_service::open_store(&args.db.db).map_err(crate::service_error)?;
    let opts = PublishOptions {
        topology: args.stream.topology(),
        ..Default::default()
    };
    let json = args.json;
    let out = std::io::stdout();
    let report = rt.block_on(async {
        let js = clearway_worker::jetstream(&args.stream.nats).await?;
        let mut on_ack = |p: &Published| {
            let mut o = out.lock();
            if json {
                let _ = serde_json::to_writer(&mut o, p);
                let _ = o.write_all(b"\n");
            } else if let Published::Rejected { input, diagnostics } = p {
                for d in diagnostics {
                    eprintln!("{}:{}: rejected: {d}", input.source, input.line);
                }
            }
        };
        clearway_worker::intake::publish(&js, inputs, store.as_mut(), &opts, &mut on_ack)
            .await
            .map_err(anyhow::Error::from)
    })?;
    if !json {
        println!(
            "queued {} ({} already queued), rejected {} ({} new, stored with their reasons)",
            report.queued, report.duplicates, report.rejected, report.rejected_new
        );
    }
    Ok(if report.rejected > 0 {
        ExitCode::from(EXIT_REJECTED)
    } else {
        ExitCode::SUCCESS
    })
}

pub fn worker(args: WorkerArgs) -> Result<ExitCode> {
    if args.status {
        let rt = runtime()?;
        let (st, dead) = rt.block_on(async {
            let js = clearway_worker::jetstream(&args.stream.nats).await?;
            let st = status::status(&js).await?;
            let dead = status::dead_letters(&js, 20).await?;
            anyhow::Ok((st, dead))
        })?;
        match &st.config {
            Some(p) => println!("configuration: {} (published {})", p.set, p.published_at),
            None => println!("configuration: default (none published)"),
        }
        println!("queued: {}   dead letters: {}", st.queued, st.dead_letters);
        println!(
            "{:<24} {:<9} {:<16} {:<16} {:>10} {:>8}",
            "worker", "state", "set", "config hash", "stored", "dead"
        );
        for w in &st.workers {
            println!(
                "{:<24} {:<9} {:<16} {:<16} {:>10} {:>8}",
                w.worker,
                w.state,
                &w.config_set[..w.config_set.len().min(16)],
                &w.config_hash[..w.config_hash.len().min(16)],
                w.stored,
                w.dead_letters
            );
        }
        for d in dead {
            println!(
                "dead #{} {} filing {} after {} deliveries: {}",
                d.sequence,
                d.subject,
                d.filing_id.as_deref().unwrap_or("?"),
                d.deliveries.as_deref().unwrap_or("?"),
                d.reason.as_deref().unwrap_or("?")
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut o = WorkerOptions::new(&args.stream.nats, &args.db.db);
    if let Some(id) = args.id {
        o.id = id;
    }
    o.batch = args.batch.max(1);
    o.topology = args.stream.topology();
    o.max_deliver = args.max_deliver.max(1);
    o.metrics_listen = args.metrics_listen;
    if let Some(d) = args.work_dir {
        o.work_dir = d;
    }
    let r = clearway_worker::worker::run_until_signal(o)?;
    eprintln!(
        "worker stopped: {} stored, {} duplicates, {} batches, {} redelivered, {} dead-lettered, {} store retries",
        r.stored, r.duplicates, r.batches, r.redeliveries, r.dead_letters, r.store_retries
    );
    Ok(ExitCode::SUCCESS)
}
