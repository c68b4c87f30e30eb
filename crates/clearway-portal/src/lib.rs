//! Clearway's radiation portal monitors (primary inspection). Pure: no I/O, no panics on input, no NaN
//! in a decision.
//!
//! Principal items:
//! - [`Occupancy`] (one vehicle passage: time slices × panels × energy bins, neutron counts, occupancy
//!   flags, speed) and its [`Background`]; [`BackgroundTracker`] keeps the background continuously
//!   (EWMA over unoccupied slices).
//! - [`Analyzer`]: the four alarm tests — gross count, energy-window ratio, spectral comparison with
//!   NORM directions projected out (N-SCRAD-like), neutron Poisson — each giving a decision, a statistic,
//!   a threshold derived from a target false-alarm rate, and the [`Class`] it points to ([`Analysis`]).
//! - [`binning`]: energy bins and rebinning of channel spectra; [`templates`]: NORM shapes from line data.
//! - [`eval`]: the evaluation harness (benign occupancies from real background with Poisson resampling
//!   and shadowing, injected source signatures and NORM loads, thresholds at a false-alarm rate of
//!   1/1000, detection probability per source and strength, NORM nuisance-alarm rate) and [`svg`] for
//!   its plot.
//! - [`layer`]: portal and secondary results (JSON Lines) as a screening [`clearway_engine::Layer`].
//! - [`measurement`]: occupancies and spectra from `clearway-spectra` readings.

pub mod analysis;
pub mod binning;
pub mod eval;
pub mod layer;
pub mod measurement;
pub mod occupancy;
pub mod stats;
pub mod svg;
pub mod templates;

pub use analysis::{Analysis, Analyzer, Class, Config, Test, TestResult, Thresholds, Window};
pub use layer::{PortalLayer, PortalResult, PortalResults};

pub use occupancy::{Background, BackgroundTracker, Occupancy};
/// The readers this crate builds on, re-exported for callers.
pub use clearway_spectra;

/// Errors of this crate; each says what was wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PortalError {
    #[error("occupancy shape: {0}")]
    Shape(String),
    #[error("energy calibration: {0}")]
    Calibration(String),
    #[error("{0}")]
    Input(String),
}
