//! Helpers shared by the CLI test crates: run the built `clearway` with no store or reference data
//! inherited from the environment.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// The built binary, without `CLEARWAY_DB` / `CLEARWAY_REFERENCE` from the caller's environment.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_clearway"));
    c.env_remove("CLEARWAY_DB").env_remove("CLEARWAY_REFERENCE");
    c
}

pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run clearway")
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}
