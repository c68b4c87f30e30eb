//! Export control: is the item controlled, does its destination, transit or end use need a licence,
//! does a licence cover it, and does anything look like diversion — as rules in data tables, each with
//! its source and date, and the [`ExportControl`] layer that asks those four questions of every export
//! filing.
//!
//! Principal types: [`Classification`] (a declared ECCN, EAR99, USML category, Canadian ECL item or
//! "not controlled"), [`goods::candidates`] (CHPL tier and candidate entries of an HS code),
//! [`requirement::requirement`] (entry × destination × end use → the reasons a licence is required),
//! [`LicenceBook`] (a registry snapshot; which licence covers, what is wrong), [`flags`] (diversion red
//! flags and their guidance) and [`ExportControl`] (the [`clearway_engine::Layer`]).
//!
//! The tables shipped in the binary are listed in [`tables`] with their sources; docs/export-control.md
//! states what they cover and what they do not (the CCL text covers categories 3–5 only; the Part 746 HTS
//! lists and the EU correlation table were not available). The crate does no I/O and does not panic on
//! input.

pub mod classification;
pub mod flags;
pub mod goods;
pub mod layer;
pub mod licence;
pub mod requirement;
pub mod tables;

pub use classification::{Classification, ClassificationError};
pub use layer::ExportControl;
pub use licence::{Claim, Cover, Licence, LicenceBook, LicenceError, LicenceItem, Problem, Used};
pub use requirement::{EndUse, Reason, Regime, Requirement};
pub use tables::Tables;
