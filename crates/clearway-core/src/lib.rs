//! Clearway's vocabulary. Principal types: [`Filing`] (what a carrier or trader files), [`Finding`]
//! (what one assessment layer concluded, with its evidence), [`Decision`] (lane, actions, score and the
//! findings that explain them) and [`Diagnostic`] (what a lenient reader noticed, with its place).
//!
//! This crate does no I/O and never panics on input. Code checks (ISO 6346, ISO 3166, HS, UN/LOCODE
//! format) live in [`codes`] because every layer and reader needs them.

pub mod codes;
pub mod decision;
pub mod diagnostic;
pub mod filing;
pub mod licence;
pub mod time;
pub mod trust;

pub use decision::{Action, Decision, Evidence, FastCheck, Finding, FindingKind, Lane, RandomDraw};
pub use diagnostic::{Diagnostic, Location, Severity};
pub use filing::*;
pub use trust::{Membership, MembershipStatus, Program};

/// The engine version recorded on every decision.
pub const ENGINE_VERSION: &str = concat!("clearway/", env!("CARGO_PKG_VERSION"));
