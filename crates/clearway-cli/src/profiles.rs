//! `clearway profiles ...`, `exam ...`, `backtest`, `bench profiles`, and the profile layer of `screen` (issue 4).

use anyhow::{Result, bail};
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum ProfilesCommand {
    /// Statically check a directory of profiles.
    Check,
}

#[derive(clap::Subcommand)]
pub enum ExamCommand {
    /// Record an examination result.
    Record,
}

#[derive(clap::Args)]
pub struct BacktestArgs {}

#[derive(clap::Args)]
pub struct BenchArgs {}

/// Options `clearway screen` takes for this layer.
#[derive(clap::Args, Clone, Default)]
pub struct ScreenOpts {}

pub fn profiles(_c: ProfilesCommand) -> Result<ExitCode> {
    bail!("not built yet")
}
pub fn exam(_c: ExamCommand) -> Result<ExitCode> {
    bail!("not built yet")
}
pub fn backtest(_a: BacktestArgs) -> Result<ExitCode> {
    bail!("not built yet")
}
pub fn bench(_a: BenchArgs) -> Result<ExitCode> {
    bail!("not built yet")
}
/// Add this capability's layers to the screening pipeline.
pub fn add_layers(_o: &ScreenOpts, _p: &mut clearway_engine::Pipeline, _db: &str) -> Result<()> {
    Ok(())
}
