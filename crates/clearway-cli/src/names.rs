//! `clearway lists ...`, `names ...`, and the party-screening layer of `screen` (issue 6).

use anyhow::{Result, bail};
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum ListsCommand {
    /// Import list files.
    Import,
}

#[derive(clap::Subcommand)]
pub enum NamesCommand {
    /// Score two names.
    Score,
}

/// Options `clearway screen` takes for this layer.
#[derive(clap::Args, Clone, Default)]
pub struct ScreenOpts {}

pub fn lists(_c: ListsCommand) -> Result<ExitCode> {
    bail!("not built yet")
}
pub fn names(_c: NamesCommand) -> Result<ExitCode> {
    bail!("not built yet")
}
/// Add this capability's layers to the screening pipeline.
pub fn add_layers(_o: &ScreenOpts, _p: &mut clearway_engine::Pipeline, _db: &str) -> Result<()> {
    Ok(())
}
