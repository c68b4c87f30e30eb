//! `clearway rad occupancy`, `rad eval`, and the portal-result layer of `screen` (issue 7).

use anyhow::{Result, bail};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct OccupancyArgs {}

#[derive(clap::Args)]
pub struct EvalArgs {}

/// Options `clearway screen` takes for this layer.
#[derive(clap::Args, Clone, Default)]
pub struct ScreenOpts {}

pub fn occupancy(_a: OccupancyArgs) -> Result<ExitCode> {
    bail!("not built yet")
}
pub fn eval(_a: EvalArgs) -> Result<ExitCode> {
    bail!("not built yet")
}
/// Add this capability's layers to the screening pipeline.
pub fn add_layers(_o: &ScreenOpts, _p: &mut clearway_engine::Pipeline, _db: &str) -> Result<()> {
    Ok(())
}
