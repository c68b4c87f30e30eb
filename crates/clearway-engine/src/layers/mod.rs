//! The spine's layers. Each is a unit struct implementing [`crate::Layer`].

mod data_quality;
mod deadline;
mod radioactive;
mod trusted;

pub use data_quality::DataQuality;
pub use deadline::Deadline;
pub use radioactive::RadioactiveSource;
pub use trusted::TrustedTrader;
pub(crate) use deadline::{Check as DeadlineCheck, check as deadline_check};
pub(crate) use trusted::importer_membership;

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for layer tests: build filings from JSON and run one layer.
    use crate::{Config, Context, Layer, Prior, ReferenceData, Registry};
    use clearway_core::{Filing, Finding};

    pub fn filing(v: serde_json::Value) -> Filing {
        serde_json::from_value(v).expect("test filing")
    }

    pub fn run(layer: &dyn Layer, f: &Filing, reference: &ReferenceData, registry: &Registry, prior: Option<&Prior>) -> Vec<Finding> {
        let config = Config::default();
        let ctx = Context::new(&config, reference, registry, prior, None, f);
        let mut out = Vec::new();
        layer.assess(f, &ctx, &mut out);
        out
    }

    pub fn codes(findings: &[Finding]) -> Vec<&str> {
        findings.iter().map(|f| f.code.as_ref()).collect()
    }
}
