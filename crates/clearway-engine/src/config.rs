//! Engine configuration: lane thresholds, random-selection rates, per-code weight overrides.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Score at or above which a filing goes to the yellow lane (document check).
    pub yellow_at: f64,
    /// Score at or above which a filing goes to the red lane (physical exam).
    pub red_at: f64,
    /// Random selection for quality control.
    pub random: RandomConfig,
    /// Weight overrides by finding code (e.g. `"DQ-ISO6346": 20`).
    pub weights: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RandomConfig {
    pub seed: u64,
    /// Share of filings selected at random (0..1).
    pub rate: f64,
    /// Rate for filings whose importer is a certified trusted trader.
    pub trusted_rate: f64,
    /// No filing is ever exempt: rates never go below this floor.
    pub floor: f64,
}

impl Default for RandomConfig {
    fn default() -> Self {
        RandomConfig { seed: 2026, rate: 0.01, trusted_rate: 0.002, floor: 0.001 }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config { yellow_at: 25.0, red_at: 60.0, random: RandomConfig::default(), weights: BTreeMap::new() }
    }
}

impl Config {
    /// The weight for a finding code: the override if configured, else the layer's default.
    pub fn weight(&self, code: &str, default: f64) -> f64 {
        self.weights.get(code).copied().unwrap_or(default)
    }
}
