//! Clearway's service core: the one place every workflow lives. Each workflow is a function that takes
//! a store (`&mut dyn Store`) and returns a typed, serialisable report; the `clearway` CLI, the server
//! and future workers only adapt it (parse arguments or requests, print or encode the report).
//!
//! Principal items: [`pipeline::build_pipeline`] (the screening pipeline from the store and
//! [`pipeline::PipelineOptions`]: registry, reference data, profiles with entity history, model, lists
//! with officer dispositions, portal results) giving a [`pipeline::Screener`]; [`ingest::run`] (reader →
//! assess → batch → group commit → acknowledge after commit, sender-format responses after commit);
//! [`filing::view`]; [`cases`] (assign, override, queue); [`audit::record`]; [`exams`] (record, CSV import, and the one definition of the latest exam result per
//! filing version); [`lists`] (import, show, diff, re-screen, dispose); [`export`] (licence registry,
//! one filing's export-control assessment explained); [`profiles`] (statistics, top-up
//! selection); [`training::join`] (the labelled-training join).
//!
//! Never prints, never reads a terminal or stdout; files are read only where a workflow is given a path.
//! Errors are [`ServiceError`]s naming the layer, file or field.

pub mod audit;
pub mod bundle;
pub mod cases;
pub mod compare;
pub mod exams;
pub mod export;
pub mod filing;
pub mod ingest;
pub mod lists;
pub mod pipeline;
pub mod profiles;
pub mod training;

pub use pipeline::{PipelineOptions, Screener, build_pipeline, open_store};

use clearway_store::StoreError;

/// What went wrong in a workflow.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A layer that is configured cannot load (unreadable list tables, a corrupt model, a store error
    /// while seeding history): the run stops.
    #[error("layer {layer}: {message}")]
    Layer {
        layer: &'static str,
        message: String,
    },
    /// A file that cannot be read or understood.
    #[error("{path}: {message}")]
    File { path: String, message: String },
    /// Rows of an input that are wrong (`file:line:column: message` each); nothing was stored.
    #[error("{file}: {} bad rows; nothing imported", rows.len())]
    Rows { file: String, rows: Vec<String> },
    /// A profile directory with errors (`file:line:column: message` each); nothing loaded.
    #[error("{dir}: {} errors in the profiles; nothing loaded", rows.len())]
    Profiles { dir: String, rows: Vec<String> },
    /// A request that names something not stored.
    #[error("{0}")]
    NotFound(String),
    /// A request that is wrong (a value out of range, a missing field).
    #[error("{0}")]
    Invalid(String),
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// An input's `Read` failed (a body cut by a size limit or timeout, a client that hung up, an
    /// unreadable file): the run stopped before the batch holding that input committed.
    #[error("reading {input}: {source}")]
    Input {
        input: String,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T, E = ServiceError> = std::result::Result<T, E>;

impl ServiceError {
    pub(crate) fn file(path: impl std::fmt::Display, message: impl std::fmt::Display) -> Self {
        ServiceError::File {
            path: path.to_string(),
            message: message.to_string(),
        }
    }
    pub(crate) fn layer(layer: &'static str, message: impl std::fmt::Display) -> Self {
        ServiceError::Layer {
            layer,
            message: message.to_string(),
        }
    }
}

/// Read a file to a string, the error naming it.
pub(crate) fn read_text(path: &std::path::Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| ServiceError::file(path.display(), e))
}
