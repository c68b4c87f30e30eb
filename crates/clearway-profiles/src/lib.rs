//! Targeting profiles: the risk analyst's rule language, statically checked, compiled and explained.
//!
//! Principal types: [`ProfileSet`] (a checked, compiled set of profiles with their named lists and
//! value-control table: [`ProfileSet::load`]), [`Facts`] (the per-filing derived values every condition
//! reads, built once per filing), [`EntityHistory`] (entity history, from `clearway-engine`: new importer,
//! first HS for an importer, past finds — a filing reads the days before its own), [`ProfileLayer`] (the pipeline layer: findings with
//! layer `profile`, code = profile id, evidence = the predicates that held with their actual values),
//! [`selectivity`] (random selection per lane, capacity top-up), [`backtest`] (precision / recall /
//! revenue at inspection budgets with the two rule baselines) and [`kcs`] (KCS declaration rows →
//! filings). The grammar is in `docs/profiles.md`.
//!
//! Pure: no I/O. Files arrive as `(name, text)` pairs; every error carries file:line:column. A set with
//! any error never loads (nothing half-loaded).

pub mod backtest;
pub mod compile;
pub mod facts;
pub mod fields;
pub mod kcs;
pub mod layer;
pub mod lists;
pub mod prefilter;
pub mod selectivity;
pub mod syntax;

pub use compile::{Profile, ProfileSet, Source};
pub use facts::{Extras, Facts};
pub use clearway_engine::history::{EntityHistory, HistoryAt};
pub use layer::ProfileLayer;
pub use syntax::Pos;

/// A diagnostic with file, line and column.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Diag {
    pub file: String,
    #[serde(flatten)]
    pub pos: PosSer,
    pub message: String,
    /// Warnings do not stop a set from loading.
    pub warning: bool,
}

/// Line and column, for serialisation.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct PosSer {
    pub line: u32,
    pub column: u32,
}

impl Diag {
    pub fn new(file: &str, pos: Pos, message: impl Into<String>) -> Self {
        Diag { file: file.to_owned(), pos: PosSer { line: pos.line, column: pos.col }, message: message.into(), warning: false }
    }
    pub fn warning(mut self) -> Self {
        self.warning = true;
        self
    }
}

impl std::fmt::Display for Diag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}{}",
            self.file,
            self.pos.line,
            self.pos.column,
            if self.warning { "warning: " } else { "error: " },
            self.message
        )
    }
}
