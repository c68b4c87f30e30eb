//! `clearway rad parse` and `rad identify`: instrument files and isotope identification (issue 7).

use anyhow::{Result, bail};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ParseArgs {}

#[derive(clap::Args)]
pub struct IdentifyArgs {}

pub fn parse(_a: ParseArgs) -> Result<ExitCode> {
    bail!("not built yet")
}
pub fn identify(_a: IdentifyArgs) -> Result<ExitCode> {
    bail!("not built yet")
}
