//! The party-screening layer: every party role on a filing (consignor, consignee, notify party,
//! manufacturer, carrier, end user, ultimate consignee ...) is screened against the loaded lists. An alert
//! is a finding whose evidence names the list, the entity, the alias that matched, the token alignment
//! and the qualifiers. A remembered "not a match" for this party × entity × listing suppresses the alert
//! (an info finding records who decided and why); a changed listing is screened afresh.

use std::collections::{BTreeMap, HashMap};

use clearway_core::{Action, Filing, Finding, FindingKind};
use clearway_engine::{Context, Layer};
use clearway_lists::{Gender, Schema};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::countries::country_code;
use crate::index::{Hit, Index, Query};
use crate::normalize::fold;
use crate::score::{Facts, id_key};

/// Score bands of one list.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bands {
    /// At or above: an alert (hold the goods).
    pub alert: f64,
    /// At or above: review by an officer (document check).
    pub review: f64,
    /// At or above: due diligence (information only).
    pub due_diligence: f64,
}

impl Default for Bands {
    fn default() -> Self {
        Bands { alert: 0.92, review: crate::eval::DEFAULT_THRESHOLD, due_diligence: 0.70 }
    }
}

/// Bands by list id, with a default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct BandConfig {
    pub default: Bands,
    pub lists: BTreeMap<String, Bands>,
}

impl BandConfig {
    pub fn for_list(&self, list: &str) -> Bands {
        self.lists.get(list).copied().unwrap_or(self.default)
    }
}

/// A remembered officer decision, as the layer applies it.
#[derive(Debug, Clone, PartialEq)]
pub struct Remembered {
    pub entity_fingerprint: String,
    pub decision: String,
    pub who: String,
    pub why: String,
}

/// Fingerprint of a party as dispositions key it: folded name and country.
pub fn party_fingerprint(name: &str, country: Option<&str>) -> String {
    let s = format!("{}|{}", fold(name), country.unwrap_or("").to_ascii_uppercase());
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

/// The band a score falls in.
pub fn band_of(score: f64, b: &Bands) -> Option<&'static str> {
    if score >= b.alert {
        Some("alert")
    } else if score >= b.review {
        Some("review")
    } else if score >= b.due_diligence {
        Some("due-diligence")
    } else {
        None
    }
}

pub struct PartyScreening {
    index: Index,
    bands: BandConfig,
    /// (party fingerprint, list, entity id) → latest decision.
    remembered: HashMap<(String, String, String), Remembered>,
}

impl PartyScreening {
    pub fn new(index: Index, bands: BandConfig) -> Self {
        PartyScreening { index, bands, remembered: HashMap::new() }
    }

    /// Remember a decision (later calls for the same key replace earlier ones).
    pub fn remember(&mut self, party: &str, list: &str, entity_id: &str, r: Remembered) {
        self.remembered.insert((party.to_string(), list.to_string(), entity_id.to_string()), r);
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Screen one party; hits at or above the due-diligence band of their list.
    pub fn screen_party(&self, name: &str, country: Option<&str>, ids: &[String], gender: Option<Gender>) -> Vec<Hit> {
        let facts = Facts {
            dobs: Vec::new(),
            countries: country.and_then(country_code).map(|c| vec![c.to_string()]).unwrap_or_default(),
            gender,
            ids: ids.iter().map(|i| id_key(i)).collect(),
        };
        let q = Query { name: name.to_string(), schema: Schema::Unknown, facts };
        self.index.search(&q, 5).into_iter().filter(|h| h.score >= self.bands.for_list(&h.list).due_diligence).collect()
    }
}

impl Layer for PartyScreening {
    fn name(&self) -> &'static str {
        "party-screening"
    }

    /// Every listed entity's fingerprint (so a new list version changes it), the bands and the
    /// remembered dispositions.
    fn fingerprint(&self) -> String {
        let mut h = blake3::Hasher::new();
        for e in self.index.entities() {
            for part in [&e.list, &e.id, &e.fingerprint] {
                h.update(part.as_bytes());
                h.update(b"\0");
            }
        }
        h.update(serde_json::to_string(&self.bands).unwrap_or_default().as_bytes());
        let mut remembered: Vec<_> = self.remembered.iter().collect();
        remembered.sort_by(|a, b| a.0.cmp(b.0));
        for ((party, list, id), r) in remembered {
            for part in [party, list, id, &r.entity_fingerprint, &r.decision] {
                h.update(part.as_bytes());
                h.update(b"\0");
            }
        }
        h.finalize().to_hex()[..16].to_string()
    }

    fn assess(&self, filing: &Filing, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for p in &filing.parties {
            if p.name.trim().is_empty() {
                continue;
            }
            let country = p.country.as_deref().or(p.address.as_ref().and_then(|a| a.country.as_deref()));
            let ids: Vec<String> = p.ids.iter().map(|i| i.value.clone()).collect();
            let fp = party_fingerprint(&p.name, country);
            for h in self.screen_party(&p.name, country, &ids, None) {
                let bands = self.bands.for_list(&h.list);
                let Some(band) = band_of(h.score, &bands) else { continue };
                let evidence = |f: Finding| {
                    // A party and a listing in different scripts: which Latin key matched.
                    let f = match &h.explanation.key {
                        Some(k) => f.with("matched_by", k.clone()),
                        None => f,
                    };
                    f.with("role", p.role.as_str())
                        .with("party", p.name.clone())
                        .with("party_fingerprint", fp.clone())
                        .with("list", h.list.clone())
                        .with("entity_id", h.entity_id.clone())
                        .with("entity", h.caption.clone())
                        .with("alias", h.alias.clone())
                        .with("alias_kind", serde_json::to_value(h.alias_kind).unwrap_or_default())
                        .with("score", (h.score * 1000.0).round() / 1000.0)
                        .with("band", band)
                        .with("alignment", serde_json::to_value(&h.explanation.alignment).unwrap_or_default())
                        .with("unmatched_party", json!(h.explanation.unmatched_query))
                        .with("unmatched_list", json!(h.explanation.unmatched_result))
                        .with("qualifiers", json!(h.explanation.qualifiers))
                        .with("programmes", json!(h.programmes))
                        .with("entity_fingerprint", h.fingerprint.clone())
                };
                let key = (fp.clone(), h.list.clone(), h.entity_id.clone());
                if let Some(r) = self.remembered.get(&key).filter(|r| r.entity_fingerprint == h.fingerprint && r.decision == "not-a-match") {
                    let f = Finding::new(
                        "party-screening",
                        "PS-DISPOSED",
                        FindingKind::Info,
                        0.0,
                        format!("{} {:?} resembles {} entry {} but was decided not a match by {}", p.role.as_str(), p.name, h.list, h.caption, r.who),
                    );
                    out.push(evidence(f).with("decided_by", r.who.clone()).with("reason", r.why.clone()));
                    continue;
                }
                let (code, kind, weight, action) = match band {
                    "alert" => ("PS-ALERT", FindingKind::Security, 60.0, Some(Action::Hold)),
                    "review" => ("PS-REVIEW", FindingKind::Security, 25.0, Some(Action::DocumentCheck)),
                    _ => ("PS-DUE-DILIGENCE", FindingKind::Info, 0.0, None),
                };
                let msg = format!(
                    "{} {:?} matches {} entry {:?} (alias {:?}) with score {:.2} ({band})",
                    p.role.as_str(),
                    p.name,
                    h.list,
                    h.caption,
                    h.alias,
                    h.score
                );
                let mut f = evidence(Finding::new("party-screening", code, kind, ctx.config.weight(code, weight), msg));
                if let Some(a) = action {
                    f = f.action(a);
                }
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearway_engine::Layer;
    use clearway_lists::Entity;

    fn entity(id: &str, programme: &str) -> Entity {
        Entity { list: "test".into(), id: id.into(), programmes: vec![programme.into()], ..Default::default() }
    }

    #[test]
    fn fingerprint_follows_list_content_and_dispositions() {
        let layer = |entities: &[Entity]| PartyScreening::new(Index::build(entities), BandConfig::default());
        let a = layer(&[entity("1", "SDGT")]);
        assert_eq!(a.fingerprint(), layer(&[entity("1", "SDGT")]).fingerprint());
        assert_ne!(a.fingerprint(), layer(&[entity("1", "IRAN")]).fingerprint(), "an edited listing");
        let mut b = layer(&[entity("1", "SDGT")]);
        b.remember("acme|US", "test", "1", Remembered {
            entity_fingerprint: "f".into(),
            decision: "false-positive".into(),
            who: "officer 7".into(),
            why: "different company".into(),
        });
        assert_ne!(a.fingerprint(), b.fingerprint(), "a remembered disposition");
    }
}
