//! `clearway model ...`, `simulate`, and the learned-model layer of `screen` (issue 5).

use anyhow::{Result, bail};
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum ModelCommand {
    /// Train a model.
    Train,
}

#[derive(clap::Args)]
pub struct SimulateArgs {}

/// Options `clearway screen` takes for this layer.
#[derive(clap::Args, Clone, Default)]
pub struct ScreenOpts {}

pub fn model(_c: ModelCommand) -> Result<ExitCode> {
    bail!("not built yet")
}
pub fn simulate(_a: SimulateArgs) -> Result<ExitCode> {
    bail!("not built yet")
}
/// Add this capability's layers to the screening pipeline.
pub fn add_layers(_o: &ScreenOpts, _p: &mut clearway_engine::Pipeline, _db: &str) -> Result<()> {
    Ok(())
}
