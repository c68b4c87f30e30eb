//! The learned-risk layer of the screening pipeline: the calibrated probability as a finding with its
//! top contributions. Principal type: [`ModelLayer`].

use crate::model::Model;
use clearway_core::{Filing, Finding, FindingKind};
use clearway_engine::{Context, Layer};
use std::sync::Arc;

/// Default weight of `MODEL-RISK` (score points at probability 1).
pub const DEFAULT_WEIGHT: f64 = 40.0;

/// The learned-risk layer.
pub struct ModelLayer {
    model: Arc<Model>,
    /// BLAKE3 of the model as loaded (its canonical JSON): the decision's configuration hash names it.
    digest: String,
}

impl ModelLayer {
    pub fn new(model: Model) -> Self {
        let digest =
            crate::model::hash_bytes(serde_json::to_string(&model).unwrap_or_default().as_bytes());
        ModelLayer {
            model: Arc::new(model),
            digest,
        }
    }
}

impl Layer for ModelLayer {
    fn name(&self) -> &'static str {
        "model"
    }

    fn fingerprint(&self) -> String {
        self.digest.clone()
    }

    fn assess(&self, filing: &Filing, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        let a = crate::filing::assess(&self.model, filing);
        let p = if a.probability.is_finite() {
            a.probability
        } else {
            0.0
        };
        let weight = ctx.config.weight("MODEL-RISK", DEFAULT_WEIGHT) * p;
        let top: Vec<String> = a
            .contributions
            .iter()
            .take(5)
            .map(|c| {
                let v = c
                    .value
                    .map(|v| format!("{v:.4}"))
                    .unwrap_or_else(|| "missing".into());
                format!("{} = {} ({:+.3})", c.feature, v, c.contribution)
            })
            .collect();
        let msg = format!(
            "learned risk model: probability {:.3}{}",
            p,
            if top.is_empty() {
                String::new()
            } else {
                format!("; {}", top[..top.len().min(3)].join("; "))
            }
        );
        let mut f = Finding::new("model", "MODEL-RISK", FindingKind::Compliance, weight, msg)
            .with("probability", (p * 1e6).round() / 1e6)
            .with("log_odds", (a.raw_score * 1e6).round() / 1e6)
            .with("contributions", top);
        if !a.missing.is_empty() {
            f = f.with("inputs_missing", a.missing.len() as u64);
        }
        out.push(f);
    }
}
