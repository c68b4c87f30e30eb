//! Clearway's layered assessment pipeline. Principal types: [`Layer`] (the seam every capability
//! plugs into: a name and an assess step from filing + [`Context`] to findings), [`Pipeline`] (enrich,
//! run every layer, combine) and [`Config`] (weights, thresholds, random-selection rates; its hash is
//! recorded on every decision).
//!
//! First layers: [`layers::DataQuality`] (completeness of the SAFE core and the US ISF-10, code checks),
//! [`layers::Deadline`] (the [`deadlines`] table) and [`layers::TrustedTrader`] (registry offsets and FAST
//! eligibility). Pure: no I/O; reference tables and registries arrive as parsed values.

pub mod combine;
pub mod config;
pub mod deadlines;
pub mod history;
pub mod layers;
pub mod pipeline;
pub mod reference;
pub mod registry_io;
pub mod trust;

pub use config::Config;
pub use history::{EntityHistory, HistoryAt};
pub use pipeline::{Context, Layer, Pipeline, Prior};
pub use reference::ReferenceData;
pub use trust::Registry;
