//! Findings and decisions: what the layers concluded and what the combiner made of it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::borrow::Cow;

use crate::filing::Stage;

/// Values that caused a finding, by name, in insertion order; a JSON object on the wire.
/// Names are usually static, so building evidence costs no allocation for the keys.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Evidence(Vec<(Cow<'static, str>, Value)>);

impl Evidence {
    pub fn new() -> Self {
        Evidence(Vec::new())
    }

    /// Set `key` to `value`, replacing an earlier value of the same key.
    pub fn insert(&mut self, key: impl Into<Cow<'static, str>>, value: Value) {
        let key = key.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

static NULL: Value = Value::Null;

impl std::ops::Index<&str> for Evidence {
    type Output = Value;
    /// The value of `key`, or `null` when absent (as `serde_json::Value` indexing does).
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

impl<'a> IntoIterator for &'a Evidence {
    type Item = (&'a str, &'a Value);
    type IntoIter = Box<dyn Iterator<Item = (&'a str, &'a Value)> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl Serialize for Evidence {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k.as_ref(), v)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for Evidence {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Evidence;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of evidence values")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut a: A) -> Result<Evidence, A::Error> {
                let mut e = Evidence::new();
                while let Some((k, v)) = a.next_entry::<String, Value>()? {
                    e.insert(k, v);
                }
                Ok(e)
            }
        }
        d.deserialize_map(V)
    }
}

impl JsonSchema for Evidence {
    fn schema_name() -> Cow<'static, str> {
        "Evidence".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "object", "description": "Values that caused the finding, by name."})
    }
}

/// What kind of concern a finding raises. Security findings can never be offset by trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// Missing or malformed data.
    DataQuality,
    /// Filed late against the advance-information deadline.
    Timeliness,
    /// A threat indicator (denied party, radiation, targeting hit on a threat).
    Security,
    /// Revenue or trade compliance (valuation, classification).
    Compliance,
    /// Trusted-trader status (offsets, FAST eligibility).
    Trust,
    /// Random selection for quality control.
    Random,
    /// Information only; no weight.
    Info,
}

/// One conclusion of one layer, with the values that caused it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// The layer that produced it (`data-quality`, `deadline`, `trusted-trader`, ...).
    pub layer: Cow<'static, str>,
    /// Stable machine code, e.g. `DQ-ISO6346`.
    pub code: Cow<'static, str>,
    /// Plain-language reason for the officer.
    pub message: String,
    /// Contribution to the score; negative for offsets.
    pub weight: f64,
    pub kind: FindingKind,
    /// Action this finding asks for, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// The values that caused the finding.
    #[serde(default)]
    pub evidence: Evidence,
}

impl Finding {
    pub fn new(layer: &'static str, code: &'static str, kind: FindingKind, weight: f64, message: impl Into<String>) -> Self {
        Finding {
            layer: Cow::Borrowed(layer),
            code: Cow::Borrowed(code),
            message: message.into(),
            weight,
            kind,
            action: None,
            evidence: Evidence::new(),
        }
    }

    /// Add one evidence value.
    pub fn with(mut self, name: &'static str, value: impl Into<Value>) -> Self {
        self.evidence.insert(name, value.into());
        self
    }

    pub fn action(mut self, action: Action) -> Self {
        self.action = Some(action);
        self
    }
}

/// Lanes after ASYCUDA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Lane {
    /// Release.
    Green,
    /// Release now, post-clearance audit.
    Blue,
    /// Document check.
    Yellow,
    /// Physical examination.
    Red,
}

impl Lane {
    pub const ALL: [Lane; 4] = [Lane::Green, Lane::Blue, Lane::Yellow, Lane::Red];

    pub fn as_str(self) -> &'static str {
        match self {
            Lane::Green => "green",
            Lane::Blue => "blue",
            Lane::Yellow => "yellow",
            Lane::Red => "red",
        }
    }

    pub fn parse(s: &str) -> Option<Lane> {
        Lane::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

/// Actions after SAFE / ICS practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Release,
    FastRelease,
    DocumentCheck,
    /// Non-intrusive inspection (X-ray).
    NiiScan,
    PhysicalExam,
    /// Secondary radiation inspection.
    RpmSecondary,
    Hold,
    /// Pre-load only, for a threat, never for revenue risk.
    DoNotLoad,
    ExamAtDestination,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Release => "release",
            Action::FastRelease => "fast-release",
            Action::DocumentCheck => "document-check",
            Action::NiiScan => "nii-scan",
            Action::PhysicalExam => "physical-exam",
            Action::RpmSecondary => "rpm-secondary",
            Action::Hold => "hold",
            Action::DoNotLoad => "do-not-load",
            Action::ExamAtDestination => "exam-at-destination",
        }
    }
}

/// FAST eligibility, link by link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FastCheck {
    pub eligible: bool,
    /// The links that are missing, e.g. `driver "J. Smith": no active FAST card`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

/// The random-selection draw, recorded so it can be reproduced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RandomDraw {
    /// Seed of the draw (from configuration).
    pub seed: u64,
    /// Uniform value in [0, 1) from hash(seed, filing id, version).
    pub draw: f64,
    /// The rate that applied (after trust reduction, never below the floor).
    pub rate: f64,
    pub selected: bool,
}

/// The outcome of assessing one filing version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Decision {
    pub filing_id: String,
    pub version: u32,
    pub stage: Stage,
    pub lane: Lane,
    pub actions: Vec<Action>,
    pub score: f64,
    /// Every finding that fired, highest absolute weight first.
    pub findings: Vec<Finding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fast: Option<FastCheck>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub random: Option<RandomDraw>,
    pub engine_version: String,
    /// Hash of the configuration (rules, tables, reference data versions) the decision ran under.
    pub config_hash: String,
}

impl Decision {
    /// The top `n` reasons, as short text.
    pub fn top_reasons(&self, n: usize) -> Vec<&str> {
        self.findings.iter().filter(|f| f.weight != 0.0).take(n).map(|f| f.message.as_str()).collect()
    }
}
