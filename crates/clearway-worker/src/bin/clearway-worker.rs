//! A worker on its own, without the rest of the `clearway` command: what the fault tests start and kill,
//! and a small binary for a worker host. `clearway worker` runs the same loop.
//!
//! `clearway-worker --nats URL --db URL [--id NAME] [--batch N] [--partitions N] [--ack-wait-ms N]
//! [--max-ack-pending N] [--max-deliver N] [--metrics-listen ADDR] [--exit-when-idle-ms N]`
//! Prints the worker's report as one JSON line when it stops.

use clearway_worker::worker::{WorkerOptions, run_until_signal};
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let mut args = std::env::args().skip(1);
    let (mut nats, mut db) = (String::from("nats://127.0.0.1:4222"), None);
    let mut o = WorkerOptions::new("", "");
    while let Some(a) = args.next() {
        let mut v = || args.next().unwrap_or_default();
        let num = |s: String| {
            s.parse::<u64>()
                .unwrap_or_else(|_| panic!("{a}: not a number: {s:?}"))
        };
        match a.as_str() {
            "--nats" => nats = v(),
            "--db" => db = Some(v()),
            "--id" => o.id = v(),
            "--batch" => o.batch = num(v()) as usize,
            "--partitions" => o.topology.partitions = num(v()) as u32,
            "--ack-wait-ms" => o.topology.ack_wait = Duration::from_millis(num(v())),
            "--max-ack-pending" => o.topology.max_ack_pending = num(v()) as i64,
            "--max-deliver" => o.max_deliver = num(v()) as i64,
            "--metrics-listen" => {
                o.metrics_listen = Some(v().parse().expect("--metrics-listen ADDR:PORT"))
            }
            "--exit-when-idle-ms" => o.exit_when_idle = Some(Duration::from_millis(num(v()))),
            _ => {
                eprintln!("unknown argument {a}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(db) = db else {
        eprintln!("--db URL is required");
        return ExitCode::from(2);
    };
    o.nats = nats;
    o.db = db;
    match run_until_signal(o) {
        Ok(r) => {
            println!(
                "{}",
                serde_json::to_string(&r).expect("a report serialises")
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
