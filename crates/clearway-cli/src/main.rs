//! `clearway`: screen advance cargo filings in layers, store every decision, explain it.
//!
//! This binary is the only place that parses arguments and prints; every workflow is a function of
//! `clearway-service`, which the commands' modules call and whose typed reports they print.

mod admin;
mod bench;
mod commands;
mod export;
mod compare;
mod messages;
mod model;
mod names;
mod output;
mod profiles;
mod rad;
mod rad_portal;
mod rad_spectra;
mod screening;
mod serve;
mod worker;

use clap::{Parser, Subcommand};

/// Parsing and assessing allocate many small strings; mimalloc handles that far better than glibc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "clearway", version, about = "Layered cargo-security screening of advance cargo filings")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Options that pick the store.
#[derive(clap::Args, Clone)]
pub struct DbArgs {
    /// SQLite file, or a PostgreSQL URL (postgres://...).
    #[arg(long, env = "CLEARWAY_DB", default_value = "clearway.db")]
    pub db: String,
}

#[derive(Subcommand)]
enum Command {
    /// Generate realistic synthetic filings as JSON Lines (deterministic for a seed).
    Generate(commands::GenerateArgs),
    /// Parse, validate, assess and store filings; print one decision per filing.
    Screen(screening::ScreenArgs),
    /// Show the latest decision on a filing with its full explanation, and its version history.
    Show(commands::ShowArgs),
    /// Counts of filings, versions, decisions per lane and rejected inputs.
    Stats(commands::StatsArgs),
    /// List stored rejected inputs with their reasons.
    Rejects(commands::RejectsArgs),
    /// Print what was understood of an input, as canonical JSON or as CUSCAR / X12 309.
    Convert(messages::ConvertArgs),
    /// Print the JSON Schema of the filing format.
    Schema,
    /// Measure throughput.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Radiation tools: instrument files, isotope identification, portal alarms, IAEA source categories.
    #[command(subcommand)]
    Rad(rad::RadCommand),
    /// Targeting profiles: check, statistics.
    #[command(subcommand)]
    Profiles(profiles::ProfilesCommand),
    /// Examination results (feedback for profiles and the model).
    #[command(subcommand)]
    Exam(profiles::ExamCommand),
    /// Run profiles over labelled history; precision and recall at inspection budgets.
    Backtest(profiles::BacktestArgs),
    /// Learned risk model: train, evaluate, explain.
    #[command(subcommand)]
    Model(model::ModelCommand),
    /// Weekly inspection simulation: exploitation-only vs hybrid selection.
    Simulate(model::SimulateArgs),
    /// Sanctions and denied-party lists: import, show, diff.
    #[command(subcommand)]
    Lists(names::ListsCommand),
    /// Name matching: score, evaluate, search, benchmark.
    #[command(subcommand)]
    Names(names::NamesCommand),
    // --- issue 16: assessment bundles and the comparison ---
    /// Assessment bundles: create, show, verify, keygen.
    #[command(subcommand)]
    Bundle(compare::BundleCommand),
    /// Run bundles over the same filings and compare (`compare merge` joins metric files).
    Compare(compare::CompareArgs),
    // --- server (issue 13): HTTP API, accounts, audit ---
    /// Serve the HTTP API (clearway-server) over the store, with the same layer flags as `screen`.
    Serve(serve::ServeArgs),
    /// Accounts: add, disable, tokens.
    #[command(subcommand)]
    Users(admin::UsersCommand),
    /// The hash-chained audit log: verify, show.
    #[command(subcommand)]
    Audit(admin::AuditCommand),
    // --- stream intake and workers (issue 17) ---
    /// Put inputs on the NATS JetStream stream (or, with --rollout, publish the configuration).
    Publish(worker::PublishArgs),
    /// A stateless worker: pull from the stream, assess, commit to PostgreSQL, acknowledge.
    Worker(worker::WorkerArgs),
    // --- export control (issue 19) ---
    /// Export licence registry: import, show, usage.
    #[command(subcommand)]
    Licences(export::LicencesCommand),
    /// Export control: explain a filing's assessment.
    #[command(subcommand)]
    Export(export::ExportCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Generate(a) => commands::generate(a),
        Command::Screen(a) => screening::screen(a),
        Command::Show(a) => commands::show(a),
        Command::Stats(a) => commands::stats(a),
        Command::Rejects(a) => commands::rejects(a),
        Command::Convert(a) => messages::convert(a),
        Command::Schema => commands::schema(),
        Command::Bench(b) => bench::run(b),
        Command::Rad(r) => rad::run(r),
        Command::Profiles(c) => profiles::profiles(c),
        Command::Exam(c) => profiles::exam(c),
        Command::Backtest(a) => profiles::backtest(a),
        Command::Model(c) => model::model(c),
        Command::Simulate(a) => model::simulate(a),
        Command::Lists(c) => names::lists(c),
        Command::Names(c) => names::names(c),
        Command::Bundle(c) => compare::bundle_cmd(c),
        Command::Compare(a) => compare::compare_cmd(a),
        Command::Serve(a) => serve::serve(a),
        Command::Users(c) => admin::users(c),
        Command::Audit(c) => admin::audit_cmd(c),
        Command::Publish(a) => worker::publish(a),
        Command::Worker(a) => worker::worker(a),
        Command::Licences(c) => export::licences(c),
        Command::Export(c) => export::export(c),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Exit code 2: some inputs were rejected (the rest were processed and stored).
pub const EXIT_REJECTED: u8 = 2;

/// A service error for the terminal: each bad row on its own line on stderr, then the error itself.
pub fn service_error(e: clearway_service::ServiceError) -> anyhow::Error {
    if let clearway_service::ServiceError::Rows { rows, .. } | clearway_service::ServiceError::Profiles { rows, .. } = &e {
        for r in rows {
            eprintln!("{r}");
        }
    }
    anyhow::Error::new(e)
}

