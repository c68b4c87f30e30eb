//! Clearway's radiation domain. Pure: no I/O, no panics on input.
//!
//! Principal items:
//! - [`iaea`]: the IAEA D-value table ([`iaea::AUTHORITATIVE`], [`iaea::DTable`]), nuclide name
//!   normalisation ([`iaea::normalize_nuclide`]), reading further (unverified) D-values from the text of
//!   `data/radiation/iaea/d_values_and_category_thresholds.csv` ([`iaea::DTable::with_csv`]) and the
//!   source categorisation by A/D ratio ([`iaea::categorize`], [`iaea::Categorization`]).
//! - [`activity`]: activities with units (Bq … TBq, Ci, mCi, µCi) to becquerel ([`activity::parse_activity`]).
//! - [`RadError`]: every error, naming the input that caused it.

pub mod activity;
pub mod iaea;

pub use activity::parse_activity;
pub use iaea::{Categorization, DEntry, DTable, Part, categorize, category_for_ratio, normalize_nuclide};

/// Errors of this crate; each names the offending input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RadError {
    #[error("unknown nuclide {0:?}: no D-value known")]
    UnknownNuclide(String),
    #[error("not a nuclide name: {0:?}")]
    BadNuclide(String),
    #[error("bad activity {input:?}: {reason}")]
    BadActivity { input: String, reason: String },
    #[error("bad activity {input:?}: unknown unit {unit:?} (Bq, kBq, MBq, GBq, TBq, Ci, mCi, µCi)")]
    UnknownUnit { input: String, unit: String },
    #[error("D-value table, line {line}: {message}")]
    Csv { line: u64, message: String },
}
