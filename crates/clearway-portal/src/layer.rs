//! Portal (primary) and secondary-inspection results as a screening layer.
//!
//! Results arrive as JSON Lines ([`PortalResults::from_jsonl`]; format in `docs/radiation-portal.md`),
//! keyed by a container number or a conveyance id (plate, VIN, IMO number, vessel name, flight). A filing
//! matches a result when one of its containers (equipment, or goods items' containers) or its conveyance
//! ids equals the key (case and spaces ignored). A secondary result supersedes the primary ones for the
//! same key.
//!
//! | code | when | kind | weight | action |
//! |---|---|---|---|---|
//! | `RPM-CLEAR` | primary, no alarm | info | 0 | — |
//! | `RPM-NORM-EXPLAINED` | NORM-like alarm, a goods item's HS code explains NORM ([`NORM_HS`]) | info | 0 | release (after adjudication) |
//! | `RPM-NORM-UNEXPLAINED` | NORM-like alarm, no declared goods explain it | security | 30 | rpm-secondary |
//! | `RPM-ALARM` | suspect alarm (not NORM-like) | security | 50 | rpm-secondary |
//! | `RPM-NEUTRON` | neutron alarm | security | 80 | hold |
//! | `RPM-SECONDARY-NORM` | secondary identified NORM only | info | 0 | release (after adjudication) |
//! | `RPM-SECONDARY-MEDICAL` | secondary identified a medical isotope (patient or shipment) | security | 25 | document-check |
//! | `RPM-DECLARED-SOURCE` | secondary identified a source the filing declares | info | 0 | — |
//! | `RPM-UNDECLARED-SOURCE` | secondary identified an undeclared industrial source | security | 60 | hold |
//! | `RPM-SNM` | secondary identified special nuclear material not declared | security | 90 | hold |
//! | `RPM-SECONDARY-CLEAR` | secondary found nothing | info | 0 | — |
//!
//! An undeclared source with an activity estimate carries its IAEA category (authoritative D-values,
//! [`clearway_rad::categorize`]); without one, the category is reported unknown. Weights can be
//! overridden per code in the engine configuration.

use std::collections::HashMap;

use clearway_core::{Action, Diagnostic, Filing, FilingStatus, Finding, FindingKind};
use clearway_engine::{Context, Layer};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::analysis::Class;

const LAYER: &str = "radiation-portal";

/// HS code prefixes of goods that explain a NORM alarm (K-40, U- and Th-series), with what they are.
pub const NORM_HS: &[(&str, &str)] = &[
    ("0803", "bananas (K-40)"),
    ("0801", "Brazil nuts (K-40, Ra-226)"),
    ("18", "cocoa and cocoa preparations (K-40)"),
    ("2501", "salt, potassium-bearing (K-40)"),
    ("2508", "clays incl. bentonite, cat litter (K-40, U/Th series)"),
    ("2510", "natural calcium phosphates (U series)"),
    ("2515", "marble, travertine (U/Th series)"),
    ("2516", "granite, porphyry, basalt (K-40, U/Th series)"),
    ("2517", "pebbles, gravel, crushed stone (U/Th series)"),
    ("2529", "feldspar, leucite, nepheline (K-40)"),
    ("2530", "mineral substances n.e.s. (U/Th series)"),
    ("2615", "zirconium ores, zircon sand (U/Th series)"),
    ("2621", "slag and ash incl. coal fly ash (U/Th series)"),
    ("2815", "potassium hydroxide (K-40)"),
    ("2827", "chlorides incl. potassium chloride (K-40)"),
    ("2834", "nitrites and nitrates incl. potassium nitrate (K-40)"),
    ("2836", "carbonates incl. potassium carbonate (K-40)"),
    ("2846", "rare-earth compounds (Th series)"),
    ("31", "fertilizers, potash (K-40, U series)"),
    ("5908", "incandescent gas mantles (Th series)"),
    ("6802", "worked monumental or building stone, granite (K-40, U/Th series)"),
    ("6804", "millstones, grindstones, abrasive wheels (zircon, U/Th series)"),
    ("6810", "articles of cement, concrete or artificial stone (K-40, U/Th series)"),
    ("69", "ceramic products: bricks, tiles, refractories, sanitary ware, tableware, glazed ware (K-40, U/Th series)"),
    ("7013", "glassware incl. uranium glass (U series)"),
];

/// The NORM table entry explaining HS code `hs` (digits only are compared), if any.
pub fn norm_hs(hs: &str) -> Option<(&'static str, &'static str)> {
    let digits: String = hs.chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.len() < 2 {
        return None;
    }
    NORM_HS.iter().copied().filter(|(p, _)| digits.starts_with(p)).max_by_key(|(p, _)| p.len())
}

/// Primary (portal) or secondary (spectroscopic identification).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    #[default]
    Primary,
    Secondary,
}

/// Class of an identified nuclide (as `clearway rad identify` reports it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NuclideClass {
    Norm,
    Medical,
    Industrial,
    Snm,
}

/// One nuclide a secondary inspection identified.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identified {
    pub nuclide: String,
    pub class: NuclideClass,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// Estimated activity (Bq), when the secondary inspection estimated one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activity_bq: Option<f64>,
}

/// One portal or secondary result (one line of the JSON Lines file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalResult {
    /// ISO 6346 container number the result is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// Conveyance id (truck plate, VIN, IMO number, vessel name, flight) the result is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conveyance: Option<String>,
    #[serde(default)]
    pub stage: Stage,
    /// Whether the portal alarmed (primary); for secondary, whether anything was identified.
    #[serde(default)]
    pub alarm: bool,
    /// What the alarm points to (primary): `background`, `norm-like`, `suspect`, `neutron`.
    #[serde(default = "default_class")]
    pub class: Class,
    /// Nuclides identified (secondary).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nuclides: Vec<Identified>,
    /// Portal / lane / instrument, for the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portal: Option<String>,
    /// When (ISO 8601), for the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// Occupancy or inspection id, for the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupancy: Option<String>,
    /// The deciding test's statistic (primary), for the record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statistic: Option<f64>,
}

fn default_class() -> Class {
    Class::Background
}

fn key(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace() && *c != '-').flat_map(char::to_uppercase).collect()
}

/// Portal results by key.
#[derive(Debug, Clone, Default)]
pub struct PortalResults {
    by_key: HashMap<String, Vec<PortalResult>>,
    count: usize,
}

impl PortalResults {
    /// Parse JSON Lines; a bad line is a diagnostic naming it and is skipped. Blank lines and lines
    /// starting with `#` are ignored.
    pub fn from_jsonl(text: &str) -> (PortalResults, Vec<Diagnostic>) {
        let mut r = PortalResults::default();
        let mut diags = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let ln = i as u64 + 1;
            match serde_json::from_str::<PortalResult>(line) {
                Ok(p) => {
                    if let Err(m) = r.add(p) {
                        diags.push(Diagnostic::error("", m).at_line(ln, None));
                    }
                }
                Err(e) => diags.push(Diagnostic::error("", format!("not a portal result: {e}")).at_line(ln, Some(e.column() as u64))),
            }
        }
        (r, diags)
    }

    /// Add one result; an error when it names neither a container nor a conveyance or has a bad number.
    pub fn add(&mut self, p: PortalResult) -> Result<(), String> {
        let keys: Vec<String> = [p.container.as_deref(), p.conveyance.as_deref()].into_iter().flatten().map(key).filter(|k| !k.is_empty()).collect();
        if keys.is_empty() {
            return Err("a portal result needs a container or a conveyance".into());
        }
        if p.statistic.is_some_and(|s| !s.is_finite())
            || p.nuclides.iter().any(|n| n.activity_bq.is_some_and(|a| !(a.is_finite() && a >= 0.0)) || n.confidence.is_some_and(|c| !c.is_finite()))
        {
            return Err("a number in the portal result is not finite (or an activity is negative)".into());
        }
        for k in keys {
            self.by_key.entry(k).or_default().push(p.clone());
        }
        self.count += 1;
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The results for a filing: by its containers and conveyance ids, without duplicates.
    pub fn for_filing(&self, f: &Filing) -> Vec<&PortalResult> {
        let mut keys: Vec<String> = f.equipment.iter().map(|e| key(&e.number)).collect();
        keys.extend(f.goods.iter().flat_map(|g| g.containers.iter().map(|c| key(c))));
        if let Some(c) = &f.conveyance {
            keys.extend([&c.plate, &c.vin, &c.imo, &c.vessel_name, &c.flight].into_iter().flatten().map(|s| key(s)));
        }
        keys.retain(|k| !k.is_empty());
        keys.sort();
        keys.dedup();
        let mut out: Vec<&PortalResult> = Vec::new();
        for k in keys {
            for p in self.by_key.get(&k).into_iter().flatten() {
                if !out.iter().any(|q| std::ptr::eq(*q, p) || *q == p) {
                    out.push(p);
                }
            }
        }
        out
    }

    /// Fingerprint for the configuration hash: number of results.
    pub fn fingerprint(&self) -> String {
        format!("portal-results:{}", self.count)
    }
}

/// The portal-result layer.
pub struct PortalLayer {
    results: PortalResults,
}

impl PortalLayer {
    pub fn new(results: PortalResults) -> Self {
        PortalLayer { results }
    }
}

fn who(p: &PortalResult) -> String {
    match (&p.container, &p.conveyance) {
        (Some(c), _) => format!("container {c}"),
        (None, Some(v)) => format!("conveyance {v}"),
        _ => "the shipment".into(),
    }
}

impl Layer for PortalLayer {
    fn name(&self) -> &'static str {
        LAYER
    }

    /// The portal results it was given (every result, in key order): they decide its findings.
    fn fingerprint(&self) -> String {
        if self.results.is_empty() {
            return String::new();
        }
        let mut keys: Vec<&String> = self.results.by_key.keys().collect();
        keys.sort();
        let mut h = blake3::Hasher::new();
        for k in keys {
            h.update(k.as_bytes());
            h.update(b"\0");
            for r in &self.results.by_key[k] {
                h.update(serde_json::to_string(r).unwrap_or_default().as_bytes());
                h.update(b"\0");
            }
        }
        h.finalize().to_hex()[..16].to_string()
    }

    fn assess(&self, f: &Filing, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        if f.status == FilingStatus::Cancellation || self.results.is_empty() {
            return;
        }
        let results = self.results.for_filing(f);
        if results.is_empty() {
            return;
        }
        let cfg = ctx.config;
        let secondary: Vec<&PortalResult> = results.iter().copied().filter(|p| p.stage == Stage::Secondary).collect();
        if !secondary.is_empty() {
            for p in secondary {
                self.secondary(f, p, cfg, out);
            }
            return;
        }
        // Primary: the most serious result decides.
        let Some(p) = results.iter().copied().max_by_key(|p| (p.alarm, p.class)) else { return };
        let base = |code: &'static str, kind, default: f64, msg: String| {
            let mut x = Finding::new(LAYER, code, kind, cfg.weight(code, default), msg).with("class", p.class.as_str()).with("alarm", p.alarm);
            if let Some(s) = p.statistic {
                x = x.with("statistic", s);
            }
            for (k, v) in [("container", &p.container), ("conveyance", &p.conveyance), ("portal", &p.portal), ("occupancy", &p.occupancy)] {
                if let Some(v) = v {
                    x = x.with(k, v.clone());
                }
            }
            x
        };
        if !p.alarm || p.class == Class::Background {
            out.push(base("RPM-CLEAR", FindingKind::Info, 0.0, format!("Radiation portal: no alarm on {}", who(p))));
            return;
        }
        match p.class {
            Class::NormLike => {
                let explained: Vec<(usize, String, &str)> = f
                    .goods
                    .iter()
                    .enumerate()
                    .filter_map(|(i, g)| g.hs_code.as_deref().and_then(|h| norm_hs(h).map(|(_, what)| (i + 1, h.to_string(), what))))
                    .collect();
                if let Some((item, hs, what)) = explained.first() {
                    out.push(
                        base("RPM-NORM-EXPLAINED", FindingKind::Info, 0.0, format!(
                            "Radiation portal: NORM-like alarm on {} explained by declared goods (item {item}, HS {hs}: {what}); release after adjudication",
                            who(p)
                        ))
                        .with("recommendation", "release-after-adjudication")
                        .with("goods_item", *item)
                        .with("hs_code", hs.clone())
                        .with("explains", *what)
                        .action(Action::Release),
                    );
                } else {
                    out.push(
                        base("RPM-NORM-UNEXPLAINED", FindingKind::Security, 30.0, format!(
                            "Radiation portal: NORM-like alarm on {} but no declared goods explain NORM; secondary inspection",
                            who(p)
                        ))
                        .action(Action::RpmSecondary),
                    );
                }
            }
            Class::Neutron => out.push(
                base("RPM-NEUTRON", FindingKind::Security, 80.0, format!("Radiation portal: neutron alarm on {}; hold for secondary", who(p)))
                    .action(Action::Hold),
            ),
            _ => out.push(
                base("RPM-ALARM", FindingKind::Security, 50.0, format!(
                    "Radiation portal: alarm on {} not consistent with NORM; secondary inspection",
                    who(p)
                ))
                .action(Action::RpmSecondary),
            ),
        }
    }
}

impl PortalLayer {
    fn secondary(&self, f: &Filing, p: &PortalResult, cfg: &clearway_engine::Config, out: &mut Vec<Finding>) {
        let base = |code: &'static str, kind, default: f64, msg: String| {
            let mut x = Finding::new(LAYER, code, kind, cfg.weight(code, default), msg).with("stage", "secondary");
            for (k, v) in [("container", &p.container), ("conveyance", &p.conveyance), ("occupancy", &p.occupancy)] {
                if let Some(v) = v {
                    x = x.with(k, v.clone());
                }
            }
            x
        };
        let declared: Vec<String> = f
            .goods
            .iter()
            .flat_map(|g| g.radioactive.iter().map(|r| clearway_rad::normalize_nuclide(&r.nuclide).unwrap_or_else(|_| r.nuclide.clone())))
            .collect();
        let norm_name = |n: &str| clearway_rad::normalize_nuclide(n).unwrap_or_else(|_| n.to_string());
        let nuclide_list = |v: &[&Identified]| v.iter().map(|n| n.nuclide.clone()).collect::<Vec<_>>();
        if p.nuclides.is_empty() {
            out.push(base("RPM-SECONDARY-CLEAR", FindingKind::Info, 0.0, format!("Secondary inspection of {}: nothing identified", who(p))));
            return;
        }
        let (mut undeclared, mut declared_found, mut medical, mut norm) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for n in &p.nuclides {
            let is_declared = declared.contains(&norm_name(&n.nuclide));
            match n.class {
                NuclideClass::Norm => norm.push(n),
                _ if is_declared => declared_found.push(n),
                NuclideClass::Medical => medical.push(n),
                NuclideClass::Industrial | NuclideClass::Snm => undeclared.push(n),
            }
        }
        if !declared_found.is_empty() {
            out.push(
                base("RPM-DECLARED-SOURCE", FindingKind::Info, 0.0, format!(
                    "Secondary inspection of {}: identified declared source(s) {}",
                    who(p),
                    nuclide_list(&declared_found).join(", ")
                ))
                .with("nuclides", nuclide_list(&declared_found)),
            );
        }
        if !undeclared.is_empty() {
            let snm = undeclared.iter().any(|n| n.class == NuclideClass::Snm);
            let with_activity: Vec<(String, f64)> =
                undeclared.iter().filter_map(|n| n.activity_bq.map(|a| (norm_name(&n.nuclide), a))).collect();
            let cat = if with_activity.is_empty() { None } else { clearway_rad::categorize(&with_activity).ok() };
            let cat_text = match &cat {
                Some(c) => format!("IAEA Category {} (A/D {:.3})", c.category, c.ratio),
                None => "IAEA category unknown (no activity estimate or no D-value)".to_string(),
            };
            let (code, w, what) = if snm { ("RPM-SNM", 90.0, "special nuclear material") } else { ("RPM-UNDECLARED-SOURCE", 60.0, "an undeclared radioactive source") };
            let mut x = base(code, FindingKind::Security, w, format!(
                "Secondary inspection of {}: {what} identified ({}); {cat_text}; hold",
                who(p),
                nuclide_list(&undeclared).join(", ")
            ))
            .with("nuclides", serde_json::to_value(&undeclared).unwrap_or_default())
            .action(Action::Hold);
            match cat {
                Some(c) => {
                    x = x.with("category", c.category).with("ratio", json!(c.ratio)).with("unverified", c.unverified);
                }
                None => x = x.with("category", serde_json::Value::Null),
            }
            out.push(x);
        }
        if !medical.is_empty() {
            out.push(
                base("RPM-SECONDARY-MEDICAL", FindingKind::Security, 25.0, format!(
                    "Secondary inspection of {}: medical isotope(s) {} not declared — a treated patient or an undeclared shipment; check documents",
                    who(p),
                    nuclide_list(&medical).join(", ")
                ))
                .with("nuclides", nuclide_list(&medical))
                .action(Action::DocumentCheck),
            );
        }
        if undeclared.is_empty() && medical.is_empty() && declared_found.is_empty() && !norm.is_empty() {
            out.push(
                base("RPM-SECONDARY-NORM", FindingKind::Info, 0.0, format!(
                    "Secondary inspection of {}: NORM only ({}); release after adjudication",
                    who(p),
                    nuclide_list(&norm).join(", ")
                ))
                .with("recommendation", "release-after-adjudication")
                .with("nuclides", nuclide_list(&norm))
                .action(Action::Release),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearway_core::Lane;
    use clearway_engine::{Config, Pipeline, ReferenceData, Registry};
    use serde_json::Value;

    fn filing(hs: &str, extra: Value) -> Filing {
        let mut v = json!({"id": "F1", "mode": "highway", "direction": "import", "country": "US", "stage": "arrival", "cargo": "containerised",
            "goods": [{"description": "GOODS", "hs_code": hs, "containers": ["MSCU1234565"]}],
            "equipment": [{"number": "MSCU1234565"}],
            "conveyance": {"plate": "ABC 123"}});
        if let Value::Object(m) = extra {
            for (k, x) in m {
                v[k] = x;
            }
        }
        serde_json::from_value(v).unwrap()
    }

    fn decide(results: &str, f: &Filing) -> clearway_core::Decision {
        let (r, d) = PortalResults::from_jsonl(results);
        assert!(d.is_empty(), "{d:?}");
        let mut p = Pipeline::empty(Config::default(), ReferenceData::default(), Registry::default());
        p.add_layer(Box::new(PortalLayer::new(r)));
        p.assess(f, None)
    }

    fn codes(d: &clearway_core::Decision) -> Vec<&str> {
        d.findings.iter().filter(|x| x.layer == LAYER).map(|x| x.code.as_ref()).collect()
    }

    #[test]
    fn portal_results_enter_the_configuration_hash() {
        let hash = |text: &str| {
            let mut p = Pipeline::empty(Config::default(), ReferenceData::default(), Registry::default());
            p.add_layer(Box::new(PortalLayer::new(PortalResults::from_jsonl(text).0)));
            p.config_hash().to_owned()
        };
        let a = r#"{"container": "MSCU1234565", "alarm": true, "class": "norm-like", "statistic": 7.5}"#;
        let b = r#"{"container": "MSCU1234565", "alarm": true, "class": "norm-like", "statistic": 9.5}"#;
        assert_eq!(hash(a), hash(a));
        assert_ne!(hash(a), hash(b));
    }

    #[test]
    fn norm_table() {
        assert_eq!(norm_hs("6907.21").unwrap().0, "69");
        assert_eq!(norm_hs("080390").unwrap().0, "0803");
        assert_eq!(norm_hs("3104.20").unwrap().0, "31");
        assert!(norm_hs("8471.30").is_none());
        assert!(norm_hs("").is_none());
    }

    #[test]
    fn norm_alarm_on_tiles_is_released_after_adjudication() {
        let d = decide(r#"{"container": "MSCU 123456-5", "alarm": true, "class": "norm-like", "statistic": 7.5}"#, &filing("6907.21", json!({})));
        assert_eq!(codes(&d), ["RPM-NORM-EXPLAINED"]);
        assert_eq!(d.lane, Lane::Green);
        assert!(d.actions.contains(&Action::Release));
        let f = &d.findings[0];
        assert_eq!(f.evidence["recommendation"], json!("release-after-adjudication"));
        assert_eq!(f.evidence["hs_code"], json!("6907.21"));
    }

    #[test]
    fn norm_alarm_on_electronics_goes_to_secondary() {
        let d = decide(r#"{"conveyance": "abc123", "alarm": true, "class": "norm-like"}"#, &filing("8471.30", json!({})));
        assert_eq!(codes(&d), ["RPM-NORM-UNEXPLAINED"]);
        assert!(d.actions.contains(&Action::RpmSecondary));
        assert_eq!(d.lane, Lane::Red);
        let d = decide(r#"{"container": "MSCU1234565", "alarm": true, "class": "suspect"}"#, &filing("6907.21", json!({})));
        assert_eq!(codes(&d), ["RPM-ALARM"]);
        assert!(d.actions.contains(&Action::RpmSecondary));
        let d = decide(r#"{"container": "MSCU1234565", "alarm": true, "class": "neutron"}"#, &filing("6907.21", json!({})));
        assert_eq!(codes(&d), ["RPM-NEUTRON"]);
        assert!(d.actions.contains(&Action::Hold));
    }

    #[test]
    fn secondary_undeclared_source_is_hold_with_category() {
        // 3.7 TBq Co-60: A/D 123 → Category 2.
        let r = r#"{"container": "MSCU1234565", "alarm": true, "class": "suspect"}
{"container": "MSCU1234565", "stage": "secondary", "alarm": true, "nuclides": [{"nuclide": "Co-60", "class": "industrial", "confidence": 0.97, "activity_bq": 3.7e12}]}"#;
        let d = decide(r, &filing("7308.90", json!({})));
        assert_eq!(codes(&d), ["RPM-UNDECLARED-SOURCE"]);
        let f = &d.findings[0];
        assert_eq!(f.action, Some(Action::Hold));
        assert_eq!(f.kind, FindingKind::Security);
        assert_eq!(f.evidence["category"], json!(2));
        assert!(f.message.contains("IAEA Category 2"), "{}", f.message);
        assert!(d.actions.contains(&Action::Hold));
        // Declared: information only (the radioactive-source layer checks the papers).
        let mut g = filing("9022.21", json!({}));
        g.goods[0].radioactive.push(serde_json::from_value(json!({"nuclide": "Co-60", "activity_bq": 3.7e12})).unwrap());
        assert_eq!(codes(&decide(r, &g)), ["RPM-DECLARED-SOURCE"]);
        // SNM without activity: hold, category unknown.
        let d = decide(r#"{"container": "MSCU1234565", "stage": "secondary", "alarm": true, "nuclides": [{"nuclide": "U-235", "class": "snm"}]}"#, &filing("6907", json!({})));
        assert_eq!(codes(&d), ["RPM-SNM"]);
        assert_eq!(d.findings[0].evidence["category"], Value::Null);
        // NORM only: release after adjudication; medical: document check.
        let d = decide(r#"{"container": "MSCU1234565", "stage": "secondary", "alarm": true, "nuclides": [{"nuclide": "K-40", "class": "norm"}]}"#, &filing("8471", json!({})));
        assert_eq!(codes(&d), ["RPM-SECONDARY-NORM"]);
        let d = decide(r#"{"conveyance": "ABC123", "stage": "secondary", "alarm": true, "nuclides": [{"nuclide": "I-131", "class": "medical"}]}"#, &filing("8471", json!({})));
        assert_eq!(codes(&d), ["RPM-SECONDARY-MEDICAL"]);
        assert!(d.actions.contains(&Action::DocumentCheck));
    }

    #[test]
    fn unmatched_and_bad_lines() {
        let d = decide(r#"{"container": "OTHU0000000", "alarm": true, "class": "suspect"}"#, &filing("6907", json!({})));
        assert!(codes(&d).is_empty());
        let (r, diags) = PortalResults::from_jsonl("\n# comment\n{\"alarm\": true}\nnot json\n{\"container\": \"X\", \"statistic\": 1e999}\n{\"container\": \"X\", \"bogus\": 1}\n");
        assert_eq!(r.len(), 0);
        let lines: Vec<u64> = diags.iter().filter_map(|d| d.location.line).collect();
        assert_eq!(lines, [3, 4, 5, 6]);
    }
}
